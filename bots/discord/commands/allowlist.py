"""Who the Discord bot serves (the allowlist), and who asked for a piece of work (the rate
limits). The rules are `core.app.rules.limits`'; this module only reads them off Discord events.

On Discord a chat on ALLOWED_CHATS is a server, or a single channel, by its id; direct messages,
and every place where the bot is installed to the user alone, are allowed through ALLOWED_USERS.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import discord

from bots.discord.answers.audiences import quick_locale
from bots.discord.call.listen_buttons import ConsentAt
from bots.discord.messages import text
from bots.discord.places import Interaction, reaches_channel
from core.app.rules.limits import Limiter
from core.domain import errors
from core.domain.limits import Asker, asked_by, sent_by

logger = logging.getLogger(__name__)

__all__ = [
    "STRANGER_MESSAGE",
    "admits",
    "admits_message",
    "readable_places",
    "require_history",
    "turn_away",
    "unasked",
]

STRANGER_MESSAGE = "message_from_stranger"
"""The event a message from outside the allowlist is dispatched as, instead of "message": no
listener but the refusal hears it (`LimitsCog.on_message_from_stranger`)."""


_ANSWERED_WHEN_TURNED_AWAY = (
    discord.InteractionType.application_command,
    discord.InteractionType.component,
)


def admits_message(limiter: Limiter, message: discord.Message) -> bool:
    guild = [] if message.guild is None else [message.guild.id]
    return limiter.admits("discord", chats=[*guild, message.channel.id], user=message.author.id)


def admits_interaction(limiter: Limiter, interaction: Interaction) -> bool:
    """Where the bot is installed to the user alone, the place is not the bot's: the allowlist
    applies to the user. A member's no to being transcribed is taken from anyone in any channel
    of a server (`says_no`)."""
    place = (interaction.guild_id, interaction.channel_id)
    guild_id, channel_id = place if reaches_channel(interaction) else (None, None)
    no = says_no(interaction)
    return admits(limiter, guild_id, channel_id, interaction.user.id, withdrawal=no)


def admits(
    limiter: Limiter, guild_id: int | None, channel_id: int | None, user_id: int,
    *, withdrawal: bool = False,
) -> bool:  # fmt: skip
    """The allowlist's answer for work `user_id` asks for in a channel of a server (either
    None: none of it): what every command passes (`turn_away`), and what a call or a reading
    kept through a restart passes again before it is taken up (`DiscordVoiceChannels.served`)."""
    chats: list[object] = [i for i in (guild_id, channel_id) if i is not None]
    return limiter.admits("discord", chats=chats, user=user_id, withdrawal=withdrawal)


def says_no(interaction: Interaction) -> bool:
    """`/listen_me allowed:False`, or a click on "Don't transcribe me", in a server."""
    data: Any = interaction.data or {}
    if interaction.guild_id is None:
        return False
    if interaction.type is discord.InteractionType.component:
        return bool(data.get("custom_id") == ConsentAt(yes=False).custom_id)
    if interaction.type is not discord.InteractionType.application_command:
        return False
    options = data.get("options") or []
    return data.get("name") == "listen_me" and any(
        option.get("name") == "allowed" and option.get("value") is False for option in options
    )


async def turn_away(limiter: Limiter, interaction: Interaction) -> bool:
    """True when `interaction` comes from outside the allowlist; a command or a click then gets
    one private sentence, and nothing of it is processed or stored."""
    if admits_interaction(limiter, interaction):
        return False
    if interaction.type in _ANSWERED_WHEN_TURNED_AWAY:
        with contextlib.suppress(discord.HTTPException):  # the interaction may have expired
            refusal = text(errors.PrivateBot.key, quick_locale(interaction))
            await interaction.response.send_message(refusal, ephemeral=True)
    logger.debug("turned away an interaction: server, channel and user not on the allowlist")
    return True


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


def unasked(message: discord.Message) -> Asker:
    """Who a voice message is transcribed for because its place transcribes every one: in
    direct messages the sender, who asked by sending it; in a server nobody, counted against
    the sender."""
    return asked_by(message.author.id) if message.guild is None else sent_by(message.author.id)


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
