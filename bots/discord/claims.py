"""What of Discord is claimed before it is handled (see `core.app.claims`), and how an interrupted
request is reported after a restart.

Claims name the channel as the rest of the Discord adapter stores it (`channel:<id>`, so `/forget`
finds them). Voice messages (the messages that lead to work) are claimed by message id, commands,
message menus, modal submissions ("Ask about this audio", "Clone this voice") and button clicks
("Gist", "Speak") by interaction id. Autocomplete is not claimed: it answers at once and is
asked again as the user types.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bots.discord.acks import PRIVATE, Ack, defer
from bots.discord.media import voice_message_in
from bots.discord.messages import text
from bots.discord.places import channel_of, preferences_of, reaches_channel
from bots.discord.redo import RawInteractions, modal_id, redo_payload
from core.app.claims import WorkLedger
from core.chat.languages import DEFAULT_LOCALE, ChatLanguages, resolve_locale
from core.domain.claims import Claim

logger = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]
REDO_MESSAGE = "message"
"""A voice message's claim stores this much to redo it from: the message is fetched again."""
CLAIMED = "voicebridge.claimed"
"""`Interaction.extras` key: this process claimed the interaction, so it marks it done."""


def message_claim(message: discord.Message) -> Claim | None:
    """The claim on a message that leads to work: a voice message from a person."""
    if message.author.bot or voice_message_in(message) is None:
        return None
    return Claim("discord", channel_of(message.channel.id).chat_id, str(message.id))


CLAIMED_INTERACTIONS = (
    discord.InteractionType.application_command,
    discord.InteractionType.modal_submit,
    discord.InteractionType.component,
)


def interaction_claim(interaction: Interaction) -> Claim | None:
    """The claim on a slash command, message menu, modal submission or button click."""
    if interaction.type not in CLAIMED_INTERACTIONS:
        return None
    channel = interaction.channel_id or interaction.user.id  # always set for commands
    # Where the bot is not in the place, nothing can be posted there: the claim names the user.
    user = preferences_of(user_id=interaction.user.id)
    place = channel_of(channel) if reaches_channel(interaction) else user
    return Claim(
        "discord",
        place.chat_id,
        str(interaction.id),
        "command",
        requester=str(interaction.user.id),
    )


async def claim_first(work: WorkLedger | None, interaction: Interaction, ack: Ack | None) -> bool:
    """Whether this delivery of `interaction` is the one to handle: it claimed the interaction
    (and `finish_claimed` marks it done), or there is nothing to claim it with. One that was
    acknowledged (`ack`) is stored with its claim, to be redone should this process die."""
    claim = interaction_claim(interaction)
    if work is None or claim is None:
        return True
    raws: RawInteractions | None = getattr(interaction.client, "raw_interactions", None)
    data = raws.take(interaction.id) if raws is not None else None
    # An answer only the interaction can carry (private, or where the bot may not post) is
    # redone only while its token lasts.
    private = ack == PRIVATE or not reaches_channel(interaction)
    payload = None if data is None or ack is None else redo_payload(data, private=private)
    first = await work.claim(claim, payload)
    if first:
        interaction.extras[CLAIMED] = claim
    return first is not False


async def acknowledge_and_claim(interaction: Interaction, ack: Ack) -> bool:
    """For what the command tree does not see (modal submissions, clicks): nothing new once the
    bot is stopping; acknowledged with `ack` as it arrives; then run by the first delivery
    that claims it."""
    client = interaction.client
    if getattr(client, "stopping", False):
        return False
    if not await defer(interaction, ack):
        return False
    return await claim_first(getattr(client, "work", None), interaction, ack)


async def finish_claimed(work: WorkLedger | None, interaction: Interaction) -> None:
    """The interaction this process claimed has ended, answered or failed."""
    claim = interaction.extras.get(CLAIMED)
    if work is not None and isinstance(claim, Claim):
        await work.finish(claim)


class ClaimedModal(discord.ui.Modal):
    """A modal whose submission runs once, like a command: acknowledged as it arrives (`ack`),
    and a second delivery of the same submission (a resumed gateway session, another shard's
    process) is ignored. Subclasses implement `submitted` instead of `on_submit`."""

    ack: Ack = PRIVATE
    kind: str = ""  # what the modal is for, in its custom_id: a cog rebuilds it by this

    def __init__(self, *, title: str, message: discord.Message, user_id: int) -> None:
        # A custom_id that names what the modal is about, so a restarted process can rebuild it
        # and redo a submission its predecessor was working on (`bots.discord.redo`).
        super().__init__(title=title, custom_id=modal_id(self.kind, message, user_id))

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        return await acknowledge_and_claim(interaction, self.ack)

    async def on_submit(self, interaction: Interaction, /) -> None:
        try:
            await self.submitted(interaction)
        finally:
            await finish_claimed(getattr(interaction.client, "work", None), interaction)

    async def submitted(self, interaction: Interaction, /) -> None:
        raise NotImplementedError


async def tell_interrupted(client: discord.Client, chats: ChatLanguages, claim: Claim) -> None:
    """Tell the channel that the restarted bot could not finish `claim`: a reply to the message,
    or, for a command (whose "thinking…" answer is gone with the old process), a message naming
    the person who ran it. Mentions never ping (the bot allows none). In the channel's language:
    who asked, and in which language, is not kept. A command from a place the bot is not in
    (claimed under its user) cannot be told: its token died with the process, and the bot may
    not post there."""
    if claim.chat_id.startswith("user:"):
        logger.info("interrupted %s where the bot may not post; nobody to tell", claim)
        return
    channel_id = int(claim.chat_id.removeprefix("channel:"))  # bare: claimed before 2026-11-22
    locale = await channel_locale(client, chats, channel_id)
    channel = client.get_partial_messageable(channel_id)
    if claim.kind == "command":
        mention = f"<@{claim.requester}>"
        await channel.send(text("discord.work.interrupted", locale, user=mention))
        return
    message = channel.get_partial_message(int(claim.message_id))
    # Sent even when the message is gone meanwhile: the channel should still hear of it.
    reference = message.to_reference(fail_if_not_exists=False)
    told = text("work.interrupted", locale)
    await channel.send(told, reference=reference, mention_author=False)


async def channel_locale(client: discord.Client, chats: ChatLanguages, channel_id: int) -> str:
    """The language of what a channel gets, asked of Discord: this runs at start-up, before the
    gateway has said which servers and channels there are."""
    try:
        channel = await client.fetch_channel(channel_id)
        server = getattr(channel, "guild", None)
        if server is not None:
            guild = await client.fetch_guild(server.id)
            platform = resolve_locale(guild.preferred_locale.value)
            return await chats.chat_locale(preferences_of(guild_id=guild.id), platform=platform)
        recipient = getattr(channel, "recipient", None)
        if recipient is not None:
            return await chats.chat_locale(preferences_of(user_id=recipient.id))
    except discord.HTTPException:
        logger.info("could not tell the language of channel %s; telling it in English", channel_id)
    return DEFAULT_LOCALE
