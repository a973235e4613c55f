"""The bot's nickname in a server while it listens there: "🎙️ voicebridge", its name with a
microphone before it, where members look (the member list, the voice channel's list), beside
the voice channel's status and the chat's opening line. It takes Change Nickname, which
@everyone has in a new server; without it the other two say it alone.

The nickname from before is put back when the listening stops; a process that died while
listening left the mark on, and the next one to serve the server takes it off (`unmarked`).
"""

from __future__ import annotations

import logging

import discord

logger = logging.getLogger(__name__)

__all__ = ["ListeningNick", "take_off_left_behind"]

MARK = "🎙️ "  # before the bot's name while it listens
NICK_CHARS = 32  # Discord's longest nickname


def marked(name: str) -> str:
    """The bot's nickname while it listens, from the name it shows."""
    return f"{MARK}{name}"[:NICK_CHARS]


def unmarked(me: discord.Member) -> str | None:
    """The nickname `me` had before it listened, read off the one it wears (None: none)."""
    nick = me.nick or ""
    if not nick.startswith(MARK):
        return me.nick
    before = nick.removeprefix(MARK)
    return None if before in (me.global_name, me.name) else before


class ListeningNick:
    """The nickname of one listening: put on as it starts, the old one back as it stops."""

    def __init__(self, guild: discord.Guild) -> None:
        self._guild = guild
        self._before: str | None = None
        self._worn = False

    async def put_on(self) -> None:
        me = self._guild.me
        self._before = unmarked(me)
        self._worn = await _change(me, marked(self._before or me.global_name or me.name))

    async def take_off(self) -> None:
        if self._worn:
            self._worn = not await _change(self._guild.me, self._before)


async def take_off_left_behind(guild: discord.Guild) -> None:
    """The mark a process that died while listening in `guild` left on the bot's name, off."""
    me = guild.me
    if me is not None and unmarked(me) != me.nick:
        await _change(me, unmarked(me))


async def _change(me: discord.Member, nick: str | None) -> bool:
    """A courtesy: False when Discord refuses (no Change Nickname), logged."""
    try:
        await me.edit(nick=nick)
    except discord.HTTPException as exc:
        logger.info("no nickname in server %s: %s", me.guild.id, exc.text)
        return False
    return True
