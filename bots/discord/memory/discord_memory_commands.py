"""Voice memory on Discord: `/find phrase`, privately, with page buttons
(`core.app.memory.chat_search`); `/forget`, everything stored for the server (or the user, in DMs)
deleted (`core.app.memory.forgetting`).

The server's kept transcripts are searched, but only in the channels the member may read at
the moment of the search (`place_access.readable_places`), each page shown included; each moment
links to its message (its jump link), a call's line names its voice channel. Five moments to a page
(`DISCORD_PAGE_SIZE`, where Telegram and the command line show ten: Discord's 2,000 characters
hold five with their links). The page buttons live as long as the answer's view
(`PAGE_TIMEOUT`): after a restart, `/find` again.

A message deleted in a server takes what was kept of its recording with it
(`MemorySearch.forget_said`): nobody finds what its author took back; a channel or thread deleted
takes what was said in it (`MemorySearch.forget_place`). A private thread's moments show
to those in it only. Discord tells a bot of those added to a thread after it; who was in it
before, the bot asks when it is added, and again for each private thread it is in whenever it
connects (`learn_thread_members`); removed from one, the bot knows nobody in it any more.
Without the Server Members intent (DISCORD_MEMBERS_INTENT=false) Discord tells the bot of
nobody joining or leaving, and lists nobody: it knows no one in a private thread, whose
moments show to those who may manage its threads and to members who search within it.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.answers.discord_asker import answer_of, asker_of, can_manage
from bots.discord.answers.discord_replies import Interaction, followup_of
from bots.discord.answers.error_handler import on_app_command_error
from bots.discord.answers.interaction_acks import PRIVATE, answers
from bots.discord.discord_wording import text
from bots.discord.discordpy_internals import forget_thread_members, learn_thread_members
from bots.discord.place_access import channel_of, for_interaction, place_of, readable_places
from core.app.memory.chat_search import MemorySearch
from core.app.memory.forgetting import ForgetRequest, Forgetting
from core.chat.find_results_wording import Markup, found_text, link_to
from core.domain import errors
from core.domain.memory.search_rules import FoundPage
from core.domain.shared_values import ChatRef

logger = logging.getLogger(__name__)

__all__ = ["MARKDOWN", "MemoryCog"]

# Moments to a /find page on Discord: its 2,000 characters a message hold five with their
# links, where Telegram's 4,096 hold `core.domain.memory.search_rules.PAGE_SIZE` (ten).
DISCORD_PAGE_SIZE = 5
PAGE_TIMEOUT = 15 * 60.0  # seconds the page buttons answer
MARKDOWN = Markup(
    escape=lambda words: discord.utils.escape_mentions(discord.utils.escape_markdown(words)),
    bold=("**", "**"),
    anchor=lambda label, url: f"[{label}](<{url}>)",
    channel=lambda channel: f"<#{channel}>",
    width=100,
)


class MemoryCog(commands.Cog):
    """`/find`: where something was said in the server's voice messages and calls; `/forget`."""

    def __init__(
        self, memory: MemorySearch, *, forgetting: Forgetting, thread_members: bool = True
    ) -> None:
        """`thread_members`: whether the bot holds the Server Members intent, which Discord's
        list of a thread's members, and its news of who leaves it, need."""
        self.memory = memory
        self.forgetting = forgetting
        self.thread_members = thread_members

    @commands.Cog.listener()
    async def on_raw_message_delete(self, event: discord.RawMessageDeleteEvent) -> None:
        """A message deleted in a server: what was kept of a recording it carried goes too."""
        if event.guild_id is not None:
            await self.memory.forget_said(
                place_of(guild_id=event.guild_id), [str(event.message_id)],
                place=str(event.channel_id),
            )  # fmt: skip

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, event: discord.RawBulkMessageDeleteEvent) -> None:
        """Messages deleted at once (a moderator's purge): the same, for each."""
        if event.guild_id is not None:
            await self.memory.forget_said(
                place_of(guild_id=event.guild_id), sorted(str(i) for i in event.message_ids),
                place=str(event.channel_id),
            )  # fmt: skip

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        """A channel deleted: what was kept of what was said in it (its calls too) goes."""
        await self.memory.forget_place(place_of(guild_id=channel.guild.id), str(channel.id))

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        """A thread deleted: the same, for what was said in it."""
        server = place_of(guild_id=payload.guild_id)
        await self.memory.forget_place(server, str(payload.thread_id))

    @commands.Cog.listener()
    async def on_thread_join(self, thread: discord.Thread) -> None:
        if self.thread_members:
            await members_of(thread)

    @commands.Cog.listener()
    async def on_thread_remove(self, thread: discord.Thread) -> None:
        """The bot was removed from the thread: who is in it is no longer known."""
        forget_thread_members(thread)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        """Who is in each private thread, asked again: never without the Server Members
        intent, whose list would not be kept current (nobody's leaving is told)."""
        if not self.thread_members:
            return
        for thread in guild.threads:
            if thread.me is not None:
                await members_of(thread)

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

    @app_commands.command(
        description="Delete everything stored for this server (or you, in DMs)",
        extras=answers(PRIVATE),
    )
    async def forget(self, interaction: Interaction) -> None:
        """/forget: preferences, channel overrides and summary markers of this server or DM."""
        chat = for_interaction(interaction)
        await self.forgetting.forget(
            ForgetRequest(
                chat, can_manage=can_manage(interaction), inside=_channels_in(interaction)
            )
        )
        locale = answer_of(interaction).locale
        await followup_of(interaction, ephemeral=True)(content=text("discord.forget.done", locale))

    async def page(
        self, interaction: Interaction, words: str, number: int, locale: str
    ) -> tuple[str, discord.ui.View]:
        """Page `number` for the member of `interaction`, and its buttons."""
        chat = for_interaction(interaction)
        found = await self.memory.find(
            chat, words, page=number, places=readable_places(interaction), size=DISCORD_PAGE_SIZE,
            asker=asker_of(interaction),
        )  # fmt: skip
        body = found_text(
            found, locale, markup=MARKDOWN, link=lambda moment: link_to(chat, moment),
            days=self.memory.retention_days,
        )  # fmt: skip
        return body, Pages(self, words, found, locale)


async def members_of(thread: discord.Thread) -> None:
    """Who is in a private thread the bot is in, asked of Discord; when it cannot tell (no
    Server Members intent), the thread's moments show to those who may manage its threads and
    to members who run `/find` in it."""
    if not thread.is_private():
        return
    try:
        await learn_thread_members(thread)
    except discord.HTTPException as error:
        logger.warning("could not list the members of a private thread (%s): its moments show "
                       "only to those who manage threads, or within it", error.status)  # fmt: skip


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

    async def show_page(self, interaction: Interaction, number: int) -> None:
        """Page `number` in place of this one; what refuses it (the searches' limit, say)
        answered to its member alone, as a command's failure is, the page left as it was."""
        try:
            body, view = await self.cog.page(interaction, self.words, number, self.locale)
        except Exception as error:  # a button has no command tree to report to
            await on_app_command_error(interaction, error)
            if not isinstance(error, errors.VoicebridgeError):
                raise  # a bug: discord.py logs it
            return
        await interaction.response.edit_message(content=body, view=view)

    @discord.ui.button(label="‹", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: Interaction, button: discord.ui.Button[Pages]) -> None:
        await self.show_page(interaction, self.number - 1)

    @discord.ui.button(label="›", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: Interaction, button: discord.ui.Button[Pages]) -> None:
        await self.show_page(interaction, self.number + 1)


def _channels_in(interaction: Interaction) -> list[ChatRef]:
    """Every channel and thread of the server the command runs in (the DM channel in DMs): the
    places that may hold a channel override or a last-summary marker."""
    assert interaction.channel_id is not None  # application commands always run in a channel
    ids = {interaction.channel_id}
    guild = interaction.guild
    if guild is not None:
        ids.update(c.id for c in guild.channels)
        ids.update(t.id for t in guild.threads)
    return [channel_of(i) for i in sorted(ids)]
