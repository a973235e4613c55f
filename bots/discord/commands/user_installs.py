"""Where the commands can be used: in servers that added the bot, and, installed to a user
account, in their direct messages, group DMs and servers the bot is not in.

Every command and message menu is usable everywhere (`EVERYWHERE_INSTALLS` and
`EVERYWHERE_CONTEXTS`, the command tree's defaults, so a command added later is too); a command
that administers a server or reads its channels says `@server_only`, and stays with the server
install (and the bot's own DMs, as before).

Installed to a user, the bot is not in the place: it cannot read or post in the channel, and
hears nothing of it (`place_access.reaches_channel`). It answers through the interaction alone, with
the user's own preferences and quotas, and works on what the interaction carries (the target
message and its attachments). An interaction's token lives 15 minutes: where it is the only way
back, work still running near its end is stopped and the user told why (`answer_in_time`),
instead of finishing into silence.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import discord
from discord import app_commands

from bots.discord.place_access import Interaction, reaches_channel
from core.domain import errors

logger = logging.getLogger(__name__)

__all__ = [
    "EVERYWHERE_CONTEXTS",
    "EVERYWHERE_INSTALLS",
    "answer_in_time",
    "in_servers",
    "server_only",
]

T = TypeVar("T")

EVERYWHERE_INSTALLS = app_commands.AppInstallationType(guild=True, user=True)
EVERYWHERE_CONTEXTS = app_commands.AppCommandContext(
    guild=True, dm_channel=True, private_channel=True
)
# Time kept back from the token's 15 minutes for the last answer to get through.
TOKEN_MARGIN_SECONDS = 60.0


def server_only(command: T) -> T:
    """Keep a command with the server install: guild install only, in servers and the bot's
    DMs (Discord then never offers it where the bot is not)."""
    installs: Callable[[T], T] = app_commands.allowed_installs(guilds=True, users=False)
    contexts: Callable[[T], T] = app_commands.allowed_contexts(
        guilds=True, dms=True, private_channels=False
    )
    return installs(contexts(command))


def in_servers(command: T) -> T:
    """Keep a command with the server install, in servers alone: what it works on (a voice
    channel) exists nowhere else."""
    installs: Callable[[T], T] = app_commands.allowed_installs(guilds=True, users=False)
    contexts: Callable[[T], T] = app_commands.allowed_contexts(
        guilds=True, dms=False, private_channels=False
    )
    return installs(contexts(command))


class TooLongHere(errors.UserInputError):
    """The work would outlast the interaction, the only way to answer where it was asked."""

    key = "discord.install.too_long"


@asynccontextmanager
async def answer_in_time(interaction: Interaction) -> AsyncIterator[None]:
    """Run the block; where the interaction is the only way back, stop it a minute before the
    token expires and raise `TooLongHere`, while a private answer can still be sent."""
    if reaches_channel(interaction):
        yield  # once the token expires, the channel takes the answer
        return
    left = (interaction.expires_at - discord.utils.utcnow()).total_seconds()
    deadline = asyncio.get_running_loop().time() + left - TOKEN_MARGIN_SECONDS
    try:
        async with asyncio.timeout_at(deadline) as timeout:
            yield
    except TimeoutError as exc:
        if not timeout.expired():
            raise  # a time-out of the work's own
        logger.info("stopped interaction %s before its token expired", interaction.id)
        raise TooLongHere("the interaction's token is about to expire") from exc
