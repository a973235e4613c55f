"""`/remember days`: a channel's past voice messages, transcribed into the server's memory
(`core.app.memory.importer`), so that `/find` and `/ask` know what was said before the bot came.

An administrator's (Manage Server) command, in a channel of a server the bot is in. The bot
reads the channel's history of the last `days` days, oldest first (it needs View Channel and
Read Message History there, and says so when it lacks them), keeps the voice messages members
recorded (the flag IS_VOICE_MESSAGE; no bot's, no webhook's), and answers privately with what it
found and what share of the server's daily quota and the bot's budget that is, under **Start**
and **Cancel**. Started, the work runs in the background, one import per channel at a time,
with a message in the channel edited as it goes (so the members see that their voice messages
are being transcribed), its end, and a pause when a day's quota runs out (said once); a
`/forget` in the server ends it first, and its message then says nothing was imported. A second
`/remember` later imports only what is not kept yet. A voice message deleted before or while
it is heard is skipped, nothing of it kept (`core.app.recordings.kept_transcripts`), and the import
goes on. Each voice message is kept under its attachment's id, its message and channel, so `/find`
shows it only to those who may read the channel (`place_access.readable_places`), like any other.

The name: `/remember` sits beside `/find` and `/forget`, and says what it does for the memory.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.answers.discord_asker import answer_of, can_manage
from bots.discord.answers.discord_progress_pace import USUAL
from bots.discord.answers.discord_replies import Interaction, followup_of
from bots.discord.answers.interaction_acks import PRIVATE, answers
from bots.discord.commands.user_installs import in_servers
from bots.discord.discord_wording import text
from bots.discord.place_access import place_of
from bots.discord.recording_attachments import RecordingGone
from core.app.memory.import_values import ImportPlan, ImportProgress, Past, PastVoice
from core.app.memory.importer import Importer
from core.app.recordings.piece_transcriber import NoLongerWanted
from core.domain import errors
from core.domain.message_splitting import format_duration
from core.domain.quantities import Duration, Share
from core.ports import background_tasks

logger = logging.getLogger(__name__)

__all__ = ["RememberCog"]

CONFIRM_TIMEOUT = 10 * 60.0  # seconds the Start button answers


class RememberCog(commands.Cog):
    """`/remember days`: the channel's past voice messages, into the server's memory."""

    def __init__(self, imports: Importer) -> None:
        self.imports = imports
        self.running: dict[int, asyncio.Task[None]] = {}  # by channel

    async def cog_unload(self) -> None:
        for task in self.running.values():
            task.cancel()

    @in_servers
    @app_commands.command(
        description="Transcribe this channel's past voice messages, so /find knows them",
        extras=answers(PRIVATE),
    )
    @app_commands.describe(days="How many days back")
    async def remember(
        self, interaction: Interaction, days: app_commands.Range[int, 1, 366] = 30
    ) -> None:
        """/remember days: what it found and would cost, asked before it starts."""
        locale = answer_of(interaction).locale
        send = followup_of(interaction, ephemeral=True)
        if not can_manage(interaction):
            raise errors.AdminsOnly(command="remember")
        channel = interaction.channel
        assert interaction.guild is not None and channel is not None  # in_servers
        if not isinstance(channel, discord.TextChannel | discord.Thread | discord.VoiceChannel):
            await send(content=text("discord.remember.not_here", locale))
            return
        mine = channel.permissions_for(interaction.guild.me)
        if not (mine.view_channel and mine.read_message_history):
            await send(content=text("discord.remember.no_history", locale))
            return
        if channel.id in self.running:
            await send(content=text("discord.remember.running", locale))
            return
        past = await self._past(channel, days)
        plan = await self.imports.plan(past)
        if not plan.voices:
            await send(
                content=found_text(plan, days, locale)
                + "\n"
                + text("discord.remember.nothing", locale)
            )
            return
        starter = interaction.user.mention
        view = Confirm(locale, start=lambda: self._start(channel, plan, locale, starter))
        await send(content=found_text(plan, days, locale), view=view)

    def _start(
        self, channel: discord.abc.Messageable, plan: ImportPlan, locale: str, starter: str
    ) -> bool:
        """The import in the background, unless one runs in the channel already; `starter`,
        the mention of the member who started it, named under each of its lines."""
        assert isinstance(channel, discord.abc.Snowflake)
        if channel.id in self.running:
            return False
        self.running[channel.id] = background_tasks.start(
            self._run(channel, plan, locale, starter), name="remember", about=channel.id
        )
        return True

    async def _past(self, channel: discord.abc.Messageable, days: int) -> Past:
        """The channel's voice messages of the last `days` days, recorded by members."""
        assert isinstance(channel, discord.abc.GuildChannel | discord.Thread)
        after = datetime.now(UTC) - timedelta(days=days)
        voices = []
        async for message in channel.history(limit=None, after=after, oldest_first=True):
            if not message.flags.voice or message.author.bot or message.webhook_id:
                continue
            recording = next((a for a in message.attachments if a.duration), None)
            if recording is None:
                continue
            voices.append(
                PastVoice(
                    message_id=str(message.id),
                    author=message.author.display_name,
                    author_id=str(message.author.id),
                    sent_at=message.created_at,
                    seconds=float(recording.duration or 0),
                    size=recording.size,
                    locate=_fresh_url(channel, message.id),
                    place=str(channel.id),
                    identity=str(recording.id),
                )
            )
        return Past(chat=place_of(guild_id=channel.guild.id), voices=voices, logged=False)

    async def _run(
        self, channel: discord.abc.Messageable, plan: ImportPlan, locale: str, starter: str
    ) -> None:
        status: discord.Message | None = None
        last = 0.0
        by = text("discord.remember.by", locale, member=starter)  # whom to ask about it

        try:
            status = await channel.send(
                f"{text('discord.remember.started', locale)}\n{by}",
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException:
            logger.warning("could not post the progress of an import in %s", channel)

        async def edit(content: str) -> None:
            if status is not None:
                try:
                    await status.edit(content=f"{content}\n{by}")
                except discord.HTTPException:
                    logger.warning("could not edit the progress of an import", exc_info=True)

        # The progress is edited beside the import, the rest in order: each of those first
        # waits for a progress edit still on its way, which would otherwise land after it (a
        # pause, or the end, overwritten by "1 of 2").
        counting: asyncio.Task[None] | None = None
        # A pause said stays on top of every count until the day it waits for has come: a
        # message heard while another was refused is counted after the pause was said.
        pause_said, pause_ends = "", 0.0

        def progress(done: ImportProgress) -> None:
            nonlocal last, counting
            if counting is not None and not counting.done():
                return  # the next count will say it
            if time.monotonic() - last >= USUAL.remember_edit_seconds and done.done < done.total:
                last = time.monotonic()
                count = progress_text(done, locale)
                if time.monotonic() < pause_ends:
                    count = f"{pause_said}\n{count}"
                counting = background_tasks.start(edit(count), name="remember progress")

        async def say(content: str) -> None:
            if counting is not None:
                await asyncio.gather(counting, return_exceptions=True)
            await edit(content)

        async def paused(refused: errors.QuotaUsed) -> None:
            reset = refused.params.get("reset")
            wait = reset if isinstance(reset, Duration) else Duration(0)
            nonlocal pause_said, pause_ends
            pause_said = text("discord.remember.paused", locale, wait=wait)
            pause_ends = time.monotonic() + wait.seconds
            await say(pause_said)

        try:
            done = await self.imports.run(plan, progress=progress, paused=paused)
            if done.forgotten:  # /forget ended it: nothing of it is in memory
                await say(text("discord.remember.cancelled", locale))
                return
            transcribed = set(done.transcribed)  # not those skipped, deleted or failed
            minutes = format_duration(
                sum(voice.seconds for voice in plan.voices if voice.message_id in transcribed)
            )
            count, failed = len(transcribed), done.failed
            lines = [text("discord.remember.done", locale, count=count, minutes=minutes,
                         failed=failed)]  # fmt: skip
            if done.elsewhere:  # another /remember of the channel, on another replica
                lines.append(text("discord.remember.elsewhere", locale, count=done.elsewhere))
            await say("\n".join(lines))  # one status message, edited: both lines in it
        except Exception:
            logger.exception("the import of a channel's past failed")
            await say(text("discord.remember.failed", locale))
        finally:
            assert isinstance(channel, discord.abc.Snowflake)
            self.running.pop(channel.id, None)


def _fresh_url(channel: discord.abc.Messageable, message_id: int) -> Callable[[], Awaitable[str]]:
    """The recording's link when it is fetched: Discord's attachment links expire, and an
    import paused overnight would find yesterday's dead."""

    async def locate() -> str:
        try:
            message = await channel.fetch_message(message_id)
        except discord.NotFound:  # deleted since the plan: skipped, and the import goes on
            raise NoLongerWanted() from None
        recording = next((a for a in message.attachments if a.duration), None)
        if recording is None:
            raise RecordingGone(f"message {message_id} holds no voice message any more")
        return recording.url

    return locate


def found_text(plan: ImportPlan, days: int, locale: str) -> str:
    """What `/remember` found, and what it costs, in a few lines."""
    lines = [
        text(
            "discord.remember.found",
            locale,
            days=days,
            count=len(plan.voices),
            minutes=format_duration(plan.seconds),
        ),
    ]
    for key, count in (
        ("discord.remember.kept_before", plan.done_before),
        ("discord.remember.too_old", plan.too_old),
        ("discord.remember.left_out", plan.left_out),
    ):
        if count:
            lines.append(text(key, locale, count=count, days=plan.days))
    if plan.voices:
        for key, limit, left in (
            ("discord.remember.quota", plan.quota, plan.quota_left),
            ("discord.remember.budget", plan.budget, plan.budget_left),
        ):
            share = plan.share_of(limit)
            if share is None:
                lines.append(text(f"{key}_none", locale))
            else:
                lines.append(text(key, locale, share=Share(share), limit=Duration(limit),
                                  left=Duration(left)))  # fmt: skip
    return "\n".join(lines)


def progress_text(done: ImportProgress, locale: str) -> str:
    return text(
        "discord.remember.progress", locale, done=done.done, total=done.total,
        minutes=format_duration(done.seconds_done), of=format_duration(done.seconds_total),
    )  # fmt: skip


class Confirm(discord.ui.View):
    """**Start** and **Cancel** under what `/remember` found; only its asker sees them. The
    command has ended by then: nothing waits for the answer (a stop of the bot neither)."""

    def __init__(self, locale: str, *, start: Callable[[], bool]) -> None:
        super().__init__(timeout=CONFIRM_TIMEOUT)
        self.locale = locale
        self._start = start
        self.start.label = text("discord.remember.start", locale)
        self.cancel.label = text("discord.remember.cancel", locale)

    async def _say(self, interaction: Interaction, key: str) -> None:
        self.stop()
        await interaction.response.edit_message(content=text(key, self.locale), view=None)

    @discord.ui.button(label="Start", style=discord.ButtonStyle.primary)
    async def start(self, interaction: Interaction, button: discord.ui.Button[Confirm]) -> None:
        started = self._start()
        await self._say(interaction, "discord.remember.starting" if started else
                        "discord.remember.running")  # fmt: skip

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: Interaction, button: discord.ui.Button[Confirm]) -> None:
        await self._say(interaction, "discord.remember.cancelled")
