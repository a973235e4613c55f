"""A channel reading's gap: the silence a listener hears between two messages read aloud, MiMo
paced as `bench.paced` says (speech streamed in slices, or whole).

    python -m bench.reader_gap RUNS MIMO_DELAY [slices|whole]     (prints a JSON line)

Each run in one process, as the integration tests run it: the Discord stand-in (its voice
server timing each frame), MiMo's stand-in, and the bot `voicebridge run` builds. Ann and Bob sit
in the Lounge; Ann runs `/read_channel` there, and they post `MESSAGES` messages in its chat, in
alternation, two at a time: the first two at once, then each next pair once the clip before it has
`LATE` seconds left to play. So every other gap follows a message made ahead, while the one
before played ("made ahead"), and the others a message posted as the one before was ending
("posted late": its speech asked for `LATE` seconds before it came up).

The gap is from the end of one clip's last frame of sound to the start of the next clip's
first, both as the voice server received them (the silence frames discord.py sends after a
clip count as silence). The reader means to leave no pause between two messages (a new speaker
is named in words instead), so all of it is beyond the pause meant.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import statistics
import sys
import tempfile
import time
import wave
from typing import Any

from bench import sized
from bench.account import raised
from bench.paced import paced
from bench.sections import loads, reflow, replace_section
from bots.discord.voice_channels.speech_playback import installed_voice_client
from tests.scenarios.discord_bot import Members, discord_bot_online, discord_settings
from tests.standins.discord_api import FakeDiscord
from tests.standins.discord_voice import OPUS_SILENCE, Call, Frame
from tests.standins.mimo import FakeMimo

HEADING = "## 18. A channel reading: the silence between two messages"
MESSAGES = sized(6, 3)  # messages posted in each run: MESSAGES - 1 gaps
LATE = 0.5  # seconds of the clip before still to play when a late message is posted
TARGET = 0.3  # seconds of silence at most between two messages beyond the pause meant (issue 96)
FRAME = 0.02  # seconds of sound in each Opus frame
STREAMS = ("slices", "whole")
TEXTS = [
    "Are we still on for the review this afternoon?",
    "Yes, at three, in the small room upstairs.",
    "I will bring the printed slides and the notes from Monday.",
    "Good, and could someone book the projector for us?",
    "Done, it is booked until five.",
    "Thanks, see you all there.",
]


def clips(call: Call) -> list[list[Frame]]:
    """The frames of each clip the voice server heard (discord.py ends each with silence)."""
    runs = itertools.groupby(call.frames, key=lambda frame: frame.opus == OPUS_SILENCE)
    return [list(frames) for silent, frames in runs if not silent]


def wav_seconds(wav: bytes) -> float:
    with wave.open(io.BytesIO(wav)) as read:
        return read.getnframes() / read.getframerate()


async def _heard(api: FakeDiscord, count: int, *, ended: bool = False) -> Call:
    """The bot's call once `count` clips have begun in it (`ended`: and the last has ended)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        calls = api.voice.calls
        if calls:
            heard = clips(calls[-1])
            last = calls[-1].frames[-1] if calls[-1].frames else None
            if len(heard) >= count and (not ended or (last and last.opus == OPUS_SILENCE)):
                return calls[-1]
        await asyncio.sleep(0.01)
    raise TimeoutError(f"{count} clips not heard in 60 s")


async def once(delay: float, stream: str, messages: int = MESSAGES) -> dict[str, Any]:
    """One run: the gaps after a message made ahead, and after one posted late, in seconds."""
    async with FakeDiscord() as api, raised(FakeMimo()) as mimo:
        paced(mimo, answer_after=delay, stream=stream)
        guild = api.add_guild("server")
        authors = [api.add_member(guild, "Ann"), api.add_member(guild, "Bob")]
        for author in authors:
            await api.join_voice(guild, author, guild.lounge)
        with tempfile.TemporaryDirectory() as tmp:
            settings = discord_settings(
                discord_api=api, mimo=mimo, database_url=f"sqlite+aiosqlite:///{tmp}/vb.db"
            )
            async with discord_bot_online(settings, api, voice_client=installed_voice_client()):
                await Members(api, guild.general).answer(authors[0], "read_channel")
                for first in range(0, messages, 2):
                    if first:  # once the clip before has LATE seconds left
                        call = await _heard(api, first)
                        began = clips(call)[first - 1][0].at
                        ends = began + wav_seconds(mimo.tts_wavs[first - 1])
                        await asyncio.sleep(max(0.0, ends - LATE - time.monotonic()))
                    for n in range(first, min(first + 2, messages)):
                        await api.post_message(guild.lounge, authors[n % 2], TEXTS[n])
                call = await _heard(api, messages, ended=True)
        heard = clips(call)
        if len(heard) != messages:
            raise RuntimeError(f"{len(heard)} clips heard for {messages} messages")
        pairs = itertools.pairwise(heard)
        gaps = [after[0].at - (before[-1].at + FRAME) for before, after in pairs]
        return {
            "ahead": gaps[0::2],  # the second of each pair, posted with the first
            "late": gaps[1::2],
            "clip_seconds": [wav_seconds(wav) for wav in mimo.tts_wavs],
        }


async def run(runs: int, delay: float, stream: str) -> dict[str, Any]:
    done = [await once(delay, stream) for _ in range(runs)]
    return {
        "delay": delay,
        "stream": stream,
        "runs": runs,
        "ahead": [gap for one in done for gap in one["ahead"]],
        "late": [gap for one in done for gap in one["late"]],
        "clip_seconds": [s for one in done for s in one["clip_seconds"]],
    }


def pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The runs of one way of streaming as one."""
    return {
        **runs[0],
        "runs": sum(run["runs"] for run in runs),
        "ahead": [gap for run in runs for gap in run["ahead"]],
        "late": [gap for run in runs for gap in run["late"]],
        "clip_seconds": [s for run in runs for s in run["clip_seconds"]],
    }


def _p50_most(gaps: list[float]) -> str:
    if not gaps:
        return "none"
    return f"{statistics.median(gaps):.2f} / {max(gaps):.2f} s"


def section(found: dict[str, dict[str, Any]], machine: dict[str, str]) -> str:
    """Benchmark 18's section of RESULTS.md, from each way of streaming's pooled runs."""
    rows = []
    for stream, ways in (("slices", "streamed in slices"), ("whole", "streamed whole")):
        if stream not in found:
            continue
        done = found[stream]
        gaps = done["ahead"] + done["late"]
        most = max(gaps) if gaps else float("nan")
        verdict = "met" if most <= TARGET else "over"
        rows.append(f"| {ways} | {done['runs']} | {_p50_most(done['ahead'])} | "
                    f"{_p50_most(done['late'])} | **{most:.2f} s** ({verdict}) |")  # fmt: skip
    some = next(iter(found.values()))
    clips_said = some["clip_seconds"]
    text = f"""{HEADING}

`python -m bench --only reader` (bench/reader_gap.py): Ann and Bob in the Lounge, Ann's
`/read_channel` reading its chat, {MESSAGES} messages posted in alternation, two at a time:
the first two at once, each next pair once the clip before has {LATE:g} s left to play. MiMo
paced by `bench/paced.py` (recognition and chat after {some["delay"]:g} s, speech at four times
real time, its first slice after 0.3 s, a whole clip when its last slice would come), speech
streamed in slices or whole, the two alternating; clips of {min(clips_said):.2f} to
{max(clips_said):.2f} s. The whole bot (discord.py and its voice client, the core, SQLite,
ffmpeg) and the stand-ins in one process. {machine["cpu"]}, {machine["cores"]} cores,
{loads(machine.get("load_before"), machine.get("load_after"))}; {machine["date"]}.

The silence between two messages, from one clip's last frame to the next clip's first at the
voice server, p50 / the most: after a message made ahead while the one before played, and
after one posted {LATE:g} s before the one before ended. The reader means to leave no pause
between messages (a new speaker is named in words), so all of it counts against the target.

| speech | runs | made ahead | posted late | **the most** (target {TARGET:g} s) |
|---|---|---|---|---|
{chr(10).join(rows)}
"""
    return reflow(text)


def with_section(results: str, text: str) -> str:
    return replace_section(results, HEADING, text)


if __name__ == "__main__":
    runs, delay = int(sys.argv[1]), float(sys.argv[2])
    stream = sys.argv[3] if len(sys.argv) > 3 else "whole"
    print(json.dumps(asyncio.run(run(runs, delay, stream))), flush=True)
