"""The bot as the adapter's modules see it: `VoicebridgeClient`, the fields of our own that they
read off an interaction's client. `bot.VoicebridgeBot` has them all (mypy checks it there); a
Protocol here spares the modules an import of bot.py, which imports them."""

from __future__ import annotations

from typing import Any, Protocol

import discord

from bots.discord.work.crash_redo import CrashRedo
from bots.discord.work.in_progress import WorkInProgress
from core.app.rules.requests import Audiences

__all__ = ["VoicebridgeClient", "voicebridge"]


class VoicebridgeClient(Protocol):
    work: WorkInProgress
    """The requests under way: their claims, and what a stop waits for."""
    crash_redo: CrashRedo
    """Work taken over from a process that died, and the interactions being redone."""
    audiences: Audiences
    """Whom each answer is for (`who_asks.answer_to`)."""


def voicebridge(interaction: discord.Interaction[Any]) -> VoicebridgeClient:
    """The bot `interaction` reached, with its fields typed."""
    client: VoicebridgeClient = interaction.client
    return client
