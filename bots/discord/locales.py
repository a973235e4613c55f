"""Which language a Discord answer is in (the rules: `core.chat.languages`).

A reply to a command is in the language of the person's Discord client (`interaction.locale`,
sent with every interaction), else the place's; what a channel gets as a whole (an automatic
transcript and its notices) is in the place's: the one chosen with /botlanguage, else the
server's own (`guild_locale`, `Guild.preferred_locale`), else that of whoever last ran a
command there (what direct messages go by: Discord does not say whose language a message is
in), else English.
"""

from __future__ import annotations

import discord

from bots.discord.places import Interaction, for_interaction
from core.chat.languages import DEFAULT_LOCALE, Audience, ChatLanguages, resolve_locale

LOCALE = "voicebridge.locale"
"""`Interaction.extras` key: the language the interaction is answered in, once known."""


def person_locale(interaction: Interaction) -> str | None:
    """The language of the person's Discord client, if we speak it."""
    return resolve_locale(interaction.locale.value)


def quick_locale(interaction: Interaction) -> str:
    """The language to answer in at once, without reading the place's settings: for modals
    (the first response, within Discord's 3 seconds), autocomplete and errors. The person's,
    else the server's, else the one worked out earlier (`reply_locale`), else English."""
    known = interaction.extras.get(LOCALE)
    server = interaction.guild_locale
    return (
        person_locale(interaction)
        or (known if isinstance(known, str) else None)
        or resolve_locale(None if server is None else server.value)
        or DEFAULT_LOCALE
    )


async def reply_locale(interaction: Interaction, chats: ChatLanguages) -> str:
    """The language of an answer to `interaction`; kept on it for the error handler."""
    locale = person_locale(interaction) or await place_locale(interaction, chats)
    interaction.extras[LOCALE] = locale
    return locale


async def place_locale(interaction: Interaction, chats: ChatLanguages) -> str:
    """The language of what the place of `interaction` (a server, or direct messages) gets."""
    server = interaction.guild_locale
    platform = resolve_locale(None if server is None else server.value)
    return await chats.chat_locale(for_interaction(interaction), platform=platform)


def message_audience(message: discord.Message) -> Audience:
    """Everyone in the channel of `message`, in the server's language where it has one."""
    server = None if message.guild is None else message.guild.preferred_locale.value
    return Audience(platform=resolve_locale(server))


def interaction_audience(interaction: Interaction) -> Audience:
    """The person behind `interaction`, else their place (a server, or direct messages)."""
    server = interaction.guild_locale
    return Audience(
        person=person_locale(interaction),
        platform=resolve_locale(None if server is None else server.value),
    )
