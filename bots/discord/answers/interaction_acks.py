"""Acknowledging an interaction before anything slow: Discord waits 3 seconds for it.

A command says how it is acknowledged where it is declared (`extras=answers(PUBLIC)`), and the
command tree defers it as it arrives, before the claim that makes it run once (a database
write, which a busy database may make slow). A command that answers with a modal, or refuses
at once, declares nothing and answers itself.

Once claimed, its request is read (`decide_answer`: who asks, their language, the place's, the
place's preferences, read once), and the cog hands it to its use case and renders with it; a
command whose use case takes who asks in a request of its own (`asker_in_request`: /say,
/transcribe) leaves that to the use case.

A second delivery of the same interaction (another shard's process, a resumed session) finds it
acknowledged already: Discord refuses its defer (40060, or 10062 once its 3 seconds are over), and
it stops there. An interaction redone after a crash (`bots.discord.claims_and_redo.crash_redo`) was
acknowledged by the process that died: its acknowledgement is adopted instead
(`adopt_acknowledgement`).
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import discord

from bots.discord.answers.client_fields import voicebridge
from bots.discord.answers.discord_asker import CHANNEL, answer_to
from bots.discord.answers.discord_replies import Interaction
from bots.discord.answers.error_handler import on_app_command_error
from bots.discord.discordpy_internals import mark_deferred

__all__ = [
    "ACK",
    "PRIVATE",
    "PUBLIC",
    "Ack",
    "acknowledge_and_claim",
    "acknowledge_first",
    "answered_by_use_case",
    "answers",
    "claim",
    "decide_answer",
    "declared_ack",
]

ACK = "voicebridge.ack"
ASKER_IN_REQUEST = "voicebridge.asker_in_request"
Ack = Literal["public", "private"]
PUBLIC: Ack = "public"  # "thinking…" in the channel; the answer is for everyone there
PRIVATE: Ack = "private"  # only the person who asked sees the answer
# Discord's answers to a defer that is not ours to make: acknowledged already (40060), or its
# 3 seconds are over (10062, Unknown interaction).
NOT_OURS = frozenset({40060, 10062})

logger = logging.getLogger(__name__)


def answers(ack: Ack, *, asker_in_request: bool = False, channel: bool = False) -> dict[str, Any]:
    """The `extras` of a command acknowledged with `ack` as it arrives; `asker_in_request`: its
    use case takes who asks and where and reads the request itself (else `decide_answer`);
    `channel`: the request reads the channel's own auto-transcribe too (a command that shows
    it), in the same unit of work."""
    return {ACK: ack, ASKER_IN_REQUEST: asker_in_request, CHANNEL: channel}


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


def answered_by_use_case(interaction: Interaction) -> bool:
    """Whether the command of `interaction` leaves its answer to its use case (`answers`)."""
    command = interaction.command
    return command is not None and bool(command.extras.get(ASKER_IN_REQUEST))


async def acknowledge_and_claim(interaction: Interaction, ack: Ack) -> bool:
    """For what the command tree does not see (modal submissions, clicks): nothing new once the
    bot is stopping; acknowledged with `ack` as it arrives; then run by the first delivery
    that claims it."""
    work = voicebridge(interaction).work
    if not work.take_on():
        return False
    if not await defer(interaction, ack):
        return False
    return await claim(interaction, ack) and await decide_answer(interaction)


async def claim(interaction: Interaction, ack: Ack | None) -> bool:
    """Whether this delivery of `interaction`, acknowledged with `ack`, is the one to handle
    (`work_in_progress.WorkInProgress.claim`)."""
    work = voicebridge(interaction).work
    return await work.claim(interaction, acknowledged=ack is not None, private=ack == PRIVATE)


async def decide_answer(interaction: Interaction) -> bool:
    """The request of `interaction` read once, as it starts (`discord_asker.answer_to`): what its
    cog hands its use case and renders with (`discord_asker.answer_of`). False when that failed:
    the one error handler answered, and the claim is finished."""
    try:
        await answer_to(interaction)
    except Exception as error:
        await on_app_command_error(interaction, error)
        await voicebridge(interaction).work.finish_claimed(interaction)
        return False
    return True


async def defer(interaction: Interaction, ack: Ack | None) -> bool:
    """Defer with `ack`'s visibility (nothing for None); False when it was acknowledged already."""
    if ack is None or interaction.response.is_done():
        return True
    if adopt_acknowledgement(interaction):
        return True
    try:
        await interaction.response.defer(ephemeral=ack == PRIVATE, thinking=True)
    except discord.HTTPException as exc:
        if exc.code not in NOT_OURS:
            raise
        logger.info("ignored a second delivery of interaction %s (%s)", interaction.id, exc.code)
        return False
    return True


def adopt_acknowledgement(interaction: Interaction) -> bool:
    """Whether `interaction` is one this process is redoing (`crash_redo.CrashRedo.take_redone`); if
    so, it is marked deferred, as the process that died deferred it: its "thinking…"
    placeholder waits for this answer, and Discord would refuse a second defer."""
    if not voicebridge(interaction).crash_redo.take_redone(interaction):
        return False
    mark_deferred(interaction)
    return True
