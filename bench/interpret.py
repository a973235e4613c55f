"""Benchmark 13: an interpreter in the call. Four members in one Discord call with
`/listen interpret:True`, two speaking Chinese and two English, the whole bot: for every turn,
the time from its end (its last sound) to the first sound of its interpretation in the call;
how many interpretations were dropped as too late; the CPU per speaking member.

    python -m bench.interpret ROUNDS MIMO_DELAY [slices|whole [text|audio]]   (a JSON line)

With a third argument, MiMo is paced as `bench.paced` says (recognition, translations and
translations from sound after MIMO_DELAY, speech at four times real time, streamed in slices or
whole); without it, every request is answered after MIMO_DELAY, as before issue 96. The fourth
is the interpreter's way (DISCORD_INTERPRET_FROM): `text` (the default: the sentence heard,
its words translated, spoken) or `audio` (translated from its sound in one request, beside its
recognition). `python -m bench --only interpret` runs the four: both ways, slices and whole.

In one process, as the integration tests run it: the Discord stand-in (REST, gateway, voice
server decoding what the bot plays), MiMo's stand-in answering every request (speech
recognition, the chat model's translations, speech) after MIMO_DELAY seconds, and the bot
`voicebridge run` builds, with the product's settings. Every member said yes; one runs
`/listen interpret:True`. Then, ROUNDS times, the members speak one after another, each a turn
of `TURN` seconds, the next starting `BETWEEN` seconds after it (a brisk conversation that
waits for nobody); in the last round all four speak at once, which leaves more to say than a few
seconds can hold: the interpretations past `LATE_AFTER` are dropped. (Last, so that the turns
timed one after another are not those waiting behind that backlog.)

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
from dataclasses import dataclass
from typing import Any

from bench import sized
from bench.account import raised
from bench.paced import paced
from bench.sections import reflow, replace_section
from bots.discord.voice_channels.speech_playback import installed_voice_client
from core.domain.listening.interpreter_rules import LATE_AFTER
from core.domain.listening.live_speech_rules import Piece
from tests.scenarios.discord_bot import discord_bot_online, discord_settings
from tests.scenarios.tones import sounding_pitch_of
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.discord_voice import OPUS_SILENCE, Call
from tests.standins.mimo import FakeMimo, Json
from tests.standins.voice_members import CallMember, opus_frames, tone

HEADING = "## 13. An interpreter in the call: from a turn's end to its interpretation"
SENTENCE = sized(2.5, 1.5)  # seconds each sentence lasts, two to a turn
SENTENCE_PAUSE = 0.4  # seconds of quiet between a turn's two sentences (the turn goes on)
BETWEEN = 1.5  # seconds between one turn's end and the next one's start
TARGET_P95 = 1.5  # seconds from a sentence's end to its interpretation (issue 86), two cores
TARGET_AT_ONCE = 4.0  # ...the most, for turns said all at once (issue 86)
PITCHES = {200: "en", 250: "zh", 300: "en", 400: "zh"}  # the members' tones and languages
_NUMBER = re.compile(r"#(\d+)")


def _cpu() -> float:
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


async def run(
    rounds: int, delay: float, stream: str | None = None, way: str = "text"
) -> dict[str, Any]:
    numbers = iter(range(1, 10_000))
    arrived: dict[int, float] = {}  # each request's body, by id: when it reached MiMo

    def answer(duration: float, body: Json) -> str:
        pitch = min(PITCHES, key=lambda hz: abs(hz - sounding_pitch_of(body)))
        # Each piece heard as its number and words as long as it lasts (three a second), so
        # that an interpretation lasts about as long as what it interprets, however it is cut.
        number, words = next(numbers), max(1, round(duration * 3))
        label = str(number)
        if "asr" not in str(body.get("model")):  # a part translated from its sound: a number
            # for each sentence of its member that ended in it (two where a pause was not heard)
            member = members_by_pitch.get(pitch, "")
            came = arrived.get(id(body), time.monotonic())
            ended = [s for s in sent.get(member, []) if s.end <= came]
            within = [s for s in ended if s.end >= came - duration - 1.0] or ended[-1:]
            numbers_said = [number, *(next(numbers) for _ in within[1:])]
            heard.update(zip(numbers_said, within, strict=False))
            label = " #".join(map(str, numbers_said))
        return (
            f"第 #{label} {'啦' * words}。"
            if PITCHES[pitch] == "zh"
            else f"#{label}{' la' * words}."
        )

    # Each member's sentences as sent: (start, end, said all at once, ends the turn).
    sent: dict[str, list[Sentence]] = {}
    heard: dict[int, Sentence] = {}  # each piece's number: the sentence it is of
    played: list[tuple[float, list[int]]] = []  # each clip: when it began, the numbers it says
    made: dict[int, list[int]] = {}  # id of a note -> the numbers it says
    wall = time.time() - time.monotonic()
    async with FakeDiscord() as api, raised(FakeMimo(delay=delay)) as mimo:
        mimo.asr_text = answer
        if stream is not None:
            paced(mimo, answer_after=delay, stream=stream)
        _stamped(mimo, arrived)
        guild = api.add_guild("server")
        seated = [await api.join_call(guild, api.add_member(guild, f"m{n}"), guild.lounge)
                  for n in range(len(PITCHES))]  # fmt: skip
        members_by_pitch = {hz: str(m.user_id) for hz, m in zip(PITCHES, seated, strict=True)}
        with tempfile.TemporaryDirectory() as tmp:
            settings = discord_settings(
                discord_api=api, mimo=mimo, database_url=f"sqlite+aiosqlite:///{tmp}/vb.db",
                discord_interpret_from=way,
            )  # fmt: skip
            voice = installed_voice_client()
            async with discord_bot_online(settings, api, voice_client=voice) as (bot, _):
                cog: Any = bot.get_cog("ListeningCog")
                listening = cog.listening
                _watch(listening, sent, heard, made, played, wall)
                call = await listen_in(api, guild, seated)
                sentence = await asyncio.gather(*(
                    asyncio.to_thread(opus_frames, tone(hz, SENTENCE)) for hz in PITCHES
                ))  # fmt: skip
                cpu, began = _cpu(), time.monotonic()

                async def turn(member: CallMember, frames: list[bytes], at_once: bool) -> None:
                    said = sent.setdefault(str(member.user_id), [])
                    for last in (False, True):
                        start = time.monotonic()
                        said.append(Sentence(start, start + len(frames) * 0.02, at_once, last))
                        await api.voice.speak_opus(member, frames)
                        if not last:
                            await asyncio.sleep(SENTENCE_PAUSE)

                for round_ in range(rounds):
                    if round_ == rounds - 1:  # at last, everyone at once
                        await asyncio.gather(*(
                            turn(m, f, True) for m, f in zip(seated, sentence, strict=True)
                        ))  # fmt: skip
                        await asyncio.sleep(BETWEEN)
                        continue
                    for member, frames in zip(seated, sentence, strict=True):
                        await turn(member, frames, False)
                        await asyncio.sleep(BETWEEN)
                spoken = time.monotonic() - began
                used = _cpu() - cpu
                sentences = {s for s in heard.values()}
                await _settled(sentences, heard, played, api, guild, timeout=LATE_AFTER + 25)
                dropped = len({heard[n] for n in _dropped(api, guild) if n in heard})
                first_sounds = _first_sounds(call)
    latencies: dict[str, list[float]] = {"first": [], "last": [], "at_once": []}
    before_turn_end = 0
    for said in sorted({s for s in heard.values()}, key=lambda s: s.end):
        own = {n for n, s in heard.items() if s == said}
        start = next((at for at, says in played if own & set(says)), None)
        sound = None if start is None else next((t for t in first_sounds if t >= start), None)
        if sound is None:
            continue
        kind = "at_once" if said.at_once else "last" if said.last else "first"
        latencies[kind].append(sound - said.end)
        if kind == "first" and sound < said.end + SENTENCE_PAUSE + SENTENCE:
            before_turn_end += 1
    by_model = {model: len(_of_model(mimo, model)) for model in _models(mimo)}
    return {
        "rounds": rounds, "delay": delay, "stream": stream, "way": way,
        "sentences": len({s for s in heard.values()}),
        "interpreted": sum(len(v) for v in latencies.values()), "latencies": latencies,
        "before_turn_end": before_turn_end, "dropped": dropped, "cpu_seconds": used,
        "seconds": spoken, "members": len(PITCHES), "requests": by_model,
        "said_seconds": sum(s.end - s.start for ss in sent.values() for s in ss),
        "sent_seconds": mimo.asr_audio_seconds, "billed_seconds": mimo.asr_billed_seconds,
    }  # fmt: skip


@dataclass(frozen=True)
class Sentence:
    start: float
    end: float
    at_once: bool  # said while every member spoke
    last: bool  # the turn's last: its end is the turn's


def _models(mimo: FakeMimo) -> list[str]:
    """The models asked, the audio model's requests with sound named apart ("v2.5 audio")."""
    return sorted({_model(body) for body in mimo.requests})


def _of_model(mimo: FakeMimo, model: str) -> list[Json]:
    return [body for body in mimo.requests if _model(body) == model]


def _model(body: Json) -> str:
    model = str(body.get("model"))
    if "asr" in model or "tts" in model:
        return model
    users = [m.get("content") for m in body.get("messages", []) if m.get("role") == "user"]
    sound = any(isinstance(c, list) and any(p.get("type") == "input_audio" for p in c)
                for c in users)  # fmt: skip
    return f"{model} audio" if sound else model


def _stamped(mimo: FakeMimo, arrived: dict[int, float]) -> None:
    """Each request's arrival noted in `arrived` (by its body's id), before the pace's wait."""
    paced_before = mimo.before_answer

    async def before_answer(body: Json) -> None:
        arrived[id(body)] = time.monotonic()
        if paced_before is not None:
            await paced_before(body)

    mimo.before_answer = before_answer


def _watch(
    listening: Any, sent: dict[str, list[Sentence]], heard: dict[int, Sentence],
    made: dict[int, list[int]], played: list[tuple[float, list[int]]], wall: float,
) -> None:  # fmt: skip
    """Each piece's sentence as the core hears it, each note's numbers, and when each began to
    play."""
    transcribe, joined = listening.pieces.piece, listening.joined
    speech = listening.interpreting.speech

    async def recorded(call: Any, piece: Piece) -> Any:
        result = await transcribe(call, piece)
        if result is not None and (found := _NUMBER.search(result.words)):
            ended = piece.ended.timestamp() - wall
            # The sentence this piece is of: the latest begun before the piece's end.
            said = [s for s in sent.get(piece.member_id, []) if s.start <= ended - 0.3]
            if said:
                heard[int(found.group(1))] = said[-1]
        return result

    in_voice = speech.streamed_in_voice

    async def voiced(chat: Any, text: str, **rest: Any) -> Any:
        note = await in_voice(chat, text, **rest)
        made[id(note)] = [int(n) for n in _NUMBER.findall(text)]
        return note

    def joined_with_plays(server: Any, seat: Any = None) -> None:
        if seat is not None:
            play = seat.play

            async def timed(note: Any, **rest: Any) -> bool:
                if (says := made.get(id(note))) is not None:
                    played.append((time.monotonic(), says))
                return bool(await play(note, **rest))

            seat.play = timed
        joined(server, seat)

    listening.pieces.piece, speech.streamed_in_voice, listening.joined = (
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
    sentences: set[Sentence], heard: dict[int, Sentence],
    played: list[tuple[float, list[int]]], api: FakeDiscord, guild: Guild, *, timeout: float,
) -> None:  # fmt: skip
    """Until every sentence heard was played or dropped (or `timeout` passed)."""
    deadline = time.monotonic() + timeout

    def done() -> bool:
        said = [n for _, says in played for n in says] + _dropped(api, guild)
        return {heard[n] for n in said if n in heard} >= sentences

    while time.monotonic() < deadline and not done():
        await asyncio.sleep(0.2)
    await asyncio.sleep(4.0)  # the last clip plays to its end


def _dropped(api: FakeDiscord, guild: Guild) -> list[int]:
    """The numbers the chat says were not interpreted."""
    return [
        int(n) for m in api.messages_in(guild.lounge)
        if m.interaction_id is None and m.content.startswith("-# Not interpreted")
        for n in _NUMBER.findall(m.content)
    ]  # fmt: skip


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

BEFORE = """Before issue 86 (a494a966, the same benchmark, one run in alternation with this one
on 27 November 2026, MiMo at 0.5 s, load under 1): a turn was interpreted once it ended, so its
first sentence p50 4.97 s, p95 5.00 s, its last p50 1.95 s, p95 1.97 s (p95 both 5.00 s); all at
once p50 5.62 s, the most 9.03 s, 4 of the 8 sentences said all at once dropped as late. Now
each sentence is spoken as it ends, the first while the speaker goes on: its last piece is sent
0.2 s after the speaker stops, translated whole as soon as it is heard (beside its caption's
translation), and a call where nobody spoke since waits for its interpreter. The target of 1.5 s
is below the floor: the pause heard (0.2 s), then three requests to MiMo one after the other
(the last piece heard, the sentence translated, its speech made: 1.5 s at 0.5 s each), then the
clip made and played (about 0.1 s), some 1.8 s before anything else runs; meeting it takes a
request fewer (a model that translates speech as it hears it) or a quicker MiMo: issue 96 played
speech from MiMo's first slice and added the translation from sound, measured above on the paced
MiMo (the runs before it answered every request whole after a flat delay). All at once, the
interpretations are spoken one after the other, never over each other: the last of eight waits
for the seven before it, some 14 s of speech."""

WAYS = """Since issue 96 this section's MiMo is paced (`bench/paced.py`: recognition,
translations and translations from sound answered after 0.5 s, speech made at four times real
time, its first slice after 0.3 s, a whole clip when its last slice would come), and the
interpreter is measured both ways (DISCORD_INTERPRET_FROM), each with speech streamed in slices
and whole. `text` (the default): the sentence's last piece heard (0.5 s), its words translated
(0.5 s), its speech made: with the pause heard (0.2 s), the first slice (0.3 s) and ffmpeg and
the first frame (about 0.1 s), a floor of about 1.6 s. `audio`: the part's sound goes to the
audio understanding model as soon as its last piece is cut, beside that piece's recognition, so
the translation is back when the words are (0.5 s), and the floor is about 1.1 s. The
stand-in's translation from sound is a rule (what its recognition hears, marked with the
language it goes into): it measures the time, not what a translation is worth; only `text` has
been compared on the real MiMo, which is why it stays the default."""

# The ways measured, in the order their runs alternate: (DISCORD_INTERPRET_FROM, speech
# streamed), each `INTERPRET_RUNS` times and pooled, MiMo paced at `DELAY`; the quick form runs
# two, one of each way and each stream.
WAYS_MEASURED = sized(
    (("text", "slices"), ("audio", "slices"), ("text", "whole"), ("audio", "whole")),
    (("text", "slices"), ("audio", "whole")),
)
DELAY = 0.5


def key_of(way: str, stream: str) -> str:
    return f"{way}, {stream}"


def pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    first = runs[0]
    added = ("sentences", "interpreted", "dropped", "cpu_seconds", "seconds", "before_turn_end",
             "said_seconds", "sent_seconds", "billed_seconds")  # fmt: skip
    return {
        **first, **{key: sum(r[key] for r in runs) for key in added}, "runs": len(runs),
        "latencies": {k: [x for r in runs for x in r["latencies"][k]] for k in first["latencies"]},
        "requests": {m: sum(r["requests"].get(m, 0) for r in runs)
                     for m in {m for r in runs for m in r["requests"]}},
        "run_p95": [_p95(r["latencies"]["first"] + r["latencies"]["last"]) for r in runs],
    }  # fmt: skip


def _p95(values: list[float]) -> float:
    ordered = sorted(values) or [float("nan")]
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _row(found: dict[str, Any]) -> str:
    lat = found["latencies"]
    in_turn = lat["first"] + lat["last"]
    minutes = found["said_seconds"] / 60
    requests = sorted(found["requests"].items())
    per_minute = ", ".join(f"{_short(model)} {count / minutes:.0f}" for model, count in requests)
    runs_p95 = ", ".join(f"{p:.2f}" for p in found["run_p95"])
    return (
        f"| {found.get('way', 'text')} | {found['stream']} | {found['runs']} | "
        f"{_median(lat['first']):.2f} / {_p95(lat['first']):.2f} s | "
        f"{_median(lat['last']):.2f} / {_p95(lat['last']):.2f} s | "
        f"**{_p95(in_turn):.2f} s** ({runs_p95}) | {_median(lat['at_once']):.2f} / "
        f"{max(lat['at_once'], default=float('nan')):.2f} s | {found['dropped']} of "
        f"{found['sentences']} | {found['before_turn_end']} of {len(lat['first'])} | "
        f"{found['cpu_seconds'] / found['seconds'] / found['members'] * 100:.1f} % | "
        f"{per_minute} |"
    )


def _short(model: str) -> str:
    return model.removeprefix("mimo-")


def section(by_way: dict[str, dict[str, Any]], machine: dict[str, Any]) -> str:
    found = next(iter(by_way.values()))
    both = {
        key: _p95(f["latencies"]["first"] + f["latencies"]["last"]) for key, f in by_way.items()
    }
    verdicts = "; ".join(
        f"{key} {p95:.2f} s ({'within' if p95 <= TARGET_P95 else 'over'})"
        for key, p95 in both.items()
    )
    rows = "\n".join(_row(f) for f in by_way.values())
    return reflow(f"""{HEADING}

`python -m bench --only interpret` (bench/interpret.py): 4 members in one call with
`/listen interpret:True`, two speaking Chinese and two English, everyone said yes;
{found["rounds"]} rounds a run, each member, one after another, saying a turn of two sentences
of {SENTENCE} s with {SENTENCE_PAUSE} s of quiet between (the turn goes on), the next turn starting
{BETWEEN} s after, the last round all four at once; MiMo's stand-in hears each piece as a short
sentence of its own ("#12 la la la.", its words as many as its seconds
times three); the whole bot (discord.py, the receive layer, the core,
SQLite, ffmpeg playing each clip), the Discord stand-in's voice server and MiMo's stand-in
paced (MiMo answering after {found["delay"]:g} s), in one process; the ways' runs alternating.
{machine["cpu"]}, {machine["cores"]} cores, load {machine["load_before"]} before,
{found["load_after"]} after (other work on the machine); {machine["date"]}.

From a sentence's end (its last sound) to its interpretation's first sound in the call, p50 /
p95: a turn's first sentence (the speaker goes on), its last (the turn's end), both together
(the target's measure, each run's in brackets), and the turns said all at once, p50 / max;
sentences dropped as too late, of those heard; first sentences whose interpretation began
before their turn ended; CPU per speaking member (the stand-ins' share included); MiMo's
requests per minute of speech, by model ("v2.5 audio": translations from sound):

| way | speech | runs | first sentence | last sentence | **p95, both** (target {TARGET_P95:g} s) \
| all at once (target max {TARGET_AT_ONCE:g} s) | dropped | begun in the turn | CPU \
| requests a minute |
|---|---|---|---|---|---|---|---|---|---|---|
{rows}

p95, both: {verdicts}.

{WAYS}

{BEFORE}
""")


def with_section(results: str, text: str) -> str:
    return replace_section(results, HEADING, text)


if __name__ == "__main__":
    rounds, delay = int(sys.argv[1]), float(sys.argv[2])
    stream = sys.argv[3] if len(sys.argv) > 3 else None
    way = sys.argv[4] if len(sys.argv) > 4 else "text"
    print(json.dumps(asyncio.run(run(rounds, delay, stream, way))), flush=True)
