"""Questions about a recording: /ask question attachment, and the message menu "Ask about this
audio", whose question comes from a modal; `/ask question call:True`, in a voice channel's chat,
asks about the last call the bot listened to there (`core.app.listening.past_calls`); `/ask
question` alone asks what was said in this channel's voice messages (and, in a voice channel's chat,
its calls) lately (`core.app.memory.chat_search`): the answer is for everyone in the channel, so it
is drawn from this channel alone, for a member who may read its history.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.answers.discord_asker import answer_of, asker_of, quick_locale
from bots.discord.answers.discord_replies import AnyBot, Interaction, followup_of, send_long
from bots.discord.answers.error_handler import on_app_command_error
from bots.discord.answers.interaction_acks import PUBLIC, answers
from bots.discord.answers.modals import ClaimedModal
from bots.discord.claims_and_redo.crash_redo import ModalRebuilder
from bots.discord.commands.localized_names import translatable
from bots.discord.discord_wording import text
from bots.discord.memory.discord_memory_commands import MARKDOWN
from bots.discord.place_access import for_interaction, place_of, require_history
from bots.discord.recording_attachments import (
    NothingNamedToAsk,
    NothingToAsk,
    recording_in,
    remote,
    require_audio,
)
from core.app.listening.past_calls import PastCalls
from core.app.memory.chat_search import MemorySearch
from core.app.recordings.questions import Questions
from core.chat.find_results_wording import link_to, moment_line
from core.domain import errors

__all__ = ["QuestionsCog"]

MAX_QUESTION_CHARS = 1000
# Moments an /ask without a reply cites under its answer on Discord, where Telegram cites ten:
# as many as a /find page shows here (`discord_memory_commands.DISCORD_PAGE_SIZE`: Discord's 2,000
# characters a message hold five with their links).
DISCORD_CITED_SHOWN = 5


class QuestionsCog(commands.Cog):
    """/ask, and "Ask about this audio" on any message with a recording."""

    def __init__(
        self,
        bot: AnyBot,
        questions: Questions,
        *,
        calls: PastCalls,
        memory: MemorySearch | None = None,
    ) -> None:
        self.bot = bot  # for message menus, added to `bot.tree` in `cog_load`
        self.questions = questions
        self.calls = calls
        self.memory = memory
        self.menu = app_commands.ContextMenu(
            name=translatable("Ask about this audio", "discord.menu.ask"),
            callback=self.ask_about_message,
        )

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    def modal_rebuilders(self) -> dict[str, ModalRebuilder]:
        return {QuestionModal.kind: self.rebuild_modal}

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @app_commands.command(description="Ask a question about a recording", extras=answers(PUBLIC))
    @app_commands.describe(
        question="Your question",
        attachment="A voice message, audio or video file",
        call="True: about the last call I listened to in this voice channel",
    )
    async def ask(
        self,
        interaction: Interaction,
        question: str,
        attachment: discord.Attachment | None = None,
        call: bool = False,
    ) -> None:
        """/ask question attachment: MiMo's answer about the recording; /ask question call:True:
        about the channel's last call."""
        if attachment is not None:
            await self.answer(interaction, attachment, question)
            return
        if not call and self.memory is not None and interaction.channel_id is not None:
            await self.recall(interaction, question)
            return
        if not call:
            raise NothingNamedToAsk()
        if interaction.guild_id is None or interaction.channel_id is None:
            raise errors.NoCallKept()
        require_history(interaction)  # the call's captions are the channel's history
        answer = await self.calls.ask(
            place_of(guild_id=interaction.guild_id),
            str(interaction.channel_id),
            question,
            asker=asker_of(interaction),
        )
        await send_long(
            followup_of(interaction), answer.text, file_caption="", file_name="answer.txt"
        )

    async def recall(self, interaction: Interaction, question: str) -> None:
        """/ask question alone: an answer from what was said in this channel, citing it."""
        assert self.memory is not None and interaction.channel_id is not None
        require_history(interaction)
        chat = for_interaction(interaction)
        recalled = await self.memory.ask(
            chat, question, asker=asker_of(interaction),
            places=frozenset({str(interaction.channel_id)}),
        )  # fmt: skip
        locale = answer_of(interaction).locale
        lines = [
            moment_line(
                moment,
                (),
                locale,
                number=number,
                zone=recalled.zone,
                markup=MARKDOWN,
                link=link_to(chat, moment),
            )
            for number, moment in recalled.cited[:DISCORD_CITED_SHOWN]
        ]
        cited = "\n".join([text("memory.cited", locale), *lines]) if lines else ""
        body = f"{recalled.text}\n\n{cited}".strip()
        await send_long(followup_of(interaction), body, file_caption="", file_name="answer.txt")

    async def ask_about_message(self, interaction: Interaction, message: discord.Message) -> None:
        """Message menu "Ask about this audio": a modal asks for the question (a modal must be
        the first response, so the recording is checked before and downloaded after it)."""
        recording = recording_in(message)
        if recording is None:
            raise NothingToAsk("no audio or video attachment")
        modal = QuestionModal(
            self, message, recording, user_id=interaction.user.id, locale=quick_locale(interaction)
        )
        await interaction.response.send_modal(modal)

    async def rebuild_modal(
        self, message: discord.Message, user_id: int, locale: str
    ) -> QuestionModal | None:
        """The modal a submission answered, made again after a restart
        (`bots.discord.claims_and_redo.crash_redo`)."""
        recording = recording_in(message)
        if recording is None:
            return None
        return QuestionModal(self, message, recording, user_id=user_id, locale=locale)

    async def answer(
        self,
        interaction: Interaction,
        attachment: discord.Attachment,
        question: str,
        *,
        message: discord.Message | None = None,
    ) -> None:
        """Answer a deferred interaction about `attachment` (carried by `message`, where it is
        one's: its deletion meanwhile keeps the answer from being sent). Shared by /ask and the
        modal of "Ask about this audio"."""
        require_audio(attachment)
        source = remote(attachment, message=message)
        answer = await self.questions.ask(answer_of(interaction), source, question)
        await send_long(
            followup_of(interaction), answer.text, file_caption="", file_name="answer.txt"
        )


class QuestionModal(ClaimedModal):
    """The question about one recording; submitting it answers like /ask."""

    ack = PUBLIC
    kind = "ask"

    def __init__(
        self,
        cog: QuestionsCog,
        message: discord.Message,
        recording: discord.Attachment,
        *,
        user_id: int,
        locale: str,
    ) -> None:
        super().__init__(title=text("discord.ask.title", locale), message=message, user_id=user_id)
        self.cog = cog
        self.asked_about = message  # the message whose recording is asked about
        self.recording = recording
        self.question: discord.ui.TextInput[QuestionModal] = discord.ui.TextInput(
            label=text("discord.ask.label", locale),
            custom_id="question",  # fixed, so a rebuilt modal reads a stored submission
            placeholder=text("discord.ask.placeholder", locale),
            style=discord.TextStyle.paragraph,
            max_length=MAX_QUESTION_CHARS,
        )
        self.add_item(self.question)

    async def submitted(self, interaction: Interaction, /) -> None:
        await self.cog.answer(
            interaction, self.recording, self.question.value, message=self.asked_about
        )

    async def on_error(  # type: ignore[override]  # discord.py types it as a view's
        self, interaction: Interaction, error: Exception, /
    ) -> None:
        # Modals report to themselves, not to the command tree: route them to the one handler.
        await on_app_command_error(interaction, error)
