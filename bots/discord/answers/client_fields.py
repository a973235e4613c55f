"""The bot as the adapter's modules see it: `VoicebridgeClient`, the fields of our own that they
read off an interaction's client. `bot_intents.VoicebridgeBot` has them all (mypy checks it
there); a Protocol here spares the modules an import of bot_intents.py, which imports them."""

from __future__ import annotations

from typing import Any, Protocol

import discord

from bots.discord.claims_and_redo.crash_redo import CrashRedo
from bots.discord.claims_and_redo.work_in_progress import WorkInProgress
from core.app.rules.request_audience import Audiences

__all__ = ["VoicebridgeClient", "voicebridge"]


class VoicebridgeClient(Protocol):
    work: WorkInProgress
    """The requests under way: their claims, and what a stop waits for."""
    crash_redo: CrashRedo
    """Work taken over from a process that died, and the interactions being redone."""
    audiences: Audiences
    """Whom each answer is for (`discord_asker.answer_to`)."""


def voicebridge(interaction: discord.Interaction[Any]) -> VoicebridgeClient:
    """The bot `interaction` reached, with its fields typed."""
    client: VoicebridgeClient = interaction.client
    return client
