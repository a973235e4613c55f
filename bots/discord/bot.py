"""Building the discord.py bot around the shared service, and running it.

discord.py keeps its REST base (`Route.BASE`) and its gateway (`DiscordWebSocket.DEFAULT_GATEWAY`)
in class attributes, so DISCORD_API_URL and DISCORD_GATEWAY_URL are process-wide: one Discord bot
per process, which is what `voicebridge run` starts. Without DISCORD_GATEWAY_URL the gateway is
the one GET /gateway/bot names, as Discord asks clients to do (and as a REST proxy forwards).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bots.discord.cogs.preferences import PreferencesCog
from bots.discord.cogs.questions import QuestionsCog
from bots.discord.cogs.speech import SpeechCog
from bots.discord.cogs.summaries import SummariesCog
from bots.discord.cogs.transcription import TranscriptionCog
from bots.discord.error_handler import on_app_command_error
from bots.discord.playback import VoiceClientClass
from bots.discord.replies import Interaction
from core.errors import ConfigError
from core.service import VoiceService
from core.summaries.service import SummaryService

logger = logging.getLogger(__name__)


def intents() -> discord.Intents:
    """Only what the features need: servers and their channels, messages in servers and DMs,
    message content (voice message attachments count as content: a privileged intent to switch on
    in the developer portal), and voice states (who sits in which voice channel, for playback)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = True
    wanted.voice_states = True
    return wanted


class VoicebridgeTree(app_commands.CommandTree[Any]):
    async def on_error(self, interaction: Interaction, error: app_commands.AppCommandError) -> None:
        await on_app_command_error(interaction, error)


class VoicebridgeBot(commands.Bot):
    """Application commands only; one cog per feature, each handed the shared service."""

    def __init__(
        self,
        *,
        service: VoiceService,
        summaries: SummaryService,
        gateway_url: str | None,
        voice_client: VoiceClientClass | None,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            help_command=None,
            tree_cls=VoicebridgeTree,
            # Transcripts quote people: "@everyone" in one must not ping a whole server.
            allowed_mentions=discord.AllowedMentions.none(),
            max_messages=None,  # no message cache: /summary reads history through the API
        )
        self.service = service
        self.summaries = summaries
        self.gateway_url = gateway_url
        self.voice_client = voice_client

    async def setup_hook(self) -> None:
        await self.add_cog(TranscriptionCog(self, self.service))
        await self.add_cog(SpeechCog(self, self.service, voice_client=self.voice_client))
        await self.add_cog(PreferencesCog(self.service))
        await self.add_cog(QuestionsCog(self, self.service))
        await self.add_cog(SummariesCog(self.summaries))
        synced = await self.tree.sync()
        logger.info("synced %d Discord application commands", len(synced))
        await self._choose_gateway()

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: every command is an application command (the cogs still listen)."""

    async def on_ready(self) -> None:
        logger.info("Discord bot %s is ready in %d server(s)", self.user, len(self.guilds))

    async def _choose_gateway(self) -> None:
        url = self.gateway_url
        if url is None:
            _, url, _ = await self.http.get_bot_gateway()
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        logger.info("Discord gateway: %s", url)


def build_bot(
    *,
    api_url: str,
    gateway_url: str | None,
    service: VoiceService,
    summaries: SummaryService,
    voice_client: VoiceClientClass | None,
) -> VoicebridgeBot:
    """The bot, talking to the REST API at `api_url`; `voice_client` plays speech in voice
    channels (`playback.installed_voice_client()`, or None where the voice extras are missing)."""
    Route.BASE = api_url.rstrip("/")
    return VoicebridgeBot(
        service=service, summaries=summaries, gateway_url=gateway_url, voice_client=voice_client
    )


@asynccontextmanager
async def connected(bot: VoicebridgeBot, token: str) -> AsyncIterator[asyncio.Task[None]]:
    """Log in (which loads the cogs and syncs the commands) and hold the gateway connection for
    as long as the block lasts. Yields the connection's task: it ends early only on failure."""
    try:
        await bot.login(token)
    except discord.LoginFailure as exc:
        await bot.close()
        raise ConfigError("DISCORD_BOT_TOKEN was refused by Discord; copy it again from the "
                          "developer portal (Bot → Reset Token)") from exc  # fmt: skip
    except BaseException:
        await bot.close()
        raise
    task = asyncio.create_task(_connect(bot), name="discord-gateway")
    try:
        yield task
    finally:
        # Stop the connection loop first: while it waits on the socket, discord.py's close()
        # loses a race and sends close code 4000 (a session Discord keeps for resuming, the bot
        # still shown online) instead of 1000. The loop's own failure was the runner's to see.
        task.cancel()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await task
        await bot.close()


async def _connect(bot: VoicebridgeBot) -> None:
    try:
        await bot.connect()
    except discord.PrivilegedIntentsRequired as exc:
        raise ConfigError(
            "Discord refused the Message Content intent: enable it in the developer portal "
            "(your application → Bot → Privileged Gateway Intents → Message Content Intent)"
        ) from exc
