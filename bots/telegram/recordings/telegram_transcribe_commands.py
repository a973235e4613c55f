"""The handlers of a chat's recordings: a voice note or file arrived (transcribed, heard as a
consent reading, or its caption's question answered), /transcribe and /ask as a reply to one.
Parse the update, call one use case, render what comes back."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bots.telegram.answers.destinations import Destination
from bots.telegram.answers.group_visibility import answer_to
from bots.telegram.answers.message_drafts import WorkShown
from bots.telegram.answers.telegram_asker import (
    chat_of,
    command_argument,
    for_command,
    message_of,
    stranger_locale,
    tell_usage,
)
from bots.telegram.answers.telegram_progress_pace import USUAL, Pace
from bots.telegram.answers.telegram_replies import reply_long
from bots.telegram.recordings.arrivals import arrival_of
from bots.telegram.recordings.media_files import Recording, recording_in, remote
from bots.telegram.recordings.telegram_transcript_reply import TelegramRecordingView
from bots.telegram.recordings.transcript_status_notes import StatusNotes
from bots.telegram.telegram_wording import CATALOGUE, text
from core.app.recordings.questions import Questions
from core.app.rules.request_audience import Audiences, Request
from core.app.voice_note_events import RecordingEvent, VoiceNotes
from core.app.voices.clone_consent import ConsentVerdict
from core.chat.settings_wording import (
    consent_verdict_text,
)
from core.chat.transcript_files import transcript_format
from core.domain.shared_values import Answer as Answered

__all__ = ["RecordingHandlers"]


class RecordingHandlers:
    """What becomes of a recording the chat sends or points at, with the use cases it calls."""

    def __init__(
        self,
        *,
        voice_notes: VoiceNotes,
        audiences: Audiences,
        questions: Questions,
        piece_seconds: float,
        local_mode: bool,
        status_notes: StatusNotes | None = None,
        pace: Pace = USUAL,
    ) -> None:
        self.voice_notes = voice_notes
        self.status_notes = status_notes  # None: updates are not claimed
        self.audiences = audiences
        self.questions = questions
        self.piece_seconds = piece_seconds  # what a transcript's progress counts in
        self.local_mode = local_mode
        self.pace = pace

    async def recording(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A voice note or other recording arrived: parsed once (`arrivals.arrival_of`), handed
        to the core once (`VoiceNotes.arrived`: a consent reading, a question, or a recording
        to transcribe), and what comes back rendered: a reading's answer, a question's."""
        message = message_of(update)
        arrival = arrival_of(update, local_mode=self.local_mode)
        if arrival is None:
            return
        view = self._view(update, message)
        came = await self.voice_notes.arrived(arrival, view)
        if isinstance(came, ConsentVerdict):  # the sender's reading of their consent sentence
            await (await answer_to(update, locale=came.locale)).text(reading_answer(came))
        elif isinstance(came, Answered):  # the answer to the question its caption asked
            await reply_long(message, came.text, file_caption="", file_name="answer.txt")

    async def transcribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/transcribe [txt|srt] as a reply to a recording. Who asks goes into the request: the
        use case reads the chat's preferences once (`RecordingEvent`). In a group the transcript
        is for the asker alone where it can be (`group_visibility.answer_to`), streamed as it
        comes."""
        message = message_of(update)
        target = message.reply_to_message
        recording = recording_in(target)
        if target is None or recording is None:
            await tell_usage(self.audiences, update, "usage.transcribe")
            return
        source = remote(recording, local_mode=self.local_mode, message=target)
        answer = await answer_to(update, locale=stranger_locale(update))
        audience, asker = for_command(update)
        asked = RecordingEvent(
            chat=chat_of(update), source=source,
            view=self._view(update, target, answer=None if answer.here else answer),
            audience=audience, asker=asker, commander=True,
        )  # fmt: skip
        await self.voice_notes.asked(asked, format=transcript_format(command_argument(message)))

    async def ask(self, update: Update, request: Request) -> None:
        """/ask QUESTION as a reply to a recording."""
        message = message_of(update)
        target = message.reply_to_message
        recording = recording_in(target)
        question = command_argument(message)
        if target is None or recording is None or not question:
            await message.reply_text(text("usage.ask", request.locale))
            return
        await self._ask(message, recording, question, request)

    def _view(
        self, update: Update, message: Message, *, answer: Destination | None = None
    ) -> TelegramRecordingView:
        """How the chat sees `message`'s recording, its status noted in `update`'s claim."""
        note = None if self.status_notes is None else self.status_notes.of(update)
        return TelegramRecordingView(
            message, piece_seconds=self.piece_seconds, pace=self.pace, answer=answer, note=note
        )

    async def _ask(
        self, message: Message, recording: Recording, question: str, request: Request
    ) -> None:
        """Answer `question` about `recording`, asked in `request`, replying to `message`."""
        source = remote(recording, local_mode=self.local_mode)
        # A "Thinking…" draft (how many go first while MiMo is waited for), or "typing…".
        async with WorkShown(message, self.pace, locale=request.locale) as work:
            answered = await self.questions.ask(request, source, question, waiting=work.waiting)
        await reply_long(message, answered.text, file_caption="", file_name="answer.txt")


def reading_answer(verdict: ConsentVerdict) -> str:
    """What the reader hears once their voice is cloned, or why not."""
    return consent_verdict_text(
        verdict.name, verdict.locale, refused=verdict.refused, wording=CATALOGUE
    )
