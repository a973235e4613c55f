"""The places of Discord as the core knows them (the key of their preferences, claims, quotas
and stored messages), whether the bot is in them, and which of them a member may read.

A server is one place (`guild:<id>`), with one set of preferences; a channel may override
auto-transcribe for itself (`channel:<id>`); direct messages belong to the user (`user:<id>`),
whichever DM channel they arrive in. Ids are Discord snowflakes, unique across all three kinds.
A thread is a channel of its own here: it follows the server unless given its own override.

Where the bot is installed to a user and not in the place (a DM between people, a group DM, a
server that did not add it), the place is not the bot's: the user's own preferences apply
(`user:<id>`, as in their DMs with the bot), and the user is the one who manages them.
"""

from __future__ import annotations

from typing import Any

import discord

from core.domain import errors
from core.domain.shared_values import ChatRef

__all__ = [
    "HistoryHidden",
    "Interaction",
    "channel_of",
    "channel_override_of",
    "for_interaction",
    "for_message",
    "may_read",
    "override_of",
    "place_of",
    "reaches_channel",
    "readable_places",
    "require_history",
]

Interaction = discord.Interaction[Any]


def place_of(*, guild_id: int | None = None, user_id: int | None = None) -> ChatRef:
    """A server, or (without a server) the user's direct messages: the place as the core keys
    it, for its preferences as for its claims and quotas."""
    if guild_id is not None:
        return ChatRef("discord", f"guild:{guild_id}")
    if user_id is None:
        raise ValueError("a place is a server or a user's direct messages")
    return ChatRef("discord", f"user:{user_id}")


def channel_of(channel_id: int) -> ChatRef:
    return ChatRef("discord", f"channel:{channel_id}")


def reaches_channel(interaction: Interaction) -> bool:
    """Whether the bot is in the interaction's place, and may read and post in its channel:
    the bot's own DMs, and servers that installed it; not a DM between people or a group DM
    (Discord's context 2), nor a server where only the user installed it."""
    if interaction.context.private_channel:
        return False
    if interaction.guild_id is None:
        return True
    return interaction.is_guild_integration()


def for_interaction(interaction: Interaction) -> ChatRef:
    if not reaches_channel(interaction):
        return place_of(user_id=interaction.user.id)
    return place_of(guild_id=interaction.guild_id, user_id=interaction.user.id)


def for_message(message: discord.Message) -> ChatRef:
    guild_id = message.guild.id if message.guild is not None else None
    return place_of(guild_id=guild_id, user_id=message.author.id)


def channel_override_of(message: discord.Message) -> ChatRef | None:
    """The channel whose override applies to `message`; DMs have none."""
    return None if message.guild is None else channel_of(message.channel.id)


def override_of(interaction: Interaction) -> ChatRef | None:
    """The channel whose own auto-transcribe applies where a command runs: one of a server that
    has the bot (DMs, and places where only the user installed it, have no overrides)."""
    if interaction.guild_id is None or interaction.channel_id is None:
        return None
    if not reaches_channel(interaction):
        return None
    return channel_of(interaction.channel_id)


class HistoryHidden(errors.UserInputError):
    """The asker may not read the channel's history: the bot reads none of it for them."""

    key = "discord.history.hidden"


def require_history(interaction: Interaction) -> None:
    """Before anything of a channel's history is read for `interaction` (/summary, a message
    fetched again for a button): its member must be allowed to read it themselves, View
    Channel and Read Message History in that channel, not rely on the bot's own permissions.
    Discord computes the member's permissions in the interaction's channel into it; in direct
    messages the history is the person's own."""
    if interaction.guild_id is None:
        return
    held = interaction.permissions
    if not (held.view_channel and held.read_message_history):
        detail = f"user {interaction.user.id} may not read channel {interaction.channel_id}"
        raise HistoryHidden(detail)


def readable_places(interaction: Interaction) -> frozenset[str] | None:
    """The channels and threads of the interaction's server whose kept transcripts its member
    may see, as of now (`may_read`), and the one the command runs in where Discord says they
    may read it. None where everything kept is the person's own (direct messages, the bot
    installed to them alone)."""
    guild, member = interaction.guild, interaction.user
    if interaction.guild_id is None or not reaches_channel(interaction):
        return None
    if guild is None or not isinstance(member, discord.Member):
        return frozenset()
    places: list[discord.abc.GuildChannel | discord.Thread] = [*guild.channels, *guild.threads]
    readable = {str(place.id) for place in places if may_read(place, member)}
    here = interaction.permissions  # Discord's own answer, a private thread's membership in it
    if interaction.channel_id is not None and here.view_channel and here.read_message_history:
        readable.add(str(interaction.channel_id))
    return frozenset(readable)


def may_read(place: discord.abc.GuildChannel | discord.Thread, member: discord.Member) -> bool:
    """Whether `member` may read what was said in `place`: View Channel and Read Message
    History there (a voice channel's too, for its calls and its chat; a thread's are its
    channel's). A private thread shows only to those in it and to those who may manage its
    channel's threads: discord.py answers a thread's permissions with its channel's and never
    asks, so membership is asked here, of the members Discord's events named (after a restart
    it knows none until someone joins or leaves: unknown is unreadable). A thread whose channel
    is not known is unreadable too."""
    try:
        held = place.permissions_for(member)
    except discord.ClientException:  # a thread whose channel is not in the cache
        return False
    if not (held.view_channel and held.read_message_history):
        return False
    if isinstance(place, discord.Thread) and place.is_private():
        return held.manage_threads or any(m.id == member.id for m in place.members)
    return True
