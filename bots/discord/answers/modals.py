"""Modals whose submission runs once, like a command, and that a restart can rebuild."""

from __future__ import annotations

import discord

from bots.discord.answers.client_fields import voicebridge
from bots.discord.answers.discord_replies import Interaction
from bots.discord.answers.interaction_acks import PRIVATE, Ack, acknowledge_and_claim
from bots.discord.claims_and_redo.crash_redo import modal_id

__all__ = ["ClaimedModal"]


class ClaimedModal(discord.ui.Modal):
    """A modal whose submission runs once, like a command: acknowledged as it arrives (`ack`),
    and a second delivery of the same submission (a resumed gateway session, another shard's
    process) is ignored. Subclasses implement `submitted` instead of `on_submit`."""

    ack: Ack = PRIVATE
    kind: str = ""  # what the modal is for, in its custom_id: a cog rebuilds it by this

    def __init__(self, *, title: str, message: discord.Message, user_id: int) -> None:
        # A custom_id that names what the modal is about, so a restarted process can rebuild it
        # and redo a submission its predecessor was working on
        # (`bots.discord.claims_and_redo.crash_redo`).
        super().__init__(title=title, custom_id=modal_id(self.kind, message, user_id))

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        return await acknowledge_and_claim(interaction, self.ack)

    async def on_submit(self, interaction: Interaction, /) -> None:
        try:
            await self.submitted(interaction)
        finally:
            await voicebridge(interaction).work.finish_claimed(interaction)

    async def submitted(self, interaction: Interaction, /) -> None:
        raise NotImplementedError
