"""Buttons that outlive the process: discord.py rebuilds one from each click's `custom_id` (a
`DynamicItem` registered with `add_dynamic_items`), and the button hands the click to the cog
that answers it, found by name on the bot. The Gist button (`gist_replies`) and the Speak button
(`speak_replies`) are built this way."""

from __future__ import annotations

import logging
from typing import Any, Protocol

import discord

from bots.discord.replies import Interaction

logger = logging.getLogger(__name__)


class TakesClicks(Protocol):
    async def take_click(self, interaction: Interaction) -> bool:
        """Acknowledge the click at once; False when it is not this process's to answer."""
        ...


def answering_cog(interaction: Interaction, name: str) -> Any:
    """The cog named `name` on the bot the click reached."""
    cog = interaction.client.get_cog(name)
    if cog is None:
        raise RuntimeError(f"no {name} on the bot to answer its buttons")
    return cog


async def cog_takes_click(interaction: Interaction, cog_name: str, custom_id: str) -> bool:
    """A button's `interaction_check`: the answering cog acknowledges the click (claims it,
    checks the allowlist); a failure is logged, since discord.py would drop it silently."""
    try:
        answerer: TakesClicks = answering_cog(interaction, cog_name)
        return await answerer.take_click(interaction)
    except Exception:
        logger.exception("could not take up a click on %s", custom_id)
        return False


def plain_button(custom_id: str, label: str) -> discord.ui.Button[Any]:
    return discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, custom_id=custom_id)


def view_of(item: discord.ui.Item[Any]) -> discord.ui.View:
    """A view that never times out, holding `item`: the message keeps its button for good."""
    view = discord.ui.View(timeout=None)
    view.add_item(item)
    return view
