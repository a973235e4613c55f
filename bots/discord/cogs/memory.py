"""Voice memory on Discord: `/find phrase`, privately, with page buttons (`core.app.memory`).

The server's kept transcripts are searched, but only in the channels the member may read at
the moment of the search (`access.readable_places`), a page's turn included; each moment links
to its message (its jump link), a call's line names its voice channel. Five moments to a page
(Discord's 2,000 characters hold five with their links). The page buttons live as long as the
answer's view (`PAGE_TIMEOUT`): after a restart, `/find` again.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.access import readable_places
from bots.discord.acks import PRIVATE, answers
from bots.discord.audiences import answer_of
from bots.discord.messages import text
from bots.discord.places import for_interaction
from bots.discord.replies import Interaction, followup_of
from core.app.memory import Memory
from core.chat.memory import Markup, found_text, link_to
from core.domain.memory import FoundPage

PAGE_SIZE = 5
PAGE_TIMEOUT = 15 * 60.0  # seconds the page buttons answer
MARKDOWN = Markup(
    escape=lambda words: discord.utils.escape_mentions(discord.utils.escape_markdown(words)),
    bold=("**", "**"),
    anchor=lambda label, url: f"[{label}](<{url}>)",
    channel=lambda channel: f"<#{channel}>",
    width=100,
)


class MemoryCog(commands.Cog):
    """`/find`: where something was said in the server's voice messages and calls."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    @app_commands.command(
        description="Find where something was said in voice messages and calls",
        extras=answers(PRIVATE),
    )
    @app_commands.describe(phrase="Words that were said")
    async def find(self, interaction: Interaction, phrase: str) -> None:
        """/find phrase: the newest moments where its words were said, privately."""
        locale = answer_of(interaction).locale
        body, view = await self.page(interaction, phrase, 0, locale)
        await followup_of(interaction, ephemeral=True)(content=body, view=view)

    async def page(
        self, interaction: Interaction, words: str, number: int, locale: str
    ) -> tuple[str, discord.ui.View]:
        """Page `number` for the member of `interaction`, and its buttons."""
        chat = for_interaction(interaction)
        found = await self.memory.find(
            chat, words, page=number, places=readable_places(interaction), size=PAGE_SIZE
        )
        body = found_text(
            found, locale, markup=MARKDOWN, link=lambda moment: link_to(chat, moment),
            days=self.memory.retention_days,
        )  # fmt: skip
        return body, Pages(self, words, found, locale)


class Pages(discord.ui.View):
    """Previous and Next under a page of `/find`."""

    def __init__(self, cog: MemoryCog, words: str, found: FoundPage, locale: str) -> None:
        super().__init__(timeout=PAGE_TIMEOUT)
        self.cog, self.words, self.number, self.locale = cog, words, found.page, locale
        self.previous.label = text("find.previous", locale)
        self.next.label = text("find.next", locale)
        self.previous.disabled = found.page == 0
        self.next.disabled = not found.more
        if found.page == 0 and not found.more:
            self.clear_items()

    async def turn(self, interaction: Interaction, number: int) -> None:
        body, view = await self.cog.page(interaction, self.words, number, self.locale)
        await interaction.response.edit_message(content=body, view=view)

    @discord.ui.button(label="‹", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: Interaction, button: discord.ui.Button[Pages]) -> None:
        await self.turn(interaction, self.number - 1)

    @discord.ui.button(label="›", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: Interaction, button: discord.ui.Button[Pages]) -> None:
        await self.turn(interaction, self.number + 1)
