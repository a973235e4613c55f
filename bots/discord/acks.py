"""Acknowledging an interaction before anything slow: Discord waits 3 seconds for it.

A command says how it is acknowledged where it is declared (`extras=answers(PUBLIC)`), and the
command tree defers it as it arrives, before the claim that makes it run once (a database
write, which a busy database may make slow). A command that answers with a modal, or refuses
at once, declares nothing and answers itself.

A second delivery of the same interaction (another shard's process, a resumed session) finds it
acknowledged already: Discord refuses its defer (40060), and it stops there.
"""

from __future__ import annotations

from typing import Literal

import discord

from bots.discord.replies import Interaction

ACK = "voicebridge.ack"
Ack = Literal["public", "private"]
PUBLIC: Ack = "public"  # "thinking…" in the channel; the answer is for everyone there
PRIVATE: Ack = "private"  # only the person who asked sees the answer
ALREADY_ACKNOWLEDGED = 40060


def answers(ack: Ack) -> dict[str, Ack]:
    """The `extras` of a command acknowledged with `ack` as it arrives."""
    return {ACK: ack}


async def acknowledge_first(interaction: Interaction) -> bool:
    """Defer `interaction` as its command declares, if it declares it; False when another
    delivery of it already did (it is theirs to answer)."""
    command = interaction.command
    if interaction.type is not discord.InteractionType.application_command or command is None:
        return True
    return await defer(interaction, command.extras.get(ACK))


async def defer(interaction: Interaction, ack: Ack | None) -> bool:
    """Defer with `ack`'s visibility (nothing for None); False when it was acknowledged already."""
    if ack is None or interaction.response.is_done():
        return True
    try:
        await interaction.response.defer(ephemeral=ack == PRIVATE, thinking=True)
    except discord.HTTPException as exc:
        if exc.code == ALREADY_ACKNOWLEDGED:
            return False
        raise
    return True
