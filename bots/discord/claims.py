"""What of Discord is claimed before it is handled (see `core.app.claims`), and how an interrupted
request is reported after a restart.

Voice messages (the messages that lead to work) are claimed by channel and message id, commands
and message menus by channel and interaction id. Autocomplete is not claimed: it answers at once
and is asked again as the user types.
"""

from __future__ import annotations

from typing import Any

import discord

from bots.discord.media import voice_message_in
from bots.discord.messages import text
from core.domain.claims import Claim

Interaction = discord.Interaction[Any]
CLAIMED = "voicebridge.claimed"
"""`Interaction.extras` key: this process claimed the interaction, so it marks it done."""


def message_claim(message: discord.Message) -> Claim | None:
    """The claim on a message that leads to work: a voice message from a person."""
    if message.author.bot or voice_message_in(message) is None:
        return None
    return Claim("discord", str(message.channel.id), str(message.id))


def interaction_claim(interaction: Interaction) -> Claim | None:
    """The claim on a slash command or message menu."""
    if interaction.type is not discord.InteractionType.application_command:
        return None
    channel = interaction.channel_id or interaction.user.id  # always set for commands
    return Claim(
        "discord", str(channel), str(interaction.id), "command", requester=str(interaction.user.id)
    )


async def tell_interrupted(client: discord.Client, claim: Claim) -> None:
    """Tell the channel that the restarted bot could not finish `claim`: a reply to the message,
    or, for a command (whose "thinking…" answer is gone with the old process), a message naming
    the person who ran it. Mentions never ping (the bot allows none)."""
    channel = client.get_partial_messageable(int(claim.chat_id))
    if claim.kind == "command":
        await channel.send(text("discord.work.interrupted", user=f"<@{claim.requester}>"))
        return
    message = channel.get_partial_message(int(claim.message_id))
    # Sent even when the message is gone meanwhile: the channel should still hear of it.
    reference = message.to_reference(fail_if_not_exists=False)
    await channel.send(text("work.interrupted"), reference=reference, mention_author=False)
