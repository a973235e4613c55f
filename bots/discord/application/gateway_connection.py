"""The bot's connection to Discord: logged in (which loads the cogs and syncs the commands), the
gateway held while the bot runs, and the work in progress let finish before it closes. A token
Discord refuses, or a privileged intent it was not granted, is one clear line
(`core.domain.errors.ConfigError`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import discord

from bots.discord.application.bot_intents import VoicebridgeBot
from bots.discord.discordpy_internals import drop_http_session
from bots.startup_retries import PATIENCE_SECONDS, reach
from core.domain.errors import ConfigError
from core.ports import background_tasks

__all__ = ["connected"]


@asynccontextmanager
async def connected(
    bot: VoicebridgeBot, token: str, *, patience: float = PATIENCE_SECONDS
) -> AsyncIterator[asyncio.Task[None]]:
    """Log in (which loads the cogs and syncs the commands) and hold the gateway connection for
    as long as the block lasts, then let the work in progress finish before closing it. Yields
    the connection's task: it ends early only on failure."""
    try:
        await reach(
            "Discord",
            functools.partial(_log_in, bot, token),
            transient=(aiohttp.ClientConnectionError, TimeoutError, discord.DiscordServerError),
            setting="DISCORD_API_URL",
            patience=patience,
        )
    except discord.LoginFailure as exc:
        await bot.close()
        raise ConfigError("DISCORD_BOT_TOKEN was refused by Discord; copy it again from the "
                          "developer portal (Bot → Reset Token)") from exc  # fmt: skip
    except BaseException:
        await bot.close()
        raise
    # Its failure is the runner's to raise (`bots.platform_runner._until_stopped`).
    task = background_tasks.start(_connect(bot), name="discord-gateway", awaited=True)
    try:
        yield task
    finally:
        await bot.reader.close()  # while the gateway is there to say the bot leaves voice
        await bot.work.finish()
        # Stop the connection loop first: while it waits on the socket, discord.py's close()
        # loses a race and sends close code 4000 (a session Discord keeps for resuming, the bot
        # still shown online) instead of 1000. The loop's own failure was the runner's to see.
        task.cancel()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await task
        await bot.close()


async def _log_in(bot: VoicebridgeBot, token: str) -> None:
    try:
        await bot.login(token)
    except (aiohttp.ClientConnectionError, TimeoutError, discord.DiscordServerError):
        # Each login opens a session on the client's connector: the next login needs new ones.
        await drop_http_session(bot)
        raise


async def _connect(bot: VoicebridgeBot) -> None:
    try:
        await bot.connect()
    except discord.PrivilegedIntentsRequired as exc:
        asked = "Message Content and Server Members" if bot.intents.members else "Message Content"
        raise ConfigError(
            f"Discord refused a privileged intent the bot asks for ({asked}): switch it on in "
            "the developer portal (your application → Bot → Privileged Gateway Intents), or, "
            "while Discord has not granted the Server Members intent, set "
            "DISCORD_MEMBERS_INTENT=false"
        ) from exc
