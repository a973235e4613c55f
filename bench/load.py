"""Benchmark 3's Telegram driver: a hundred voice notes from a hundred private chats at once,
through the real Telegram adapter. Prints a JSON line.

    python -m bench.load NOTE MIMO_BASE_URL MIMO_API_KEY MIMO_DELAY [--notes N] [--profile]
        [--ffmpeg BINARY]

This process serves the Telegram Bot API's stand-in (tests/standins/telegram_api.py) and starts
the bot (bench/burst.py) configured by the environment alone, as a user configures
`voicebridge run` (MiMo's stand-in runs in a third process, bench/mimo_server.py, started by
the caller; MIMO_DELAY is what it holds each request, for the record). `--ffmpeg` sets the
bot's FFMPEG_BINARY. One note from another chat goes first, so that what a bot does once (first
imports, first connections) is not counted. Then N updates, each a voice note from a different
private chat, are queued together: the bot's next getUpdates answer carries them all. The time
runs until every chat reads its final transcript (the reply's text no longer ends in "…").

The floor is the slower of MiMo's (N requests, at most ASR_MAX_IN_FLIGHT at once, each held
MIMO_DELAY) and Telegram's: one message per chat at 30 a second, the first 30 at once.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench import burst, ffmpeg_exe, inputs
from bench.burst import BURST_TIMEOUT, NOTE_SECONDS, START_TIMEOUT, BotUnderLoad, Run
from tests.standins.telegram_api import FakeBotApi

FIRST_CHAT = 1001  # the burst's chats are FIRST_CHAT, FIRST_CHAT + 1, ...
WARM_UP_CHAT = 1
TRANSCRIPT = re.compile(r"heard \d+\.\d seconds")  # what MiMo's stand-in answers
PROGRESS_END = "…"  # every progress text ends so; a final reply does not
TELEGRAM_PER_SECOND = 30  # messages a second, all chats together
# Bot API calls that name no chat: python-telegram-bot's rate limiter lets them through.
CHATLESS = frozenset({"getUpdates", "getFile", "getMe", "setMyCommands", "deleteWebhook"})


def note() -> Path:
    """The voice note every chat sends: the first 5 s of bench/inputs.py's one-minute note (real
    speech from the shared fixtures when they are there, else generated speech-like sound)."""
    source = inputs.voice_note(1)
    path = inputs.OUT / f"note-{NOTE_SECONDS}s-{source.stem}.ogg"
    if not path.exists():
        command = [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y", "-i", str(source),
                   "-t", str(NOTE_SECONDS), "-c", "copy", str(path)]  # fmt: skip
        subprocess.run(command, check=True)
    return path


async def run(asked: Run) -> dict[str, Any]:
    async with FakeBotApi() as api:
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                "TELEGRAM_BOT_TOKEN": api.token,
                "TELEGRAM_API_URL": api.root,
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/voicebridge.db",
                **asked.env(),
            }
            async with BotUnderLoad(env, profile=asked.profile) as bot:
                await bot.until(api.wait_for("getUpdates", timeout=START_TIMEOUT))
                await Burst(api, [WARM_UP_CHAT], asked).answered()
                await asyncio.sleep(1)  # let the warm-up's bookkeeping finish
                bot.count()
                sent = Burst(api, list(range(FIRST_CHAT, FIRST_CHAT + asked.notes)), asked)
                await sent.answered()
                finished = time.monotonic()
                bot.stop_counting()
    wrong = {chat: texts for chat, (_, texts) in sent.done.items()
             if len(texts) != 1 or not TRANSCRIPT.fullmatch(texts[0])}  # fmt: skip
    outcome = asked.outcome(
        bot, started=sent.started, finished=finished, wrong=wrong,
        waits=[at for at, _ in sent.done.values()],
        chat_floor=max(0, asked.notes - TELEGRAM_PER_SECOND) / TELEGRAM_PER_SECOND,
    )  # fmt: skip
    to_chats = [(at, method) for at, method, _ in sent.calls if method not in CHATLESS]
    return {
        "platform": "telegram",
        **outcome,
        "calls": dict(Counter(method for _, method, _ in sent.calls)),
        "chat_calls": len(to_chats),
        "chat_calls_per_note": len(to_chats) / asked.notes,
        "chat_calls_per_second": burst.per_second(
            [at for at, _ in to_chats], finished - sent.started
        ),
        "typing_chats": len({chat for _, method, chat in sent.calls if method == "sendChatAction"}),
    }


class Burst:
    """Voice notes from many chats at once, and what the bot sent back while they were
    answered."""

    def __init__(self, api: FakeBotApi, chats: list[int], asked: Run) -> None:
        self.api = api
        self.waiting = set(chats)
        self.done: dict[int, tuple[float, list[str]]] = {}  # chat -> (when final, its texts)
        # (seconds into the burst, Bot API method, chat) of each call, as first seen
        self.calls: list[tuple[float, str, int]] = []
        self._seen = len(api.calls)
        self.started = time.monotonic()
        data, seconds = asked.data, round(asked.seconds)
        for chat in chats:
            api.push(api.voice_message(chat_id=chat, user_id=chat, data=data, duration=seconds))

    async def answered(self) -> None:
        """Until every chat reads a final reply."""
        what = f"{len(self.waiting)} transcripts"
        await self.api.wait_until(self._all_final, timeout=BURST_TIMEOUT, what=what)

    def _all_final(self) -> bool:
        # Looks only at the chats the calls since the last look went to.
        now = time.monotonic() - self.started
        new = self.api.calls[self._seen :]
        self._seen += len(new)
        chats = [int(str(call.params.get("chat_id") or 0)) for call in new]
        self.calls.extend((now, call.method, chat) for call, chat in zip(new, chats, strict=True))
        for chat in set(chats) & self.waiting:
            texts = self.api.texts(chat)
            if texts and not any(text.endswith(PROGRESS_END) for text in texts):
                self.done[chat] = (now, texts)
                self.waiting.discard(chat)
        return not self.waiting


if __name__ == "__main__":
    burst.main(run, "python -m bench.load", __doc__ or "")
