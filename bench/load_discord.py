"""Benchmark 3's Discord driver: a hundred voice messages in a hundred servers at once, through the
real Discord adapter. Prints a JSON line.

    python -m bench.load_discord NOTE MIMO_BASE_URL MIMO_API_KEY MIMO_DELAY [--notes N]
        [--profile] [--ffmpeg BINARY]

This process serves Discord's stand-in (tests/standins/discord_api.py: REST, CDN, gateway, and
Discord's global limit of 50 requests a second) and starts the bot (bench/burst.py) configured
by the environment alone. Each server's #general hears a member's voice message; the bot
transcribes it automatically, as a reply. One message in another server goes first, so that
what a bot does once is not counted. Then N voice messages, one per server, reach the bot
through the gateway together. The time runs until every one has its final transcript.

The floor: N requests to MiMo, at most ASR_MAX_IN_FLIGHT at once, each held MIMO_DELAY; and one
reply per voice message within Discord's 50 requests a second. The slower of the two is the
floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import burst, report
from bench.burst import BURST_TIMEOUT, NOTES, START_TIMEOUT, BotUnderLoad
from bench.load import NOTE_SECONDS, PROGRESS_END, TRANSCRIPT, note_name
from core.infra.audio.short_notes import ogg_opus_seconds
from tests.standins.discord_api import GLOBAL_PER_SECOND, FakeDiscord, Guild


async def run(
    source: Path,
    base_url: str,
    api_key: str,
    delay: float,
    notes: int,
    *,
    profile: bool,
    ffmpeg: str | None,
) -> dict[str, Any]:
    data = source.read_bytes()
    seconds = ogg_opus_seconds(source) or NOTE_SECONDS
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_before = report.load_average()
    async with FakeDiscord() as api:
        servers = [api.add_guild(f"server {n}") for n in range(notes + 1)]
        members = [api.add_member(server, f"member {n}") for n, server in enumerate(servers)]
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                "MIMO_API_KEY": api_key,
                "MIMO_BASE_URL": base_url,
                "DISCORD_BOT_TOKEN": api.token,
                "DISCORD_API_URL": api.api_url,
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/voicebridge.db",
                **({"FFMPEG_BINARY": ffmpeg} if ffmpeg else {}),
            }
            async with BotUnderLoad(env, profile=profile) as bot:
                await bot.until(api.wait_until_identified(timeout=START_TIMEOUT))
                warm_up = Burst(api, servers[:1], members[:1], data, seconds)
                await warm_up.posted()
                await warm_up.answered()
                await asyncio.sleep(1)  # let the warm-up's bookkeeping finish
                bot.count()
                sent = Burst(api, servers[1:], members[1:], data, seconds)
                await sent.posted()
                posted = time.monotonic() - sent.started
                await sent.answered()
                finished = time.monotonic()
                bot.stop_counting()
    wrong = {channel: text for channel, (_, text) in sent.done.items()
             if not TRANSCRIPT.fullmatch(text)}  # fmt: skip
    if wrong:
        shown = "\n".join(f"  {channel}: {text!r}" for channel, text in list(wrong.items())[:3])
        raise RuntimeError(
            f"{len(wrong)} of {notes} voice messages did not get their transcript, for example:"
            f"\n{shown}\nthe bot's log: {bot.keep_log()}"
        )
    found = bot.summary(sent.started, finished, notes)
    waits = sorted(at for at, _ in sent.done.values())
    calls = [call for call in api.calls if call.at >= sent.started and call.at <= finished]
    to_channels = [call for call in calls if "{channel_id}" in call.route]
    mimo_floor = notes / found["asr_max_in_flight"] * delay
    chat_floor = max(0, notes - GLOBAL_PER_SECOND) / GLOBAL_PER_SECOND
    floor = max(mimo_floor, chat_floor)
    elapsed = finished - sent.started
    return {
        "platform": "discord",
        "date": when,
        "load_before": load_before,
        "load_after": report.load_average(),
        "ffmpeg": ffmpeg or "bundled",
        "notes": notes,
        "note": note_name(source),
        "note_seconds": seconds,
        "note_bytes": len(data),
        "mimo_delay": delay,
        "seconds": elapsed,
        "mimo_floor": mimo_floor,
        "chat_floor": chat_floor,
        "floor": floor,
        "ratio": elapsed / floor,
        "wait_median": burst.percentile(waits, 50),
        "wait_first": waits[0],
        "posted_after": posted,
        "transcripts_ok": notes - len(wrong),
        "wrong": [f"{channel}: {text!r}" for channel, text in list(wrong.items())[:3]],
        "calls": dict(Counter(call.route for call in calls)),
        "refused": sum(call.status == 429 for call in calls),
        "chat_calls": len(to_channels),
        "chat_calls_per_note": len(to_channels) / notes,
        "chat_calls_per_second": burst.per_second(
            [call.at - sent.started for call in to_channels], elapsed
        ),
        "typing_chats": len(
            {call.params["channel_id"] for call in to_channels if call.route.endswith("/typing")}
        ),
        **found,
    }


class Burst:
    """A voice message in each of `servers`' #general, from its member, posted together; and
    each one's final transcript as it comes."""

    def __init__(
        self,
        api: FakeDiscord,
        servers: list[Guild],
        members: list[int],
        data: bytes,
        seconds: float,
    ) -> None:
        self.api = api
        self.waiting = {server.general for server in servers}
        self.done: dict[int, tuple[float, str]] = {}  # channel -> (when final, its text)
        self._posts = [
            (server.general, member) for server, member in zip(servers, members, strict=True)
        ]
        self._data, self._seconds = data, seconds
        self.started = time.monotonic()

    async def posted(self) -> None:
        await asyncio.gather(*(
            self.api.post_voice_message(channel, member, self._data, duration=self._seconds)
            for channel, member in self._posts
        ))  # fmt: skip

    async def answered(self) -> None:
        """Until every voice message's reply reads a final transcript."""
        what = f"{len(self.waiting)} transcripts"
        await self.api.wait_until(self._all_final, timeout=BURST_TIMEOUT, what=what)

    def _all_final(self) -> bool:
        now = time.monotonic() - self.started
        replies = {
            m.channel_id: m
            for m in self.api.messages
            if m.channel_id in self.waiting and m.reply_to is not None and not m.deleted
        }
        for channel, reply in replies.items():
            if not reply.content.endswith(PROGRESS_END):
                self.done[channel] = (now, reply.content)
                self.waiting.discard(channel)
        return not self.waiting


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load_discord", description=__doc__)
    parser.add_argument("note", type=Path)
    parser.add_argument("base_url")
    parser.add_argument("api_key")
    parser.add_argument("delay", type=float)
    parser.add_argument("--notes", type=int, default=NOTES)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--ffmpeg")
    args = parser.parse_args()
    found = asyncio.run(
        run(args.note, args.base_url, args.api_key, args.delay, args.notes,
            profile=args.profile, ffmpeg=args.ffmpeg)
    )  # fmt: skip
    print(json.dumps(found))


if __name__ == "__main__":
    main()
