"""A Discord message as the channel reader reads it
(`core.domain.channel_reader.reader_rules.ChannelMessage`): as `on_message` hands it over, and as a
reading taken up after a restart reads those it missed from the channel's history."""

from __future__ import annotations

import discord

from core.domain.channel_reader.reader_rules import ChannelMessage

__all__ = ["READ_MESSAGE_TYPES", "channel_message", "read_aloud"]

READ_MESSAGE_TYPES = (discord.MessageType.default, discord.MessageType.reply)


def read_aloud(message: discord.Message) -> bool:
    """Whether the channel reader reads `message` at all: a message or a reply in a server, by
    anyone but the bot itself (its own lines never are), and none of Discord's notices (joins,
    pins). Whose messages it then reads is the server's choice (`/read_settings`)."""
    guild = message.guild
    return guild is not None and message.type in READ_MESSAGE_TYPES and message.author != guild.me


def channel_message(message: discord.Message) -> ChannelMessage:
    """What the reader needs of a Discord message."""
    author = message.author
    return ChannelMessage(
        id=str(message.id),
        author_id=str(author.id),
        author_name=author.display_name,
        author_handle=author.name,
        text=message.content,
        at=message.created_at,
        names=_mentioned(message),
        channels=_channels_mentioned(message),
        attachments=len(message.attachments),
        bot=author.bot,
        webhook=message.webhook_id is not None,
    )


def _mentioned(message: discord.Message) -> dict[str, str]:
    """The names of the people and roles `message` mentions, by id (every member sees them)."""
    names = {str(user.id): user.display_name for user in message.mentions}
    return names | {str(role.id): role.name for role in message.role_mentions}


def _channels_mentioned(message: discord.Message) -> dict[str, str]:
    """The names of the channels `message` mentions, by id, as far as the bot knows them."""
    guild = message.guild
    names = {}
    for channel_id in message.raw_channel_mentions:
        channel = None if guild is None else guild.get_channel(channel_id)
        if channel is not None:
            names[str(channel_id)] = channel.name
    return names
