"""Acknowledging an interaction before anything slow: Discord waits 3 seconds for it.

A command says how it is acknowledged where it is declared (`extras=answers(PUBLIC)`), and the
command tree defers it as it arrives, before the claim that makes it run once (a database
write, which a busy database may make slow). A command that answers with a modal, or refuses
at once, declares nothing and answers itself.

A second delivery of the same interaction (another shard's process, a resumed session) finds it
acknowledged already: Discord refuses its defer (40060, or 10062 once its 3 seconds are over),
and it stops there.
"""

from __future__ import annotations

import logging
from typing import Literal

import discord

from bots.discord.redo import take_up
from bots.discord.replies import Interaction

ACK = "voicebridge.ack"
Ack = Literal["public", "private"]
PUBLIC: Ack = "public"  # "thinking…" in the channel; the answer is for everyone there
PRIVATE: Ack = "private"  # only the person who asked sees the answer
# Discord's answers to a defer that is not ours to make: acknowledged already (40060), or its
# 3 seconds are over (10062, Unknown interaction).
NOT_OURS = frozenset({40060, 10062})

logger = logging.getLogger(__name__)


def answers(ack: Ack) -> dict[str, Ack]:
    """The `extras` of a command acknowledged with `ack` as it arrives."""
    return {ACK: ack}


async def acknowledge_first(interaction: Interaction) -> bool:
    """Defer `interaction` as its command declares, if it declares it; False when another
    delivery of it already did (it is theirs to answer)."""
    return await defer(interaction, declared_ack(interaction))


def declared_ack(interaction: Interaction) -> Ack | None:
    """How the command of `interaction` declares it is acknowledged, if it does."""
    command = interaction.command
    if interaction.type is not discord.InteractionType.application_command or command is None:
        return None
    ack: Ack | None = command.extras.get(ACK)
    return ack


async def defer(interaction: Interaction, ack: Ack | None) -> bool:
    """Defer with `ack`'s visibility (nothing for None); False when it was acknowledged already."""
    if ack is None or interaction.response.is_done() or take_up(interaction):
        return True
    try:
        await interaction.response.defer(ephemeral=ack == PRIVATE, thinking=True)
    except discord.HTTPException as exc:
        if exc.code not in NOT_OURS:
            raise
        logger.info("ignored a second delivery of interaction %s (%s)", interaction.id, exc.code)
        return False
    return True
