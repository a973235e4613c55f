"""Benchmark 13: an interpreter in the call. Four members in one Discord call with
`/listen interpret:True`, two speaking Chinese and two English, the whole bot: for every turn,
the time from its end (its last sound) to the first sound of its interpretation in the call;
how many interpretations were dropped as too late; the CPU per speaking member.

    python -m bench.interpret ROUNDS MIMO_DELAY     (prints a JSON line)

In one process, as the integration tests run it: the Discord stand-in (REST, gateway, voice
server decoding what the bot plays), MiMo's stand-in answering every request (speech
recognition, the chat model's translations, speech) after MIMO_DELAY seconds, and the bot
`voicebridge run` builds, with the product's settings. Every member said yes; one runs
`/listen interpret:True`. Then, ROUNDS times, the members speak in turn, each a turn of
`TURN` seconds, the next starting `BETWEEN` seconds after it (a brisk conversation that waits
for nobody); in the last round all four speak at once, which leaves more to say than a few
seconds can hold: the interpretations past `LATE_AFTER` are dropped. (Last, so that the turns
timed "in turn" are not those waiting behind that backlog.)

A turn "ends" with its last frame as the member's client sent it; its interpretation "starts"
with the first frame of its clip at the voice server, both on this process's clock. Each turn's
words carry a number (`#12`), so its clip is told by what was spoken. CPU: this process's and
its children's (ffmpeg) while the members speak, over that time, per speaking member; it holds
the stand-ins' share too (the voice server's Opus encoding and decoding, MiMo's tones), so it is
an upper bound of the bot's.
"""

from __future__ import annotations

import asyncio
import json
import re
import resource
import statistics
import sys
import tempfile
import time
from typing import Any

from bench import sized
from bench.sections import reflow, replace_section
from bots.discord.call.playback import installed_voice_client
from core.domain.interpreting import LATE_AFTER
from core.domain.values import VoiceNote
from tests.scenarios.discord_bot import discord_bot_online, discord_settings
from tests.scenarios.tones import pitch_of
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.discord_voice import OPUS_SILENCE, Call
from tests.standins.mimo import FakeMimo, Json
from tests.standins.voice_members import CallMember, opus_frames, tone

HEADING = "## 13. An interpreter in the call: from a turn's end to its interpretation"
TURN = sized(2.5, 1.5)  # seconds each turn lasts
BETWEEN = 1.5  # seconds between one turn's end and the next one's start
TARGET_P95 = 3.5  # seconds (issue 64), on two cores
PITCHES = {200: "en", 250: "zh", 300: "en", 400: "zh"}  # the members' tones and languages
_NUMBER = re.compile(r"#(\d+)")


def _cpu() -> float:
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


async def run(rounds: int, delay: float) -> dict[str, Any]:
    numbers = iter(range(1, 10_000))

    def answer(duration: float, body: Json) -> str:
        language = PITCHES[min(PITCHES, key=lambda hz: abs(hz - pitch_of(body)))]
        number = next(numbers)
        if language == "zh":
            return f"这是第 #{number} 句话，我们继续讨论这个计划。"
        return f"This is sentence #{number}, let us go on with the plan."

    ends: dict[int, float] = {}  # each turn's number: when its last sound was sent
    # Each member's turns: (start, end) as sent, and whether everyone spoke at once.
    sent: dict[str, list[tuple[float, float, bool]]] = {}
    together: set[int] = set()  # the turns (numbers) said while everyone spoke
    starts: dict[int, float] = {}  # ...and when its interpretation began to play
    made: dict[int, int] = {}  # id of a note -> the turn it interprets
    wall = time.time() - time.monotonic()
    async with FakeDiscord() as api, FakeMimo(delay=delay) as mimo:
        mimo.asr_text = answer
        guild = api.add_guild("server")
        seated = [await api.join_call(guild, api.add_member(guild, f"m{n}"), guild.lounge)
                  for n in range(len(PITCHES))]  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            settings = discord_settings(
                discord_api=api, mimo=mimo, database_url=f"sqlite+aiosqlite:///{tmp}/vb.db"
            )
            voice = installed_voice_client()
            async with discord_bot_online(settings, api, voice_client=voice) as (bot, _):
                cog: Any = bot.get_cog("ListeningCog")
                listening = cog.listening
                _watch(listening, ends, sent, made, starts, wall, together)
                call = await listen_in(api, guild, seated)
                said = await asyncio.gather(*(
                    asyncio.to_thread(opus_frames, tone(hz, TURN)) for hz in PITCHES
                ))  # fmt: skip
                cpu, began = _cpu(), time.monotonic()

                async def turn(member: CallMember, frames: list[bytes], at_once: bool) -> None:
                    start = time.monotonic()
                    sent.setdefault(str(member.user_id), []).append(
                        (start, start + len(frames) * 0.02, at_once)
                    )
                    await api.voice.speak_opus(member, frames)

                for round_ in range(rounds):
                    if round_ == rounds - 1:  # at last, everyone at once
                        await asyncio.gather(*(
                            turn(m, f, True) for m, f in zip(seated, said, strict=True)
                        ))  # fmt: skip
                        await asyncio.sleep(BETWEEN)
                        continue
                    for member, frames in zip(seated, said, strict=True):
                        await turn(member, frames, False)
                        await asyncio.sleep(BETWEEN)
                spoken = time.monotonic() - began
                used = _cpu() - cpu
                await _settled(ends, starts, api, guild, timeout=LATE_AFTER + 15)
                dropped = _dropped(api, guild)
                first_sounds = _first_sounds(call)
    latencies, queued = [], []
    for number, played_at in starts.items():
        sound = next((at for at in first_sounds if at >= played_at), None)
        if sound is not None and number in ends:
            (queued if number in together else latencies).append(sound - ends[number])
    return {
        "rounds": rounds, "delay": delay, "turns": len(ends),
        "interpreted": len(latencies) + len(queued), "queued": queued,
        "dropped": dropped, "latencies": latencies, "cpu_seconds": used, "seconds": spoken,
        "members": len(PITCHES), "asr": len(mimo.calls("mimo-v2.5-asr")),
    }  # fmt: skip


def _watch(
    listening: Any, ends: dict[int, float], sent: dict[str, list[tuple[float, float, bool]]],
    made: dict[int, int], starts: dict[int, float], wall: float, together: set[int],
) -> None:  # fmt: skip
    """Each turn's end as the core hears it, each note's turn, and when each began to play."""
    heard, joined = listening.transcribe_piece, listening.joined
    speech = listening.interpreting.speech

    async def recorded(server: Any, member: str, **piece: Any) -> Any:
        result = await heard(server, member, **piece)
        if result is not None and (found := _NUMBER.search(result.said)):
            began = piece["started_at"].timestamp() - wall
            turns = [(end, at_once) for start, end, at_once in sent.get(member, [])
                     if start <= began + 0.5]  # fmt: skip
            if turns:  # the member's turn this piece is of: the latest begun before it
                number = int(found.group(1))
                ends[number] = turns[-1][0]
                if turns[-1][1]:
                    together.add(number)
        return result

    in_voice = speech.in_voice

    async def voiced(chat: Any, text: str, **rest: Any) -> VoiceNote:
        note = await in_voice(chat, text, **rest)
        if found := _NUMBER.search(text):
            made[id(note)] = int(found.group(1))
        return note

    def joined_with_plays(server: Any, held: Any = None) -> None:
        if held is not None:
            play = held.play

            async def timed(note: VoiceNote, **rest: Any) -> bool:
                if (number := made.get(id(note))) is not None:
                    starts[number] = time.monotonic()
                return bool(await play(note, **rest))

            held.play = timed
        joined(server, held)

    listening.transcribe_piece, speech.in_voice, listening.joined = (
        recorded,
        voiced,
        joined_with_plays,
    )


async def listen_in(api: FakeDiscord, guild: Guild, seated: list[CallMember]) -> Call:
    for member in seated:
        asked = await api.slash(guild.general, member.user_id, "listen_me", allowed=True)
        await asked.wait_for_messages()
    asked = await api.slash(guild.general, seated[0].user_id, "listen", interpret=True)
    await asked.wait_for_messages()
    call = await api.voice.wait_until(lambda: api.voice.live_call(guild.id, guild.lounge), what="")
    await api.voice.wait_until(lambda: call.dave.executed, what="the transition")
    return call  # type: ignore[no-any-return]


async def _settled(
    ends: dict[int, float], starts: dict[int, float], api: FakeDiscord, guild: Guild,
    *, timeout: float,
) -> None:  # fmt: skip
    """Until every turn heard was played or dropped (or `timeout` passed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(starts) + _dropped(api, guild) < len(ends):
        await asyncio.sleep(0.2)
    await asyncio.sleep(4.0)  # the last clip plays to its end


def _dropped(api: FakeDiscord, guild: Guild) -> int:
    return sum(
        1 for m in api.messages_in(guild.lounge)
        if m.interaction_id is None and m.content.startswith("-# Not interpreted")
    )  # fmt: skip


def _first_sounds(call: Call) -> list[float]:
    """When each clip the bot played began: its first frame of sound after silence."""
    sounds, quiet = [], True
    for frame in call.frames:
        if frame.opus == OPUS_SILENCE:
            quiet = True
        elif quiet:
            sounds.append(frame.at)
            quiet = False
    return sounds


# --- the report ------------------------------------------------------------------------------


def pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    first = runs[0]
    added = ("turns", "interpreted", "dropped", "cpu_seconds", "seconds", "asr")
    return {
        **first, **{key: sum(r[key] for r in runs) for key in added}, "runs": len(runs),
        "latencies": [x for r in runs for x in r["latencies"]],
        "queued": [x for r in runs for x in r["queued"]],
        "run_p95": [_p95(r["latencies"]) for r in runs if r["latencies"]],
    }  # fmt: skip


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def section(found: dict[str, Any], machine: dict[str, Any]) -> str:
    latencies, queued = found["latencies"], found["queued"] or [0.0]
    p50, p95 = statistics.median(latencies), _p95(latencies)
    queued_p50, queued_max = statistics.median(queued), max(queued)
    verdict = "within" if p95 <= TARGET_P95 else "over"
    per_member = found["cpu_seconds"] / found["seconds"] / found["members"] * 100
    runs_p95 = ", ".join(f"{p:.2f} s" for p in found["run_p95"])
    return reflow(f"""{HEADING}

`python -m bench --only interpret` (bench/interpret.py), {found["runs"]} runs pooled: 4 members
in one call with `/listen interpret:True`, two speaking Chinese and two English, everyone said
yes; {found["rounds"]} rounds a run, each member in turn saying {TURN} s, the next starting
{BETWEEN} s after, the last round all four at once; the whole bot (discord.py, the receive
layer, the core, SQLite, ffmpeg playing each clip), the Discord stand-in's voice server and
MiMo's stand-in answering every request after {found["delay"]} s, in one process.
{machine["cpu"]}, {machine["cores"]} cores, load {machine["load_before"]} before,
{found["load_after"]} after (other work on the machine); {machine["date"]}.

| | measured |
|---|---|
| turns heard / interpreted in the call | {found["turns"]} / {found["interpreted"]} |
| turns in turn: from a turn's end to its interpretation's first sound, p50 | {p50:.2f} s |
| **p95** (target at most {TARGET_P95} s) | **{p95:.2f} s** ({verdict}); each run: {runs_p95} |
| turns said all at once and spoken: the same, p50 / max | {queued_p50:.2f} s / \
{queued_max:.2f} s |
| dropped as too late (over {LATE_AFTER:g} s after the turn ended) | {found["dropped"]} |
| CPU per speaking member (the stand-ins' share included) | {per_member:.1f} % of a core |

The floor is the last piece cut (0.2 s into the pause; the turn's end is heard 0.6 s after its
last packet, meanwhile), MiMo's {found["delay"]} s three times over (the last piece's
transcription, its translation, the speech), and ffmpeg twice (the speech made a voice note,
then played from it). When all four speak at once, four
interpretations of about 3 s each queue one after the other: the last ones would start more than
{LATE_AFTER:g} s after their turns ended, and are dropped, said in the chat.
""")


def with_section(results: str, text: str) -> str:
    return replace_section(results, HEADING, text)


if __name__ == "__main__":
    rounds, delay = int(sys.argv[1]), float(sys.argv[2])
    print(json.dumps(asyncio.run(run(rounds, delay))), flush=True)
