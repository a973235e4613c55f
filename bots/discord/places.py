"""Where preferences live on Discord, and who may change them.

A server shares one set of preferences (`guild:<id>`); a channel may override auto-transcribe
for itself (`channel:<id>`); direct messages belong to the user (`user:<id>`), whichever DM
channel they arrive in. Ids are Discord snowflakes, unique across all three kinds. A thread is a
channel of its own here: it follows the server unless given its own override.
"""

from __future__ import annotations

from typing import Any

import discord

from core.domain.values import ChatRef

Interaction = discord.Interaction[Any]


def preferences_of(*, guild_id: int | None = None, user_id: int | None = None) -> ChatRef:
    """A server's preferences, or (without a server) those of the user's direct messages."""
    if guild_id is not None:
        return ChatRef("discord", f"guild:{guild_id}")
    if user_id is None:
        raise ValueError("preferences belong to a server or to a user")
    return ChatRef("discord", f"user:{user_id}")


def channel_of(channel_id: int) -> ChatRef:
    return ChatRef("discord", f"channel:{channel_id}")


def for_interaction(interaction: Interaction) -> ChatRef:
    return preferences_of(guild_id=interaction.guild_id, user_id=interaction.user.id)


def for_message(message: discord.Message) -> ChatRef:
    guild_id = message.guild.id if message.guild is not None else None
    return preferences_of(guild_id=guild_id, user_id=message.author.id)


def channel_override_of(message: discord.Message) -> ChatRef | None:
    """The channel whose override applies to `message`; DMs have none."""
    return None if message.guild is None else channel_of(message.channel.id)


def can_manage(interaction: Interaction) -> bool:
    """DMs manage themselves; in a server it takes Manage Server in the channel of the command
    (Discord computes those permissions into the interaction, so no extra request is needed)."""
    return interaction.guild_id is None or interaction.permissions.manage_guild
