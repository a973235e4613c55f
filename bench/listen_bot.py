"""Benchmark 9's listening bot: discord.py with the receive layer
(`bots.discord.voice_channels.receive`), in voice channels of the stand-in bench/listen.py serves,
in a process of its own so that its CPU and memory are its own. Driven by lines on stdin, each
answered by one JSON line on stdout:

    join            join every voice channel given and start a receiver in each
    mark            this process's CPU seconds so far (every thread: the socket readers too),
                    its RSS, and what the receivers handed over
    stop            leave, and end

    python -m bench.listen_bot API_URL GATEWAY_URL TOKEN CA_FILE CHANNEL_ID...
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp.connector
import discord

from bots.discord import discordpy_internals
from bots.discord.voice_channels.receive import ListeningVoiceClient, PieceAudio, VoiceReceiver


class Listener:
    def __init__(self, client: discord.Client, channel_ids: list[int]) -> None:
        self.client, self.channel_ids = client, channel_ids
        self.receivers: list[VoiceReceiver] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.heard: Counter[int] = Counter()  # turns by member
        self.pieces = 0  # what the turns were handed over in
        self.seconds = 0.0  # of speech handed over

    async def join(self) -> dict[str, Any]:
        for channel_id in self.channel_ids:
            channel = self.client.get_channel(channel_id)
            assert isinstance(channel, discord.VoiceChannel)
            voice = await channel.connect(cls=ListeningVoiceClient, self_deaf=False, timeout=30)
            assert isinstance(voice, ListeningVoiceClient)
            receiver = VoiceReceiver(voice, admits=lambda _: True)
            receiver.start()
            self.receivers.append(receiver)
            self.tasks.append(asyncio.create_task(self._collect(receiver)))
        return {"joined": len(self.receivers), **mark()}

    async def _collect(self, receiver: VoiceReceiver) -> None:
        async for utterance in receiver:
            self._count(utterance)

    def _count(self, utterance: PieceAudio) -> None:
        self.heard[utterance.user_id] += utterance.ends_turn  # a turn comes in pieces
        self.pieces += 1
        self.seconds += utterance.seconds

    def mark(self) -> dict[str, Any]:
        stats = [r.stats for r in self.receivers]
        return {
            **mark(),
            "utterances": sum(self.heard.values()),
            "pieces": self.pieces,
            "speech_seconds": self.seconds,
            "packets": sum(s.packets for s in stats),
            "decoded": sum(sum(s.decoded.values()) for s in stats),
            "undecrypted": sum(sum(r.undecrypted.values()) for r in self.receivers),
            "late": sum(s.late for s in stats),
            "unclaimed": sum(s.unclaimed for s in stats),
            "overflowed": sum(r.overflowed for r in self.receivers),
        }

    async def stop(self) -> dict[str, Any]:
        for receiver in self.receivers:
            receiver.close()
        await asyncio.gather(*self.tasks)
        for voice in self.client.voice_clients:
            await voice.disconnect(force=True)
        return self.mark()


def mark() -> dict[str, Any]:
    return {"cpu": time.process_time(), "at": time.monotonic(), "rss": rss()}


def rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


async def main(
    api_url: str, gateway_url: str, token: str, ca_file: str, channel_ids: list[int]
) -> None:
    aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(ca_file)  # the stand-in's TLS
    discordpy_internals.point_rest_at(api_url)
    discordpy_internals.point_gateway_at(gateway_url)
    client = discord.Client(intents=discord.Intents(guilds=True, voice_states=True))
    ready = asyncio.Event()
    client.event(_on_ready(ready))
    running = asyncio.create_task(client.start(token))
    await asyncio.wait_for(ready.wait(), 60)
    listener = Listener(client, channel_ids)
    say({"ready": True, **mark()})
    loop = asyncio.get_running_loop()
    while line := (await loop.run_in_executor(None, sys.stdin.readline)).strip():
        if line == "join":
            say(await listener.join())
        elif line == "mark":
            say(listener.mark())
        elif line == "stop":
            say(await listener.stop())
            break
    await client.close()
    await running


def _on_ready(ready: asyncio.Event) -> Any:
    async def on_ready() -> None:
        ready.set()

    return on_ready


def say(found: dict[str, Any]) -> None:
    print(json.dumps(found), flush=True)


if __name__ == "__main__":
    api, gateway, token, ca, *channels = sys.argv[1:]
    asyncio.run(main(api, gateway, token, ca, [int(c) for c in channels]))
