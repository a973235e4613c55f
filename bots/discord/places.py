"""The places of Discord as the core knows them (the key of their preferences, claims, quotas
and stored messages), and who may change a place's settings.

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

from core.domain.values import ChatRef

__all__ = [
    "Interaction",
    "can_manage",
    "channel_of",
    "channel_override_of",
    "for_interaction",
    "for_message",
    "override_of",
    "place_of",
    "reaches_channel",
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


def can_manage(interaction: Interaction) -> bool:
    """DMs manage themselves, and so do a user's own preferences where the bot is theirs alone;
    in a server it takes Manage Server in the channel of the command (Discord computes those
    permissions into the interaction, so no extra request is needed)."""
    if interaction.guild_id is None or not reaches_channel(interaction):
        return True
    return interaction.permissions.manage_guild
