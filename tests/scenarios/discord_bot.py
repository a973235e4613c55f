"""The Discord bot `voicebridge run` builds, in this process, connected to the Discord stand-in
and configured by the documented settings alone; its members' slash commands, what it posted,
and the transcript a call ends with."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bots.discord.application.bot_intents import VoicebridgeBot, build_bot
from bots.discord.application.gateway_connection import connected
from bots.discord.voice_channels.speech_playback import VoiceClientClass
from core.bootstrap import Runtime, bootstrap
from core.config import Settings
from tests.standins.discord_api import FakeDiscord, SentMessage
from tests.standins.mimo import FakeMimo


def discord_settings(
    *, discord_api: FakeDiscord, mimo: FakeMimo, database_url: str, **extra: Any
) -> Settings:
    """Exactly what a user would put in .env to point the bot at these servers."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        mimo_api_key=mimo.api_key,
        mimo_base_url=mimo.base_url,
        discord_bot_token=discord_api.token,
        discord_api_url=discord_api.api_url,
        database_url=database_url,
        **extra,
    )


@asynccontextmanager
async def discord_bot_online(
    settings: Settings, discord_api: FakeDiscord, *, voice_client: VoiceClientClass | None
) -> AsyncIterator[tuple[VoicebridgeBot, Runtime]]:
    """The Discord bot `voicebridge run` builds, connected, with its runtime, for a test that
    looks inside either; `voice_client` plays in voice channels (None: no voice extras)."""
    async with bootstrap(settings) as runtime:
        bot = build_bot(
            api_url=settings.discord_api_url,
            gateway_url=None,
            runtime=runtime,
            voice_client=voice_client,
            claiming=False,
        )
        async with connected(bot, discord_api.token):
            await discord_api.wait_until_identified()
            await servers_ready(bot, discord_api.servers_of_the_bot())
            yield bot, runtime


async def servers_ready(bot: VoicebridgeBot, servers: list[int], timeout: float = 15) -> None:
    """Until discord.py has read the GUILD_CREATE of each of `servers`: their channels and
    members are in its cache (`bot.get_channel` finds them). The stand-in has sent them when
    the session counts as identified; when the bot has read them depends on the scheduling of
    the interpreter (on 3.12 and later, often a moment after)."""

    def ready() -> bool:
        return all((g := bot.get_guild(s)) is not None and not g.unavailable for s in servers)

    async with asyncio.timeout(timeout):
        while not ready():
            # Registered before the next check can miss it: no await between check and wait.
            await bot.wait_for("guild_available")


class Members:
    """Slash commands as the members of one server run them."""

    def __init__(self, discord_api: FakeDiscord, channel: int) -> None:
        self.discord_api, self.channel = discord_api, channel

    async def answer(self, user: int, command: str, /, **options: Any) -> SentMessage:
        asked = await self.discord_api.slash(self.channel, user, command, **options)
        [answered] = await asked.wait_for_messages()
        return answered


def posted_in(discord_api: FakeDiscord, channel: int) -> list[str]:
    """What the bot posted in `channel` of its own (not answers to commands)."""
    return [m.content for m in discord_api.messages_in(channel) if m.interaction_id is None]


def transcript_lines(bye: SentMessage) -> list[str]:
    """The lines of the transcript's text file, without their times."""
    [text] = [file.data.decode() for file in bye.attachments if file.filename == "call.txt"]
    return [line.split("] ", 1)[1] for line in text.splitlines()]
