"""The permissions a job needs in a channel, checked before it starts and the first
one missing named in one line, as Discord shows its name in the member's language."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bots.discord.discord_wording import text

__all__ = ["BOT_IN_VOICE", "READING_TEXT", "first_missing"]

# (permission, catalogue key of its name as Discord shows it)
Needed = tuple[tuple[str, str], ...]
BOT_IN_VOICE: Needed = (
    ("connect", "discord.permission.connect"),
    ("speak", "discord.permission.speak"),
)
READING_TEXT: Needed = (
    ("view_channel", "discord.permission.view_channel"),
    ("read_message_history", "discord.permission.read_message_history"),
)
Channel = discord.abc.GuildChannel
Who = discord.Member | discord.Role


def first_missing(checks: Sequence[tuple[str, Channel, Who, Needed]], locale: str) -> str | None:
    """For checks of (catalogue key of the line, channel, whose permissions, needed there), the
    line naming the first permission missing, or None when all are there."""
    for key, channel, who, needed in checks:
        held = channel.permissions_for(who)
        for permission, name in needed:
            if not getattr(held, permission):
                shown = text(name, locale)
                return text(key, locale, permission=shown, channel=channel.mention)
    return None
