"""Benchmark 11: captions. N members speaking over M calls with `/listen`, the whole bot: for
every piece of speech the bot cuts a turn into, the time from the moment it was said to the
moment its words first appear in the voice channel's chat, for turns of 2, 10 and 30 seconds.

    python -m bench.captions MEMBERS CALLS MIMO_DELAY     (prints a JSON line)

In one process, as the integration tests run it: the Discord stand-in (REST, gateway, voice
server with its members' davey sessions), MiMo's stand-in answering every request after
MIMO_DELAY seconds, and the bot `voicebridge run` builds (discord.py, the receive layer, the
core, SQLite), with the product's settings. Every member said yes; a member of each call runs
`/listen`. Then every member, all at once, says a turn of 2 s, then one of 10 s, then one of
30 s, a second and a half apart: tones of their own in stretches of 1.1 to 5 s, a short dip
(0.25 s) between stretches, as people pause inside a sentence, and none inside a stretch.

A piece is what the bot sends MiMo once; MiMo's stand-in answers each with a word of its own.
A piece is "said" from its first sound to its last, as the bot received them (the voice server
is on loopback); its words "appear" with the first request that shows them in the chat (a new
message or an edit), as the Discord stand-in received it. Both on this process's clock. Also
counted: the seconds of audio MiMo's stand-in received against the seconds said, and the
Discord requests each call's chat took. The stand-ins share the bot's process and its two
cores with the rest of the machine.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from typing import Any

from bench import sized
from bench.account import raised
from bench.sections import reflow, replace_section
from bots.discord.voice_channels.speech_playback import installed_voice_client
from core.domain.listening.live_speech_rules import Piece
from core.domain.mimo import default_models
from tests.scenarios.discord_bot import discord_bot_online, discord_settings
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo, Json
from tests.standins.voice_members import CallMember, opus_frames, tone

HEADING = "## 11. Captions: from the moment words are said to the chat"
OLD_HEADING = "## 11. Captions: from the end of an utterance to its caption"
# seconds each member speaks in each of their turns, in this order
TURNS = sized((2.0, 10.0, 30.0), (2.0, 4.0))
BETWEEN = 1.5  # seconds of quiet between a member's turns: each turn ends
STRETCHES = (2.4, 1.1, 3.2, 5.0)  # seconds of sound between two dips, in rotation
DIP = 0.25
MARGIN = 2.5  # issue 58: p95 within MiMo's latency plus this, for every turn length
BILLED_TARGET = 1.3  # audio seconds sent to MiMo, at most this many times those said (issue 86)
FIRST_SOUND_TARGET = 3.0  # seconds from a word's first sound to the chat, p95 (issue 86)
WORD_STEP = 0.1  # seconds of sound between two words timed


def turn_speech(seconds: float, pitch: int) -> bytes:
    """`seconds` of a member's speech: stretches of their tone, a short dip between two."""
    pcm, left = b"", seconds
    for stretch in itertools.cycle(STRETCHES):
        said = min(stretch, left)
        pcm += tone(pitch, said)
        left -= said
        if left <= DIP:
            break
        pcm += bytes(round(DIP * 48_000) * 2)
        left -= DIP
    return pcm


async def run(members: int, calls: int, delay: float, cheaper: bool = False) -> dict[str, Any]:
    words = itertools.count(1)

    def answer(duration: float, body: Json) -> str:
        return f"w{next(words)}"

    pieces: list[dict[str, Any]] = []  # each piece heard: who, its words, when said
    wall = time.time() - time.monotonic()  # the bot's times are wall times; requests monotonic
    async with FakeDiscord() as api, raised(FakeMimo(delay=delay)) as mimo:
        mimo.asr_text = answer
        guilds = [api.add_guild(f"server {n}") for n in range(calls)]
        seated = await seat(api, guilds, members)
        with tempfile.TemporaryDirectory() as tmp:
            settings = discord_settings(
                discord_api=api, mimo=mimo, database_url=f"sqlite+aiosqlite:///{tmp}/vb.db"
            )
            voice = installed_voice_client()
            async with discord_bot_online(settings, api, voice_client=voice) as (bot, _):
                listening = bot.get_cog("ListeningCog").listening  # type: ignore[union-attr]
                heard = listening.pieces.piece

                busy = Counter[str]()

                async def recorded(call: Any, piece: Piece) -> Any:
                    busy["in flight"] += 1
                    try:
                        result = await heard(call, piece)
                    finally:
                        busy["in flight"] -= 1
                    if result is not None:
                        start = piece.started_at.timestamp() - wall
                        pieces.append({"member": piece.member_id, "words": result.words,
                                       "start": start, "end": start + piece.seconds})  # fmt: skip
                    return result

                listening.pieces.piece = recorded
                await listen_in(api, guilds, seated, cheaper=cheaper)
                # Every turn encoded beforehand: making it while others speak would hold the
                # event loop the bot shares (the tones are made sample by sample in Python).
                said = await asyncio.gather(*(
                    asyncio.to_thread(turns_of, 200 + 50 * n) for n in range(len(seated))
                ))  # fmt: skip
                began = time.monotonic()
                speaking = (
                    speak_all(api, m, frames) for m, frames in zip(seated, said, strict=True)
                )
                turns = await asyncio.gather(*speaking)
                spoken = time.monotonic() - began
                await asyncio.sleep(2.0)  # the last turns end (0.6 s of quiet) and go to MiMo
                while busy["in flight"]:
                    await asyncio.sleep(0.1)
                expected = {p["words"]: p for p in pieces}
                shown = await captions_of(api, guilds, expected)
    starts = {str(m.user_id): ts for m, ts in zip(seated, turns, strict=True)}
    by_turn: dict[str, list[dict[str, float]]] = {f"{t:g}": [] for t in TURNS}
    for piece in pieces:
        turn = _turn_of(starts[piece["member"]], piece["start"])
        if piece["words"] in shown:
            by_turn[f"{turn:g}"].append({
                "from_end": shown[piece["words"]] - piece["end"],
                "from_start": shown[piece["words"]] - piece["start"],
                "seconds": piece["end"] - piece["start"],
            })  # fmt: skip
    lounges = {str(g.lounge) for g in guilds}
    chat = [c for c in api.calls if c.params.get("channel_id") in lounges and c.at >= began]
    return {
        "members": members, "calls": calls, "delay": delay, "cheaper": cheaper,
        "by_turn": by_turn, "words": word_latencies(starts, pieces, shown),
        "pieces": len(pieces), "shown": len(shown),
        "said_seconds": members * sum(TURNS), "sent_seconds": mimo.asr_audio_seconds,
        "billed_seconds": mimo.asr_billed_seconds,
        "requests": len(mimo.calls(default_models.ASR)),
        "chat_requests": len(chat), "chat_429": sum(1 for c in chat if c.status == 429),
        "busiest_5s": _busiest(chat), "minutes": spoken / 60,
    }  # fmt: skip


def sounds(seconds: float) -> list[tuple[float, float]]:
    """When a turn of `seconds` (`turn_speech`) sounds: its stretches, from its start."""
    spans, at, left = [], 0.0, seconds
    for stretch in itertools.cycle(STRETCHES):
        said = min(stretch, left)
        spans.append((at, at + said))
        at, left = at + said, left - said
        if left <= DIP:
            break
        at, left = at + DIP, left - DIP
    return spans


def word_latencies(
    starts: dict[str, list[float]], pieces: list[dict[str, Any]], shown: dict[str, float]
) -> dict[str, list[float]]:
    """From a word's first sound to the chat, for words every `WORD_STEP` seconds of each
    turn's sound, by where they are said: in the turn's first second, its last, or between
    (a turn of 2 s has no middle). A word appears with the first piece holding it that the
    chat showed; a word no shown piece holds is counted under "missed"."""
    found: dict[str, list[float]] = {"first": [], "middle": [], "last": [], "missed": []}
    for member, begun in starts.items():
        own = [p for p in pieces if p["member"] == member and p["words"] in shown]
        for start, seconds in zip(begun, TURNS, strict=True):
            for low, high in sounds(seconds):
                at = low
                while at < high:
                    said = start + at
                    holding = [shown[p["words"]] for p in own
                               if p["start"] - 0.05 <= said <= p["end"] + 0.05]  # fmt: skip
                    where = "first" if at < 1.0 else "last" if at >= seconds - 1.0 else "middle"
                    if holding:
                        found[where].append(min(holding) - said)
                    else:
                        found["missed"].append(at)
                    at += WORD_STEP
    return found


def _turn_of(starts: list[float], at: float) -> float:
    """Which of the member's turns a piece said from `at` belongs to (by when each began)."""
    index = max((i for i, start in enumerate(starts) if start <= at + 0.1), default=0)
    return TURNS[index]


def _busiest(chat: list[Any]) -> int:
    """The most requests one channel's chat took within any five seconds."""
    most = 0
    by_channel: dict[str, list[float]] = {}
    for call in chat:
        by_channel.setdefault(call.params["channel_id"], []).append(call.at)
    for times in by_channel.values():
        times.sort()
        for i, at in enumerate(times):
            most = max(most, sum(1 for t in times[i:] if t - at < 5.0))
    return most


async def seat(api: FakeDiscord, guilds: list[Guild], members: int) -> list[CallMember]:
    seated = []
    for n in range(members):
        guild = guilds[n % len(guilds)]
        user_id = api.add_member(guild, f"member {n}")
        seated.append(await api.join_call(guild, user_id, guild.lounge))
    return seated


async def listen_in(
    api: FakeDiscord, guilds: list[Guild], seated: list[CallMember], *, cheaper: bool = False
) -> None:
    """Every member says yes; the first of each call runs /listen (`cheaper`: with
    `cheaper:True`); the bot in each group."""
    for member in seated:
        guild = next(g for g in guilds if g.lounge == member.channel_id)
        asked = await api.slash(guild.general, member.user_id, "listen_me", allowed=True)
        await asked.wait_for_messages()
    for guild in guilds:
        first = next(m for m in seated if m.channel_id == guild.lounge)
        options = {"cheaper": True} if cheaper else {}
        asked = await api.slash(guild.general, first.user_id, "listen", **options)
        await asked.wait_for_messages()
        call = await api.voice.wait_until(
            lambda g=guild: api.voice.live_call(g.id, g.lounge), what="the call"
        )
        await api.voice.wait_until(lambda c=call: c.dave.executed, what="the transition")


def turns_of(pitch: int) -> list[list[bytes]]:
    """A member's turns, as the Opus frames their client sends."""
    return [opus_frames(turn_speech(seconds, pitch)) for seconds in TURNS]


async def speak_all(api: FakeDiscord, member: CallMember, turns: list[list[bytes]]) -> list[float]:
    """The member's turns, one after the other; when each began."""
    starts = []
    for frames in turns:
        starts.append(time.monotonic())
        await api.voice.speak_opus(member, frames)
        await asyncio.sleep(BETWEEN)
    return starts


async def captions_of(
    api: FakeDiscord, guilds: list[Guild], expected: dict[str, Any], timeout: float = 60
) -> dict[str, float]:
    """When each expected word first reached the chat: a message created or edited."""
    lounges = {str(g.lounge) for g in guilds}
    deadline = time.monotonic() + timeout
    found: dict[str, float] = {}
    seen = 0
    while len(found) < len(expected) and time.monotonic() < deadline:
        calls = api.calls[seen:]
        seen += len(calls)
        for call in calls:
            if call.params.get("channel_id") not in lounges or call.status not in (200, 204):
                continue
            body = call.body if isinstance(call.body, dict) else {}
            for word in str(body.get("content") or "").replace("\n", " ").split(" "):
                if word in expected and word not in found:
                    found[word] = call.at
        await asyncio.sleep(0.1)
    return found


# --- the report ------------------------------------------------------------------------------

# The same benchmark on the code issue 86 started from (a494a966, pieces of 2 to 4 s, as
# `cheaper:True` cuts them now), run in alternation with it on 27 November 2026.
BEFORE = """Before issue 86 (a494a966, the same benchmark run in alternation with this one on 27
November 2026, load 1 to 2.5: pieces of 2 to 4 s, as `cheaper:True` cuts them now): from a piece's
first sound p95 4.03 to 4.06 s, 5.83 to 6.30 s and 5.79 to 5.90 s for turns of 2, 10 and 30 s
(three runs); from a word's first sound p95 4.4 s in a turn's first second, 5.2 s in its
middle, 2.9 s in its last; 1.001x sent, 1.081x billed; 20 requests to MiMo a minute of speech;
37 chat requests a minute per call. With MiMo at 1 s (one run): 4.54, 6.37 and 6.36 s. The
pieces under a second put a word on screen within 3 s, for about 3.4 times the requests and
6 % more seconds billed; with MiMo at 1 s the call's slots fill and it cuts the cheaper way
until they free, losing nothing."""

# The configurations measured: (name, MiMo's delay, `/listen cheaper:True`); the first is the
# one the targets are for, run `CAPTIONS_ROUNDS` times and pooled, the others once.
CONFIGS = (("sooner", 0.5, False), ("cheaper", 0.5, True), ("sooner, MiMo at 1 s", 1.0, False))


def pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs as one: their pieces together, each run's p95 kept."""
    first = runs[0]
    added = ("pieces", "shown", "said_seconds", "sent_seconds", "billed_seconds", "requests",
             "chat_requests", "chat_429", "minutes")  # fmt: skip
    return {
        **first,
        **{key: sum(r[key] for r in runs) for key in added},
        "runs": len(runs),
        "busiest_5s": max(r["busiest_5s"] for r in runs),
        "by_turn": {t: [p for r in runs for p in r["by_turn"][t]] for t in first["by_turn"]},
        "words": {w: [x for r in runs for x in r["words"][w]] for w in first["words"]},
        "run_p95": [
            {t: summary(ps, "from_start")["p95"] for t, ps in r["by_turn"].items() if ps}
            for r in runs
        ],
    }


def summary(pieces: list[dict[str, float]], measure: str) -> dict[str, float]:
    return spread([p[measure] for p in pieces])


def spread(values: list[float]) -> dict[str, float]:
    values = sorted(values) or [float("nan")]
    return {
        "p50": statistics.median(values),
        "p95": values[min(len(values) - 1, round(0.95 * (len(values) - 1)))],
        "max": values[-1],
    }


def _costs(found: dict[str, Any]) -> dict[str, float]:
    """Per minute of speech (every member's seconds said together)."""
    minutes = found["said_seconds"] / 60
    return {
        "sent": found["sent_seconds"] / found["said_seconds"],
        "billed": found["billed_seconds"] / found["said_seconds"],
        "requests": found["requests"] / minutes,
        "chat": found["chat_requests"] / found["calls"] / found["minutes"],
    }


def _verdict(value: float, target: float) -> str:
    return "within" if value <= target else "over"


def section(configs: dict[str, dict[str, Any]], machine: dict[str, Any]) -> str:
    name = CONFIGS[0][0]
    found = configs[name]
    rows = []
    for turn, pieces in found["by_turn"].items():
        if not pieces:
            continue
        end, start = summary(pieces, "from_end"), summary(pieces, "from_start")
        length = statistics.median(p["seconds"] for p in pieces)
        rows.append(
            f"| {turn} s | {len(pieces)} | {length:.1f} s | {end['p50']:.2f} s | "
            f"{end['p95']:.2f} s | {start['p50']:.2f} s | **{start['p95']:.2f} s** "
            f"({_verdict(start['p95'], FIRST_SOUND_TARGET)}) |"
        )
    compared = []
    for label, config in configs.items():
        turns = " / ".join(
            f"{summary(ps, 'from_start')['p95']:.2f}" for ps in config["by_turn"].values() if ps
        )
        words = " / ".join(
            f"{spread(config['words'][w])['p95']:.2f}"
            for w in ("first", "middle", "last") if config["words"][w]
        )  # fmt: skip
        cost = _costs(config)
        compared.append(
            f"| {label} | {config['delay']:g} s | {config['runs']} | {turns} s | {words} s | "
            f"{cost['sent']:.3f} / {cost['billed']:.3f} | {cost['requests']:.0f} | "
            f"{cost['chat']:.0f}, at most {config['busiest_5s']} in 5 s | {config['chat_429']} |"
        )
    cost = _costs(found)
    missed = sum(len(c["words"]["missed"]) for c in configs.values())
    table, comparison = "\n".join(rows), "\n".join(compared)
    return reflow(f"""{HEADING}

`python -m bench --only captions` (bench/captions.py): {found["members"]} members over
{found["calls"]} calls, everyone said yes, all speaking at once: each a turn of 2 s, then 10 s,
then 30 s, in stretches of tone of 1.1 to 5 s with a dip of {DIP} s between (the pauses inside
a sentence) and none inside a stretch; the whole bot with `/listen` (discord.py, the receive
layer, the core, SQLite), the Discord stand-in's voice server and MiMo's stand-in answering
after the delay given, in one process. {machine["cpu"]}, {machine["cores"]} cores, load
{machine["load_before"]} before, {found["load_after"]} after (other work on the machine);
{machine["date"]}.

Captions as `/listen` makes them ({name}, MiMo at {found["delay"]} s, {found["runs"]} runs
pooled), each piece the bot sent MiMo timed from its first sound and from its last to the first
request that showed its words in the chat:

| turn | pieces | piece, median | from its last sound, p50 | p95 | from its first sound, p50 \
| **p95** (target {FIRST_SOUND_TARGET:g} s) |
|---|---|---|---|---|---|---|
{table}

Every configuration measured, in alternation on one machine: from a piece's first sound, p95,
for turns of 2, 10 and 30 s; from a word's first sound, p95, for words (every {WORD_STEP} s of
sound) said in a turn's first second, its middle and its last second; the audio MiMo received,
and what its answers billed (each request's sounding length in whole seconds, its
`usage.seconds`), against what was said; MiMo's requests per minute of speech; the chat's
requests per call a minute:

| captions | MiMo | runs | piece's first sound, p95 | word's first sound, p95 (first / middle \
/ last) | audio sent / billed, per second said | MiMo requests a minute | chat requests a \
minute, per call | answered 429 |
|---|---|---|---|---|---|---|---|---|
{comparison}

The targets (issue 86), for `/listen` as it comes: from a word's first sound p95 at most
{FIRST_SOUND_TARGET:g} s, measured here at its strictest (each piece from its first sound: a
word said at the start of a piece waits for all of it); audio at most {BILLED_TARGET}x what was
said: **{cost["sent"]:.3f}x sent, {cost["billed"]:.3f}x billed** \
({_verdict(max(cost["sent"], cost["billed"]), BILLED_TARGET)}). Pieces heard / shown:
{found["pieces"]} / {found["shown"]}; words no shown piece held: {missed} (the slivers of sound
after a cut through speech, which are not sent).

{BEFORE}
""")


def with_section(results: str, text: str) -> str:
    if OLD_HEADING in results:
        results = results.replace(OLD_HEADING, HEADING)
    return replace_section(results, HEADING, text)


if __name__ == "__main__":
    members, calls, delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    cheaper = sys.argv[4:5] == ["cheaper"]
    print(json.dumps(asyncio.run(run(members, calls, delay, cheaper))), flush=True)
