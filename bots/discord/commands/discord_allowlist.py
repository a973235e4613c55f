"""The allowlist: who the Discord bot serves, checked before any command, click or message is
handled, and again before a call or a reading kept through a restart is taken up; and the one
answer a stranger gets (`refuse_stranger` for a command or a click, `answer_stranger` for a
message). The rules are `core.app.rules.limits`'; this module only reads them off Discord events.

On Discord a chat on ALLOWED_CHATS is a server, or a single channel, by its id; direct messages,
and every place where the bot is installed to the user alone, are allowed through ALLOWED_USERS.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import discord

from bots.discord.answers.discord_asker import quick_locale
from bots.discord.answers.listen_consent_buttons import ConsentAt
from bots.discord.discord_wording import text
from bots.discord.place_access import Interaction, reaches_channel
from bots.discord.recording_attachments import recording_in
from core.app.rules.limits import Limiter
from core.chat.answer_languages import DEFAULT_LOCALE
from core.domain import errors

logger = logging.getLogger(__name__)

__all__ = [
    "STRANGER_MESSAGE",
    "admits",
    "admits_message",
    "answer_stranger",
    "refuse_stranger",
]

STRANGER_MESSAGE = "message_from_stranger"
"""The event a message from outside the allowlist is handled as, instead of "message": no cog
hears it, only `answer_stranger` (`VoicebridgeBot.dispatch`), whose errors are reported as
`on_message_from_stranger`'s."""


_ANSWERED_WHEN_REFUSED = (
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
    None: none of it): what every command passes (`refuse_stranger`), and what a call or a reading
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


async def refuse_stranger(limiter: Limiter, interaction: Interaction) -> bool:
    """True when `interaction` comes from outside the allowlist; a command or a click then gets
    one private sentence, and nothing of it is processed or stored."""
    if admits_interaction(limiter, interaction):
        return False
    if interaction.type in _ANSWERED_WHEN_REFUSED:
        with contextlib.suppress(discord.HTTPException):  # the interaction may have expired
            refusal = text(errors.PrivateBot.key, quick_locale(interaction))
            await interaction.response.send_message(refusal, ephemeral=True)
    logger.debug("refused an interaction: server, channel and user not on the allowlist")
    return True


async def answer_stranger(message: discord.Message) -> None:
    """Nothing is done with a message from outside the allowlist; only a recording sent in
    direct messages, which expects an answer, hears why."""
    logger.debug("ignored a message from outside the allowlist")
    if message.guild is None and not message.author.bot and recording_in(message):
        # Discord does not say a message's language: English for strangers.
        refusal = text(errors.PrivateBot.key, DEFAULT_LOCALE)
        await message.reply(refusal, mention_author=False)
