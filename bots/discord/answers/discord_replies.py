"""How answers reach Discord: long text split or sent as a .txt file, and the follow-ups that
answer a deferred interaction (transcripts: `bots.discord.recordings.discord_transcript_reply`)."""

from __future__ import annotations

import functools
import io
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord.ext import commands

from bots.discord.place_access import reaches_channel
from core.domain.message_splitting import MAX_MESSAGES_BEFORE_FILE, messages_or_none, split_lines

__all__ = [
    "ANSWERED",
    "MAX_CHOICES",
    "MESSAGE_LIMIT",
    "RESPONSE_ID",
    "TOKEN_EXPIRED",
    "AnyBot",
    "Interaction",
    "Send",
    "followup_of",
    "in_channel",
    "reply_to",
    "send_lines",
    "send_long",
]

MESSAGE_LIMIT = 2000  # characters in one Discord message (a call's captions and notices too)
MAX_CHOICES = 25  # suggestions in one autocomplete answer, at most (Discord's limit)
ANSWERED = "voicebridge.answered"
"""`Interaction.extras` key: something real was sent, so the placeholder is gone (see
`error_handler.report`)."""
RESPONSE_ID = "voicebridge.response_id"
"""`Interaction.extras` key: the id of the interaction's response message, once known."""
TOKEN_EXPIRED = 50027
"""Discord's code for an interaction token past its 15 minutes: follow-ups and edits refused."""

Send = Callable[..., Awaitable[object]]
Interaction = discord.Interaction[Any]
# What a cog is added to: voicebridge's bot is sharded, tests may add a cog to a plain one.
AnyBot = commands.Bot | commands.AutoShardedBot


def reply_to(message: discord.Message) -> Send:
    """Send as a reply to `message`, without pinging its author."""
    return functools.partial(message.reply, mention_author=False)


def followup_of(interaction: Interaction, *, ephemeral: bool = False) -> Send:
    """Send as a follow-up of a deferred interaction (the first one fills its placeholder).
    Work that outlived the interaction's token still reaches the channel (`in_channel`)."""

    async def send(**kwargs: Any) -> object:
        sent: discord.Message
        try:
            sent = await interaction.followup.send(ephemeral=ephemeral, wait=True, **kwargs)
        except discord.HTTPException as exc:
            if exc.code != TOKEN_EXPIRED or ephemeral:  # nobody else may see a private answer
                raise
            sent = await in_channel(interaction, **kwargs)
        interaction.extras[ANSWERED] = True
        return sent

    return send


async def in_channel(interaction: Interaction, **kwargs: Any) -> discord.Message:
    """Send in the interaction's channel, for an answer its expired token can no longer carry:
    as a reply to its response message where that is known, else addressed to the user. Not
    where the bot is not in the place (installed to the user alone): Discord refuses it there
    (`user_installs.answer_in_time` keeps that work inside the token instead)."""
    channel = interaction.channel
    if not reaches_channel(interaction):
        raise TypeError(f"the bot is not in channel {interaction.channel_id}")
    if not isinstance(channel, discord.abc.Messageable):
        raise TypeError(f"cannot post in {channel!r}")
    response_id = interaction.extras.get(RESPONSE_ID)
    if isinstance(response_id, int):
        reference = discord.MessageReference(
            message_id=response_id, channel_id=channel.id, fail_if_not_exists=False
        )
        return await channel.send(reference=reference, mention_author=False, **kwargs)
    mention, content = interaction.user.mention, kwargs.pop("content", None)
    only_user = discord.AllowedMentions(everyone=False, roles=False, users=[interaction.user])
    if content and len(content) + len(mention) + 1 > MESSAGE_LIMIT:
        await channel.send(content=mention, allowed_mentions=only_user)
        return await channel.send(content=content, **kwargs)
    text = f"{mention} {content}" if content else mention
    return await channel.send(content=text, allowed_mentions=only_user, **kwargs)


async def send_lines(send: Send, body: str) -> None:
    """A list or an overview (`/voice`, `/settings`, `/usage`, `/help`) in as many messages as
    Discord's limit takes, each broken between lines, so no item is cut in two."""
    for piece in split_lines(body, MESSAGE_LIMIT):
        await send(content=piece)


async def send_long(
    send: Send,
    body: str,
    *,
    file_caption: str,
    file_name: str,
    view: discord.ui.View | None = None,
) -> None:
    """`body` in one message, a few clean pieces, or a .txt file when very long; `view` (its
    buttons) under the last of them."""
    below = {} if view is None else {"view": view}
    messages = messages_or_none(body, MESSAGE_LIMIT, max_messages=MAX_MESSAGES_BEFORE_FILE)
    if messages is None:
        document = discord.File(io.BytesIO(body.encode("utf-8")), filename=file_name)
        await send(content=file_caption, file=document, **below)
        return
    for number, one in enumerate(messages, start=1):
        await send(content=one, **(below if number == len(messages) else {}))
