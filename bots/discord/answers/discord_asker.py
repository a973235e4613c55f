"""Who asks on Discord, and whom the answer is for, and so which language it is in (the rules:
`core.chat.answer_languages`; the request, read once per interaction:
`core.app.rules.request_audience.Request`, through `answer_to`, which
`interaction_acks.decide_answer` calls as a command, a click or a modal starts; a use case that
takes who asks in its own request reads it itself, and its cog keeps what it returned,
`keep_answer`). Cogs hand the request they were given (`answer_of`) to their use case, and render
with it.

A reply to a command is in the language of the person's Discord client (`interaction.locale`,
sent with every interaction), else the place's; what a channel gets as a whole (an automatic
transcript and its notices) is in the place's: the one chosen with /botlanguage, else the
server's own (`guild_locale`, `Guild.preferred_locale`), else that of whoever last ran a
command there (what direct messages go by: Discord does not say whose language a message is
in), else English.

Who asked (an `Asker`) is whose rate limits the work counts against (the rules:
`core.app.rules.limits`): the person, or nobody for a voice message transcribed because its
place transcribes every one (`unasked`). Whether the person may change the place's settings is
`can_manage`'s.
"""

from __future__ import annotations

import discord

from bots.discord.answers.client_fields import voicebridge
from bots.discord.place_access import Interaction, for_interaction, override_of, reaches_channel
from core.app.rules.request_audience import Request
from core.chat.answer_languages import DEFAULT_LOCALE, Audience, resolve_locale
from core.domain.rules.quotas_rules import Asker, asked_by, sent_by

__all__ = [
    "CHANNEL",
    "LOCALE",
    "answer_of",
    "answer_to",
    "asker_of",
    "can_manage",
    "interaction_audience",
    "keep_answer",
    "message_audience",
    "notes_commander",
    "quick_locale",
    "unasked",
]

LOCALE = "voicebridge.locale"
"""`Interaction.extras` key: the language the interaction is answered in, once known."""
ANSWER = "voicebridge.answer"
"""`Interaction.extras` key: the `Request` the core read for the interaction."""
CHANNEL = "voicebridge.channel"
"""A command's `extras` key: its request reads the channel's own auto-transcribe too."""


_COMMANDS = (discord.InteractionType.application_command, discord.InteractionType.modal_submit)


def person_locale(interaction: Interaction) -> str | None:
    """The language of the person's Discord client, if we speak it."""
    return resolve_locale(interaction.locale.value)


def quick_locale(interaction: Interaction) -> str:
    """The language to answer in at once, without reading the place's settings: for modals
    (the first response, within Discord's 3 seconds), autocomplete and errors. The person's,
    else the one decided earlier (`answer_to`), else the server's, else English."""
    known = interaction.extras.get(LOCALE)
    server = interaction.guild_locale
    return (
        person_locale(interaction)
        or (known if isinstance(known, str) else None)
        or resolve_locale(None if server is None else server.value)
        or DEFAULT_LOCALE
    )


async def answer_to(interaction: Interaction) -> Request:
    """The request of `interaction` as the core reads it (`Audiences.request`: who asks, where,
    their language, the place's preferences, and the channel's own auto-transcribe where its
    command declares it shows it), once: kept on the interaction, so its use case and every
    later question about it (the error handler's too) take the same without reading the
    place's preferences again. The person's language is noted with it where it is
    (`notes_commander`)."""
    known = interaction.extras.get(ANSWER)
    if isinstance(known, Request):
        return known
    place, asking = for_interaction(interaction), interaction_audience(interaction)
    command = interaction.command
    channel = override_of(interaction) if command and command.extras.get(CHANNEL) else None
    found = await voicebridge(interaction).audiences.request(
        place, asking, asker=asker_of(interaction), commander=notes_commander(interaction),
        channel=channel,
    )  # fmt: skip
    keep_answer(interaction, found)
    return found


def answer_of(interaction: Interaction) -> Request:
    """The request of `interaction` as it was read when it started (`answer_to`), or as its
    use case returned it (`keep_answer`): what its handler hands its use case and renders
    with."""
    known = interaction.extras.get(ANSWER)
    if not isinstance(known, Request):
        raise RuntimeError(f"interaction {interaction.id} was not answered as it started")
    return known


def keep_answer(interaction: Interaction, request: Request) -> None:
    """Keep the request a use case read for `interaction` (one that takes who asks and where
    in its own), for whatever is said about it later (an error, the commander's note)."""
    interaction.extras[ANSWER], interaction.extras[LOCALE] = request, request.locale


def asker_of(interaction: Interaction) -> Asker:
    """The person who ran the command: whose limits its work counts against."""
    return asked_by(interaction.user.id)


def notes_commander(interaction: Interaction) -> bool:
    """Whether the language of whoever runs the command of `interaction` (or submits the form
    it opened) is noted for their place: direct messages have no server language, so what the
    bot posts there unasked (automatic transcripts) follows the person's, as their last
    command showed it; /forget leaves nothing behind, not even that."""
    command = interaction.command
    return (
        interaction.type in _COMMANDS
        and interaction.guild_id is None
        and (command is None or command.name != "forget")
    )


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


def unasked(message: discord.Message) -> Asker:
    """Who a voice message is transcribed for because its place transcribes every one: in
    direct messages the sender, who asked by sending it; in a server nobody, counted against
    the sender."""
    return asked_by(message.author.id) if message.guild is None else sent_by(message.author.id)


def can_manage(interaction: Interaction) -> bool:
    """DMs manage themselves, and so do a user's own preferences where the bot is theirs alone;
    in a server it takes Manage Server in the channel of the command (Discord computes those
    permissions into the interaction, so no extra request is needed)."""
    if interaction.guild_id is None or not reaches_channel(interaction):
        return True
    return interaction.permissions.manage_guild
