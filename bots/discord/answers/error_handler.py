"""The one error handler: what a failure makes the bot say, and how loudly it is logged.

Refusals (`core.domain.errors` types) are expected and logged in one line; anything else is a bug
or an outage and is logged with its traceback. Either way the user gets one short sentence,
privately when the failure answers a command.
"""

from __future__ import annotations

import contextlib
import logging

import discord
from discord import app_commands

from bots.discord.answers.discord_asker import quick_locale
from bots.discord.answers.discord_replies import (
    ANSWERED,
    TOKEN_EXPIRED,
    Interaction,
    Send,
    in_channel,
)
from bots.discord.discord_wording import text
from core.domain import errors

logger = logging.getLogger(__name__)

__all__ = ["error_text", "on_app_command_error", "report"]


def error_text(error: BaseException, locale: str) -> str:
    """The sentence for `error` in `locale`, logged as it deserves."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, errors.MimoModelRefused):  # the owner's to fix: one line, loud
        logger.error("%s", error.detail)
    elif isinstance(error, errors.VoicebridgeError):
        logger.info("refused %s: %s", type(error).__name__, error.detail or error.key)
    if isinstance(error, errors.VoicebridgeError):
        return text(error.key, locale, **error.params)  # in Discord's words (REWORDED)
    logger.error("Discord request failed", exc_info=error)
    return text("error.generic", locale)


async def on_app_command_error(interaction: Interaction, error: BaseException) -> None:
    """Answer a failed command privately, in the person's language; a public "thinking…"
    placeholder is removed first, so the failure is not shown to everyone in the channel.
    Once the interaction's token has expired, the sentence goes to the channel, addressed to
    the person: the work failed after they waited, and silence would leave them waiting."""
    reply = error_text(error, quick_locale(interaction))
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(reply, ephemeral=True)
            return
        if not interaction.extras.get(ANSWERED):
            await interaction.delete_original_response()
        await interaction.followup.send(reply, ephemeral=True)
    except discord.HTTPException as exc:
        if exc.code != TOKEN_EXPIRED:
            return  # the interaction is gone some other way: the log has the failure
        with contextlib.suppress(discord.HTTPException, TypeError):
            await in_channel(interaction, content=reply)


async def report(send: Send, error: BaseException, locale: str) -> None:
    """Answer a failed event (an auto-transcription) where it happened, in `locale`; a limit
    the place was already told about is not repeated for every voice message."""
    if isinstance(error, errors.AlreadyTold):
        logger.info("refused quietly: %s", error.detail)
        return
    reply = error_text(error, locale)
    with contextlib.suppress(discord.HTTPException):
        await send(content=reply)
