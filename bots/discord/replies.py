"""How answers reach Discord: long text split or sent as a .txt file, and the follow-ups that
answer a deferred interaction (transcripts: `bots.discord.transcripts`)."""

from __future__ import annotations

import functools
import io
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord.ext import commands

from core.domain.text import pieces_or_none

MESSAGE_LIMIT = 2000  # characters in one Discord message
MAX_MESSAGES_BEFORE_FILE = 3
ANSWERED = "voicebridge.answered"
"""`Interaction.extras` key: something real was sent, so the placeholder is gone (see
`error_handler.report`)."""

Send = Callable[..., Awaitable[object]]
Interaction = discord.Interaction[Any]
# What a cog is added to: voicebridge's bot is sharded, tests may add a cog to a plain one.
AnyBot = commands.Bot | commands.AutoShardedBot


def reply_to(message: discord.Message) -> Send:
    """Send as a reply to `message`, without pinging its author."""
    return functools.partial(message.reply, mention_author=False)


def followup_of(interaction: Interaction, *, ephemeral: bool = False) -> Send:
    """Send as a follow-up of a deferred interaction (the first one fills its placeholder)."""

    async def send(**kwargs: Any) -> object:
        sent = await interaction.followup.send(ephemeral=ephemeral, wait=True, **kwargs)
        interaction.extras[ANSWERED] = True
        return sent

    return send


async def send_long(send: Send, body: str, *, file_caption: str, file_name: str) -> None:
    """`body` in one message, a few clean pieces, or a .txt file when very long."""
    pieces = pieces_or_none(body, MESSAGE_LIMIT, max_messages=MAX_MESSAGES_BEFORE_FILE)
    if pieces is None:
        document = discord.File(io.BytesIO(body.encode("utf-8")), filename=file_name)
        await send(content=file_caption, file=document)
        return
    for piece in pieces:
        await send(content=piece)
