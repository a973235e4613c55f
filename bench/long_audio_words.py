"""Benchmark 16: a long voice note's first words on screen. The real `voicebridge run` process,
with the product's settings (pieces of 60 s, four at a time), is sent a long note in a private
chat and in a group, in alternation, one note at a time:

    first words    seconds from MiMo's stand-in answering the note's first piece to the reply
                   showing its words (above the progress line, or the transcript if it came
                   first)
    transcript     seconds from the note's arrival to its whole transcript in the reply
    messages       the bot's messages in the chat at the end: 1 (the reply, edited into the
                   transcript), never a second answer

    python -m bench.long_audio_words     (one run of each chat; prints a JSON line)

The Telegram Bot API's stand-in and MiMo's (answering each request after `MIMO_DELAY`) run in
this process; the bot is a process of its own, on a SQLite file.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import inputs, sized
from bench.account import raised
from bench.sections import loads, reflow, replace_section
from tests.scenarios.processes import operator_environment, voicebridge_run
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

HEADING = "## 19. A long voice note's words as they are heard"
MIMO_DELAY = 0.5  # seconds MiMo's stand-in holds each request
MINUTES = sized(10, 1)  # the note's length
PIECE_SECONDS = sized(60, 20)  # the product's pieces; the quick form's one-minute note in three
ROUNDS = sized(3, 1)  # notes in each kind of chat, alternating
CHATS = {"private": 7001, "group": -1007001}
USER = 7001
WAIT = 300.0


async def run() -> dict[str, Any]:
    note = inputs.voice_note(MINUTES).read_bytes()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        async with FakeBotApi() as bot_api, raised(FakeMimo(delay=MIMO_DELAY)) as mimo:
            answered = _answers_timed(mimo)
            env = operator_environment(mimo, f"sqlite+aiosqlite:///{tmp / 'bot.db'}") | {
                "TELEGRAM_BOT_TOKEN": bot_api.token,
                "TELEGRAM_API_URL": bot_api.root,
                "ASR_PIECE_SECONDS": str(PIECE_SECONDS),
            }
            ready = bot_api.wait_for("setMyCommands", timeout=60)
            runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in CHATS}
            async with voicebridge_run(tmp, env, "bot", ready):
                for round_ in range(ROUNDS):
                    for kind in CHATS if round_ % 2 == 0 else reversed(CHATS):
                        chat = CHATS[kind] - round_  # a chat of its own each time
                        found = await _one_note(bot_api, answered, note, chat, kind)
                        runs[kind].append(found)
    return {"runs": runs, "minutes": MINUTES, "piece_seconds": PIECE_SECONDS}


def _answers_timed(mimo: FakeMimo) -> list[float]:
    """When MiMo's stand-in answered each recognition request (its answer built, about to go)."""
    answered: list[float] = []
    recognise = mimo._asr

    async def timed(request: Any, body: Any) -> Any:
        response = await recognise(request, body)
        answered.append(time.monotonic())
        return response

    mimo._asr = timed  # type: ignore[method-assign]
    return answered


async def _one_note(
    bot_api: FakeBotApi, answered: list[float], note: bytes, chat: int, kind: str
) -> dict[str, Any]:
    before = len(answered)
    chat_type = "private" if kind == "private" else "supergroup"
    message = bot_api.voice_message(
        chat_id=chat, user_id=USER, data=note, duration=MINUTES * 60, chat_type=chat_type
    )
    sent = time.monotonic()
    bot_api.push(message)
    await bot_api.wait_until(lambda: _words_shown(bot_api.texts(chat)), timeout=WAIT, what="words")
    words_at = time.monotonic()
    await bot_api.wait_until(
        lambda: any(not text.endswith("…") for text in bot_api.texts(chat)),
        timeout=WAIT,
        what="the transcript",
    )
    done_at = time.monotonic()
    first_answer = answered[before]
    return {
        "first_words": words_at - first_answer,
        "first_answer": first_answer - sent,
        "transcript": done_at - sent,
        "messages": len(bot_api.texts(chat)),
        "edits": len(bot_api.sent("editMessageText", chat_id=chat)),
    }


def _words_shown(texts: list[str]) -> bool:
    """The reply shows words heard: above the progress line, or the transcript already."""
    return any("\n\n" in text or not text.endswith("…") for text in texts)


def pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, list[dict[str, Any]]] = {kind: [] for kind in CHATS}
    for found in runs:
        for kind in CHATS:
            merged[kind] += found["runs"][kind]
    sizes = {key: runs[0][key] for key in ("minutes", "piece_seconds")}
    return {"runs": merged, **sizes}


def section(found: dict[str, Any], machine: dict[str, Any]) -> str:
    rows = []
    for kind, runs in found["runs"].items():
        for n, r in enumerate(runs, 1):
            rows.append(
                f"| {kind} | {n} | {r['first_answer']:.2f} | {r['first_words']:.2f} | "
                f"{r['transcript']:.1f} | {r['edits']} | {r['messages']} |"
            )
    worst = {kind: max(r["first_words"] for r in runs) for kind, runs in found["runs"].items()}
    medians = {
        kind: statistics.median(r["first_words"] for r in runs)
        for kind, runs in found["runs"].items()
    }
    when = f", {machine['date']}" if "date" in machine else ""
    count = sum(len(runs) for runs in found["runs"].values())
    where = f"{count} notes{when}, {loads(machine.get('load_before'), found.get('load_after'))}"
    intro = (
        f"A {found['minutes']}-minute voice note sent to the real `voicebridge run` process "
        f"(pieces of {found['piece_seconds']} s, four at a time, Telegram's own edit pace), in a "
        "private chat and in a group in alternation, one note at a time; MiMo's stand-in answers "
        f"each request after {MIMO_DELAY} s (`python -m bench --only long-audio`, "
        f"bench/long_audio_words.py; {where}). First answer: from the note's arrival to MiMo "
        "answering its first piece (the download, the first piece's conversion, the request). "
        "First words: from that answer to the reply showing the piece's words above the "
        "progress line. Transcript: from the note's arrival to the whole transcript in the "
        "reply. Messages: the bot's messages in the chat at the end (the reply, edited)."
    )
    after = (
        "First words on screen after MiMo answered the first piece: median "
        + ", ".join(f"{medians[k]:.2f} s in a {k} chat" for k in medians).replace(
            "group chat", "group"
        )
        + "; at most "
        + ", ".join(f"{worst[k]:.2f} s ({k})" for k in worst)
        + "."
    )
    header = "| chat | note | first answer (s) | first words (s) | transcript (s) | edits "
    return (
        f"{HEADING}\n\n{reflow(intro)}\n\n{header}| messages |\n"
        f"|---|---|---|---|---|---|---|\n" + "\n".join(rows) + f"\n\n{reflow(after)}\n"
    )


def with_section(results: str, text: str) -> str:
    return replace_section(results, HEADING, text)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run())), flush=True)
    sys.exit(0)
