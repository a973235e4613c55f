"""`/say` played in a voice channel: from the command answered (its acknowledgement) to the first
sound of the speech in the call, MiMo paced as `bench.paced` says (speech streamed in slices,
or whole). `python -m bench --only say` runs it both ways, alternating, into section 17 of
RESULTS.md.

    python -m bench.say_voice RUNS MIMO_DELAY [slices|whole]     (prints a JSON line)

Each run in one process, as the integration tests run it: the Discord stand-in (its voice
server timing each frame), MiMo's stand-in, and the bot `voicebridge run` builds; Alice sits in
the Lounge and says `/say TEXT in_voice_channel:True` once.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
from typing import Any

from bench.account import raised
from bench.paced import paced
from bench.sections import loads, reflow, replace_section
from bots.discord.voice_channels.speech_playback import installed_voice_client
from tests.scenarios.discord_bot import discord_bot_online, discord_settings
from tests.standins.discord_api import FakeDiscord
from tests.standins.discord_voice import OPUS_SILENCE
from tests.standins.mimo import FakeMimo

HEADING = "## 17. /say in a voice channel: from the command answered to the first sound"
TEXT = "Hello everyone, the meeting starts in five minutes in the small room."
TARGET = 1.0  # seconds from the command answered to the first sound (issue 96)


async def once(delay: float, stream: str) -> float:
    """Seconds from the command's acknowledgement to the first sound in the call."""
    async with FakeDiscord() as api, raised(FakeMimo()) as mimo:
        paced(mimo, answer_after=delay, stream=stream)
        guild = api.add_guild("server")
        alice = api.add_member(guild, "alice")
        await api.join_voice(guild, alice, guild.lounge)
        with tempfile.TemporaryDirectory() as tmp:
            settings = discord_settings(
                discord_api=api, mimo=mimo, database_url=f"sqlite+aiosqlite:///{tmp}/vb.db"
            )
            async with discord_bot_online(settings, api, voice_client=installed_voice_client()):
                said = await api.slash(guild.general, alice, "say", text=TEXT,
                                       in_voice_channel=True)  # fmt: skip
                await said.wait_for_messages(count=3, timeout=60)
        [call] = api.voice.calls
        first = next(frame.at for frame in call.frames if frame.opus != OPUS_SILENCE)
        assert said.answered_at is not None
        return first - said.answered_at


async def run(runs: int, delay: float, stream: str) -> dict[str, Any]:
    firsts = [await once(delay, stream) for _ in range(runs)]
    return {"delay": delay, "stream": stream, "text_chars": len(TEXT), "first_sound": firsts}


def pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The runs of one way of streaming as one."""
    return {**runs[0], "first_sound": [first for run in runs for first in run["first_sound"]]}


def section(found: dict[str, dict[str, Any]], machine: dict[str, str]) -> str:
    """Benchmark 17's section of RESULTS.md, from each way of streaming's pooled runs."""
    rows = []
    for stream, ways in (("slices", "streamed in slices"), ("whole", "streamed whole")):
        if stream in found:
            firsts = found[stream]["first_sound"]
            median = statistics.median(firsts)
            verdict = "met" if median <= TARGET else "over"
            rows.append(f"| {ways} | {len(firsts)} | **{median:.2f} s** ({verdict}) | "
                        f"{min(firsts):.2f} / {max(firsts):.2f} s |")  # fmt: skip
    some = next(iter(found.values()))
    text = f"""{HEADING}

`python -m bench --only say` (bench/say_voice.py): Alice in the Lounge says `/say` with a
sentence of {some["text_chars"]} characters, `in_voice_channel:True`, once a run, each run a
fresh bot; MiMo paced by `bench/paced.py` (recognition and chat after {some["delay"]:g} s,
speech at four times real time, its first slice after 0.3 s, a whole clip when its last slice
would come), speech streamed in slices or whole, the two alternating. From the command answered
(its acknowledgement) to the first sound of the speech at the voice server. {machine["cpu"]},
{machine["cores"]} cores, {loads(machine.get("load_before"), machine.get("load_after"))};
{machine["date"]}.

| speech | runs | **median** (target {TARGET:g} s) | least / most |
|---|---|---|---|
{chr(10).join(rows)}
"""
    return reflow(text)


def with_section(results: str, text: str) -> str:
    return replace_section(results, HEADING, text)


if __name__ == "__main__":
    runs, delay = int(sys.argv[1]), float(sys.argv[2])
    stream = sys.argv[3] if len(sys.argv) > 3 else "whole"
    print(json.dumps(asyncio.run(run(runs, delay, stream))), flush=True)
