"""Benchmark 15: a call survives a restart. Four members in one Discord call with `/listen`,
speaking one after another, the real `voicebridge run` process SIGKILLed mid-call and started
again:

    start to caption   seconds from the new process's start (its exec) to the first caption
                       posted after it took the call up (the members go on speaking one
                       after another the whole time, as people do who did not notice)
    start to back      ...to the line telling the chat it is back
    turns lost         turns begun once the bot was back in the call (its DAVE group joined)
                       that got no caption (should be none); turns said while it was away are
                       lost by nature and not counted here
    transcript         lines in the transcript `/stop_listening` posts (the gap's line aside)
                       against the turns said while the bot was there

    python -m bench.resume     (one run; prints a JSON line)

The Discord stand-in (REST, gateway, voice server) and MiMo's stand-in (answering each
transcription at once with the pitch it heard) run in this process; the bot is a process of
its own, on a SQLite file, with the product's settings.
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import sized
from bench.account import raised
from bench.sections import loads, reflow, replace_section
from tests.scenarios.discord_bot import Members, transcript_lines
from tests.scenarios.processes import identified, voicebridge_run
from tests.scenarios.restarts import AWAY, environment, in_the_lounge
from tests.scenarios.tones import tone_heard
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.standins.voice_members import CallMember, tone

HEADING = "## 15. A call survives a restart: back in the call, and what is lost"
TURN = 1.5  # seconds each turn lasts
BETWEEN = 0.8  # seconds between one turn's end and the next one's start
PITCHES = (300, 400, 500, 600)
# turns captioned before the kill; turns said once the bot is back
BEFORE, AFTER = sized((8, 8), (2, 2))
LINE = re.compile(r"\*\*M\d\*\*: tone \d+")
MARKED = re.compile(r"\(I was away for")
WAIT = 120.0


async def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        async with FakeDiscord() as discord_api, raised(FakeMimo()) as mimo:
            mimo.asr_text = tone_heard
            server = discord_api.add_guild()
            return await _measured(discord_api, server, mimo, tmp)


async def _measured(discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, tmp: Path) -> Any:
    members = await in_the_lounge(discord_api, server, "M1", "M2", "M3", "M4")
    asking = Members(discord_api, server.general)
    # The voice server's authority goes beside the bot's folder: in this run's folder, its own
    # (one left in a shared folder by an earlier run would name another run's authority).
    bot_folder = tmp / "bot"
    bot_folder.mkdir()
    env = environment(discord_api, mimo, f"sqlite+aiosqlite:///{tmp / 'bot.db'}", bot_folder)
    turns: list[tuple[float, bool]] = []  # each turn's start, and whether the bot was there
    present = asyncio.Event()  # the bot is in the call, its DAVE group joined
    enough = asyncio.Event()  # no turn begins after it is set
    async with voicebridge_run(bot_folder, env, "first", identified(discord_api)) as first:
        for member in members:
            await asking.answer(member.user_id, "listen_me", allowed=True)
        await asking.answer(members[0].user_id, "listen")
        await _joined(discord_api, server)
        present.set()
        speaking = asyncio.create_task(
            _one_after_another(discord_api, members, turns, present, enough)
        )
        await _until(lambda: len(_lines(discord_api, server)) >= BEFORE, "the captions before")
        first.kill()
        present.clear()
        killed = time.monotonic()
        await first.wait()
        # Whole before the kill: the turn it cut short is lost by nature, as the away ones.
        said_before = sum(1 for start, there in turns if there and start + TURN <= killed)
    started = time.monotonic()
    async with voicebridge_run(bot_folder, env, "second", identified(discord_api)):
        await _until(lambda: _back(discord_api, server) is not None, "back")
        back_at = time.monotonic()
        await _joined(discord_api, server)
        present.set()
        back_turns = len(turns)
        await _until(lambda: _lines_after_back(discord_api, server), "a caption after")
        first_caption = time.monotonic()
        await _until(lambda: len(turns) - back_turns >= AFTER, "the turns after", WAIT)
        enough.set()
        await speaking  # the last turn said whole
        said_after = sum(1 for _, there in turns[back_turns:] if there)
        await _until(
            lambda: len(_lines_after_back(discord_api, server)) >= said_after, "them", 20
        )  # a safety net: a turn lost ends the wait late, not the run
        captioned_after = min(said_after, len(_lines_after_back(discord_api, server)))
        await asking.answer(members[0].user_id, "stop_listening")
        bye = await _goodbye(discord_api, server)
    lines = [line for line in transcript_lines(bye) if not MARKED.match(line)]
    return {
        "start_to_caption": first_caption - started,
        "start_to_back": back_at - started,
        "away": started - killed,
        "said_before": said_before,
        "said_after": said_after,
        "lost_after": max(0, said_after - captioned_after),
        "transcript_lines": len(lines),
        "said_present": said_before + said_after,
    }


async def _one_after_another(
    discord_api: FakeDiscord, members: list[CallMember], turns: list[tuple[float, bool]],
    present: asyncio.Event, enough: asyncio.Event,
) -> None:  # fmt: skip
    """The members speak one after another until `enough`: while the bot is away, their words
    go nowhere."""
    n = 0
    while not enough.is_set():
        member, pitch = members[n % len(members)], PITCHES[n % len(PITCHES)]
        turns.append((time.monotonic(), present.is_set()))
        if present.is_set():
            try:
                await discord_api.voice.speak(member, tone(pitch, TURN))
            except AssertionError:  # the call went with the process
                await asyncio.sleep(TURN)
        else:
            await asyncio.sleep(TURN)
        await asyncio.sleep(BETWEEN)
        n += 1


async def _joined(discord_api: FakeDiscord, server: Guild) -> None:
    voice = discord_api.voice
    call = await voice.wait_until(
        lambda: voice.live_call(server.id, server.lounge), timeout=WAIT, what="the call"
    )
    await voice.wait_until(lambda: call.dave.executed, timeout=WAIT, what="DAVE")


def _posted(discord_api: FakeDiscord, server: Guild) -> list[str]:
    return [m.content for m in discord_api.messages_in(server.lounge) if m.interaction_id is None]


def _lines(discord_api: FakeDiscord, server: Guild) -> list[str]:
    return [line for post in _posted(discord_api, server) for line in LINE.findall(post)]


def _back(discord_api: FakeDiscord, server: Guild) -> int | None:
    posted = _posted(discord_api, server)
    return next((i for i, post in enumerate(posted) if AWAY.match(post)), None)


def _lines_after_back(discord_api: FakeDiscord, server: Guild) -> list[str]:
    back = _back(discord_api, server)
    posted = [] if back is None else _posted(discord_api, server)[back + 1 :]
    return [line for post in posted for line in LINE.findall(post)]


async def _goodbye(discord_api: FakeDiscord, server: Guild) -> Any:
    async def found() -> Any:
        while True:
            with_files = [m for m in discord_api.messages_in(server.lounge) if m.attachments]
            if with_files:
                return with_files[-1]
            await asyncio.sleep(0.05)

    return await asyncio.wait_for(found(), WAIT)


async def _until(condition: Any, what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            if timeout < WAIT:
                return
            raise AssertionError(f"{what} did not happen in time")
        await asyncio.sleep(0.02)


def pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"runs": runs}


def section(found: dict[str, Any], machine: dict[str, Any]) -> str:
    runs = found["runs"]
    rows = "\n".join(
        f"| {n} | {r['away']:.1f} | {r['start_to_back']:.1f} | {r['start_to_caption']:.1f} | "
        f"{r['lost_after']} of {r['said_after']} | {r['transcript_lines']} of "
        f"{r['said_present']} |"
        for n, r in enumerate(runs, 1)
    )
    median = statistics.median(r["start_to_caption"] for r in runs)
    when = f", {machine['date']}" if "date" in machine else ""
    where = f"{len(runs)} runs{when}, {loads(machine.get('load_before'), found.get('load_after'))}"
    intro = (
        f"Four members in one Discord call with `/listen`, speaking one after another ({TURN} s "
        f"turns, {BETWEEN} s apart, the whole time); the real `voicebridge run` process killed "
        f"with SIGKILL once {BEFORE} turns were captioned, and started again at once (`python -m "
        f"bench --only resume`, bench/resume.py; {where}). Start to caption: from the new "
        "process's exec to the first caption after it took the call up (Python's start, the "
        "migrations, Discord's gateway, the voice connection and its DAVE group, then the next "
        "turn said and heard). Lost: turns begun once the bot was back that got no caption. "
        "Transcript: lines in the transcript `/stop_listening` posted (the gap's line aside) "
        "against the turns said whole while the bot was there (the turn the kill cut short, "
        "and those said while it was away, are lost by nature; the transcript marks the gap)."
    )
    after = f"Median from the new process's start to its first caption: {median:.1f} s."
    header = "| run | away (s) | start to back (s) | start to caption (s) | lost after back "
    return (
        f"{HEADING}\n\n{reflow(intro)}\n\n{header}| transcript lines |\n"
        f"|---|---|---|---|---|---|\n{rows}\n\n{reflow(after)}\n"
    )


def with_section(results: str, text: str) -> str:
    return replace_section(results, HEADING, text)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run())), flush=True)
    sys.exit(0)
