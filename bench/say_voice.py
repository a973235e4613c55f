"""`/say` played in a voice channel: from the command answered (its acknowledgement) to the first
sound of the speech in the call, MiMo paced as `bench.paced` says (speech streamed in slices,
or whole).

    python -m bench.say_voice RUNS MIMO_DELAY [slices|whole]     (prints a JSON line)

Each run in one process, as the integration tests run it: the Discord stand-in (its voice
server timing each frame), MiMo's stand-in, and the bot `voicebridge run` builds; Alice sits in
the Lounge and says `/say TEXT in_voice_channel:True` once.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from typing import Any

from bench.paced import paced
from bots.discord.call.playback import installed_voice_client
from tests.scenarios.discord_bot import discord_bot_online, discord_settings
from tests.standins.discord_api import FakeDiscord
from tests.standins.discord_voice import OPUS_SILENCE
from tests.standins.mimo import FakeMimo

TEXT = "Hello everyone, the meeting starts in five minutes in the small room."


async def once(delay: float, stream: str) -> float:
    """Seconds from the command's acknowledgement to the first sound in the call."""
    async with FakeDiscord() as api, FakeMimo() as mimo:
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


if __name__ == "__main__":
    runs, delay = int(sys.argv[1]), float(sys.argv[2])
    stream = sys.argv[3] if len(sys.argv) > 3 else "whole"
    print(json.dumps(asyncio.run(run(runs, delay, stream))), flush=True)
