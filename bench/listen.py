"""Benchmark 9: listening to voice calls. N members speaking at once over M calls, against the
voice server stand-in (tests/standins/discord_voice.py) served by this process, and the bot's
receive layer (bots/discord/voice_channels/receive: transport decryption, DAVE decryption, Opus
decoding, utterances cut) in a process of its own (bench/listen_bot.py), whose CPU and memory are
read by itself: every thread of it, the socket readers that do most of the work included.

    python -m bench.listen MEMBERS CALLS SECONDS     (prints a JSON line)

Each call's members are in the voice channel before the bot joins (their MLS group welcomes
it). Every member says tones of their own (2.5 s, then 0.7 s of pause: each an utterance), the
frames Opus-encoded once beforehand, DAVE- and transport-encrypted per packet as they are sent.
Measured: the bot's CPU while it sits in the calls with everyone quiet, then while everyone
speaks for SECONDS; per second of a member's speech handed over, the CPU above the quiet
baseline (the share of a core one member speaking without pause costs). Memory: the bot's RSS
before joining and after joining the M calls (receivers started), and after the speech.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import sized
from bench.sections import reflow, replace_section
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.discord_voice import _authority
from tests.standins.voice_members import CallMember, opus_frames, tone

HEADING = "## 9. Listening: N members speaking at once over M calls"
QUIET_SECONDS = sized(10.0, 2.0)
SAYING, PAUSE = 2.5, 0.7  # each utterance, and the pause after it
TARGET = 3.0  # % of a core per speaking member (issue 48)


async def run(members: int, calls: int, seconds: float) -> dict[str, Any]:
    async with FakeDiscord() as api:
        guilds = [api.add_guild(f"server {n}") for n in range(calls)]
        seated = await seat(api, guilds, members)
        frames = {m.user_id: opus_frames(tone(220 + 40 * n, SAYING)) for n, m in enumerate(seated)}
        with tempfile.TemporaryDirectory() as tmp:
            ca = Path(tmp) / "ca.pem"
            _authority().cert_pem.write_to_path(str(ca))
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.listen_bot", api.api_url, api.gateway_url, api.token,
                str(ca),
                *[str(g.lounge) for g in guilds],
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            try:
                return await measure(api, bot, guilds, seated, frames, seconds)
            finally:
                if bot.returncode is None:
                    bot.kill()
                await bot.wait()


async def seat(api: FakeDiscord, guilds: list[Guild], members: int) -> list[CallMember]:
    """`members` members spread over the guilds' voice channels, there before the bot."""
    seated = []
    for n in range(members):
        guild = guilds[n % len(guilds)]
        user_id = api.add_member(guild, f"member {n}")
        seated.append(await api.join_call(guild, user_id, guild.lounge))
    return seated


async def measure(
    api: FakeDiscord,
    bot: asyncio.subprocess.Process,
    guilds: list[Guild],
    seated: list[CallMember],
    frames: dict[int, list[bytes]],
    seconds: float,
) -> dict[str, Any]:
    ready = await ask(bot, None)
    joined = await ask(bot, "join")
    for guild in guilds:
        call = await api.voice.wait_until(
            lambda g=guild: api.voice.live_call(g.id, g.lounge), what="the call"
        )
        await api.voice.wait_until(lambda c=call: c.dave.executed, what="the transition")
    quiet_from = await ask(bot, "mark")
    await asyncio.sleep(QUIET_SECONDS)  # everyone quiet: the bot's baseline in the calls
    quiet_to = await ask(bot, "mark")
    talked = await asyncio.gather(*(talk(api, m, frames[m.user_id], seconds) for m in seated))
    spoken_to = await ask(bot, "mark")
    expected = sum(talked)
    for _ in range(50):  # the last turns end a silence gap after the last packets
        after = await ask(bot, "mark")
        if after["utterances"] >= expected:
            break
        await asyncio.sleep(0.1)
    stopped = await ask(bot, "stop")
    return {
        "members": len(seated), "calls": len(guilds), "seconds": seconds,
        "ready": ready, "joined": joined, "quiet_from": quiet_from, "quiet_to": quiet_to,
        "spoken_to": spoken_to, "after": after, "stopped": stopped, "expected": expected,
        "packets_sent": sum(m.packets for m in seated),
    }  # fmt: skip


async def talk(api: FakeDiscord, member: CallMember, frames: list[bytes], seconds: float) -> int:
    """Utterances, each followed by a pause, for `seconds`; how many."""
    loop = asyncio.get_running_loop()
    until, said = loop.time() + seconds, 0
    while loop.time() + SAYING <= until:
        await api.voice.speak_opus(member, frames)
        said += 1
        await asyncio.sleep(PAUSE)
    return said


async def ask(bot: asyncio.subprocess.Process, line: str | None) -> dict[str, Any]:
    assert bot.stdin is not None and bot.stdout is not None
    if line is not None:
        bot.stdin.write(f"{line}\n".encode())
        await bot.stdin.drain()
    answer = await asyncio.wait_for(bot.stdout.readline(), 120)
    if not answer:
        raise RuntimeError("the listening bot ended")
    found: dict[str, Any] = json.loads(answer)
    return found


# --- the report ------------------------------------------------------------------------------


def summary(found: dict[str, Any]) -> dict[str, float]:
    quiet_cpu = found["quiet_to"]["cpu"] - found["quiet_from"]["cpu"]
    quiet_wall = found["quiet_to"]["at"] - found["quiet_from"]["at"]
    busy_cpu = found["after"]["cpu"] - found["quiet_to"]["cpu"]
    busy_wall = found["after"]["at"] - found["quiet_to"]["at"]
    speech = found["after"]["speech_seconds"]
    above_quiet = busy_cpu - quiet_cpu / quiet_wall * busy_wall
    calls, mb = found["calls"], 1024 * 1024
    return {
        "quiet_percent": 100 * quiet_cpu / quiet_wall,
        "busy_percent": 100 * busy_cpu / busy_wall,
        "per_member_percent": 100 * above_quiet / speech,
        "per_member_raw_percent": 100 * busy_cpu / speech,
        "speech_seconds": speech,
        "rss_before_mb": found["ready"]["rss"] / mb,
        "per_call_mb": (found["joined"]["rss"] - found["ready"]["rss"]) / calls / mb,
        "after_speech_mb": found["stopped"]["rss"] / mb,
        "growth_per_call_mb": (found["after"]["rss"] - found["joined"]["rss"]) / calls / mb,
    }


def section(found: dict[str, Any], machine: dict[str, Any]) -> str:
    s, after = summary(found), found["after"]
    verdict = "within" if s["per_member_percent"] <= TARGET else "over"
    return reflow(f"""{HEADING}

`python -m bench --only listen` (bench/listen.py): {found["members"]} members speaking at once
over {found["calls"]} calls for {found["seconds"]:.0f} s, against the voice server stand-in,
the bot's receive layer in a process of its own (bench/listen_bot.py: discord.py, a
`ListeningVoiceClient` and a `VoiceReceiver` per call). Each member says tones of their own,
{SAYING} s each with {PAUSE} s of pause between, every packet with a header extension, one in
three with RTP padding, DAVE-encrypted by the member's own davey session and transport-encrypted
(AES-256-GCM, the mode the bot chose). {machine["cpu"]}, {machine["cores"]} cores, load
{machine["load_before"]} before, {found["load_after"]} after; {machine["date"]}.

| | measured |
|---|---|
| turns handed over / said | {after["utterances"]} / {found["expected"]}, in \
{after.get("pieces", after["utterances"])} pieces |
| speech handed over | {s["speech_seconds"]:.0f} s |
| packets sent / read / decoded | {found["packets_sent"]} / {after["packets"]} / \
{after["decoded"]} |
| frames lost: DAVE, late, unclaimed, queue | {after["undecrypted"]}, {after["late"]}, \
{after["unclaimed"]}, {after["overflowed"]} |
| the bot's CPU, everyone quiet | {s["quiet_percent"]:.1f} % of a core |
| the bot's CPU, everyone speaking | {s["busy_percent"]:.1f} % of a core |
| **CPU per speaking member** (above the quiet baseline) | \
**{s["per_member_percent"]:.2f} % of a core** (target: at most {TARGET:.0f} %, {verdict}) |
| CPU per speaking member, baseline included | {s["per_member_raw_percent"]:.2f} % of a core |
| the bot's RSS before joining | {s["rss_before_mb"]:.0f} MB |
| memory per call (joined, receiver started) | {s["per_call_mb"]:.1f} MB |
| growth per call while everyone spoke | {s["growth_per_call_mb"]:.1f} MB |

CPU per speaking member is the bot's CPU time above its quiet baseline divided by the seconds of
speech handed over: what one member speaking without pause costs, in the socket reader threads
(transport and DAVE decryption, libopus decoding) and the event loop (each frame's level
measured, turns cut into pieces, each piece resampled to 16 kHz once it is cut). Memory per call
is mostly PyAV's decoder per member and the piece each member is in (held at 48 kHz until it is
cut: 96 kB a second, at most 4 s). The time from the moment speech is said to its words in the
chat, with the whole bot, is benchmark 11.

Two choices come from this benchmark. The first version resampled every 20 ms frame to 16 kHz
as it was decoded and woke the event loop for every packet: with 4 members over 2 calls on this
machine under a load of about 15, it cost 3.1 % of a core per speaking member; resampling each
utterance once, and taking the frames in every 50 ms (`ReceiveSettings.tick`), 1.6 % in the
same conditions. Decoding and decrypting a packet costs 60 to 110 µs in a tight loop here, about
twice that as packets arrive one by one to a busy machine's cold caches; handling them in
batches would save about a quarter more, not needed for the target.
""")


def with_section(results: str, text: str) -> str:
    return replace_section(results, HEADING, text)


if __name__ == "__main__":
    members, calls, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    print(json.dumps(asyncio.run(run(members, calls, seconds))), flush=True)
