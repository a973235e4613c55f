"""Guest Mode (Bot API 10.0): someone mentions the bot in a chat it is not in, as a reply to a
recording, and the bot answers there as a guest, once (`answerGuestQuery`), then edits that one
message through its `inline_message_id` as the work advances.

    @bot                  the transcript          @bot ask QUESTION     the answer
    @bot tldr             the gist, with times    @bot say TEXT         a voice note, as inline
    @bot translate [LANG] the translation                               mode sends it

The work is the caller's: their allowlist entry, their limits and quotas, their own chat's
preferences (language, voice, style), answers in their language. The caller is a person: an
anonymous administrator (who comes as the group, `sender_chat`) is refused in one line. A
recording transcribed for a guest query (a friend's voice note) has its transcript kept under
the caller's private chat with the bot (`core.app.recordings.kept_transcripts`), only as long as the
retention says (SUMMARY_RETENTION_DAYS), and `/forget` there deletes it. Nothing else of the chat is
kept beyond the claim that makes a second delivery harmless and lets a restart finish the answer
(`GuestAnswers`). Text longer than one message shows its beginning and a line saying it was cut; the
whole text goes to the caller's own chat with the bot, where they started it. The bot never writes
into the guest chat by its id: it is not a member there.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

from telegram import (
    Bot,
    InlineQueryResult,
    InlineQueryResultArticle,
    InlineQueryResultCachedVoice,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bots.telegram.answers.destinations import MESSAGE_LIMIT
from bots.telegram.answers.telegram_progress_pace import USUAL, Pace
from bots.telegram.answers.telegram_replies import error_text
from bots.telegram.recordings.media_files import recording_in, remote
from bots.telegram.telegram_wording import text
from bots.telegram.voices.inline_queries import CacheStore
from core.app.recordings.gists import Gists
from core.app.recordings.questions import Questions
from core.app.recordings.translations import Translations
from core.app.rules.request_audience import Audiences, Request
from core.app.rules.work_claims import Claims
from core.app.voice_note_events import RecordingEvent, VoiceNotes
from core.app.voices.inline_mode import InlineVoices
from core.chat.answer_languages import Audience, resolve_locale, translation_target
from core.chat.status_messages import TranscriptStatus
from core.chat.summary_wording import gist_card
from core.chat.transcript_files import TranscriptFormat
from core.domain import errors
from core.domain.message_splitting import split_message, utf16_units
from core.domain.mimo.account_minute_rules import PlaceListener
from core.domain.recordings.transcript_values import LongTranscript, Progress
from core.domain.rules.claim_values import Claim
from core.domain.rules.quotas_rules import asked_by
from core.domain.shared_values import ChatRef
from core.ports import Recording

logger = logging.getLogger(__name__)

__all__ = ["GUEST_CLAIMS", "GuestAnswers", "GuestHandlers", "article", "guest_claim"]

JOBS = ("tldr", "translate", "ask", "say")
TITLE_CHARS = 64


GUEST_CLAIMS = "guest"  # the chat of guest queries' claims (their chats are not the bot's)
_GUEST_ANSWER = "voicebridge_guest_answer"  # in a claim's payload: the answer's inline message


def guest_claim(query_id: str) -> Claim:
    return Claim("telegram", GUEST_CLAIMS, query_id)


class GuestAnswers:
    """Which guest queries this process is answering were answered already, by which inline
    message: noted in the query's claim (`claims`, when they are on) as the answer is sent, and
    read back when a redo starts from that claim."""

    def __init__(self, claims: Claims | None) -> None:
        self.claims = claims
        self._known: dict[str, str] = {}  # guest query id: its answer's inline message id

    def of(self, query_id: str) -> str | None:
        return self._known.get(query_id)

    async def note(self, update: Update, inline_message_id: str) -> None:
        message = update.guest_message
        if message is None or not message.guest_query_id:
            return
        self._known[message.guest_query_id] = inline_message_id
        if self.claims is not None:
            payload = json.dumps({**update.to_dict(), _GUEST_ANSWER: inline_message_id})
            await self.claims.amend(guest_claim(message.guest_query_id), payload)

    def forget(self, query_id: str) -> None:
        self._known.pop(query_id, None)

    def redone(self, data: dict[str, Any]) -> dict[str, Any]:
        """The update a claim's payload holds, its answer's inline message taken note of."""
        answered = data.pop(_GUEST_ANSWER, None)
        query_id = (data.get("guest_message") or {}).get("guest_query_id")
        if isinstance(answered, str) and query_id:
            self._known[str(query_id)] = answered
        return data


@dataclass(frozen=True)
class GuestRequest:
    """What the words after the mention ask for: `job` ("" for the transcript) and the rest."""

    job: str
    rest: str


def guest_request(message: Message, username: str) -> GuestRequest:
    """`@bot tldr` → ("tldr", ""); `@bot ask who comes?` → ("ask", "who comes?"); anything
    else after the mention (or nothing) asks for the transcript."""
    body = message.text or message.caption or ""
    words = re.sub(rf"@{re.escape(username)}\b", " ", body, flags=re.IGNORECASE).strip()
    first, _, rest = words.partition(" ")
    job = first.removeprefix("/").casefold()
    return GuestRequest(job, rest.strip()) if job in JOBS else GuestRequest("", words)


def article(body: str) -> InlineQueryResultArticle:
    """A guest answer that is text (its title shows nowhere in the chat)."""
    return InlineQueryResultArticle("answer", "voicebridge", InputTextMessageContent(body))


class GuestAnswer:
    """The one message the bot posts in answer to a guest query: sent by the first `post`,
    edited by the next ones. `answers` knows the message of a query answered before a
    restart."""

    def __init__(self, update: Update, message: Message, answers: GuestAnswers) -> None:
        self._update = update
        self._message = message
        self._answers = answers
        self.bot: Bot = message.get_bot()
        self._query = message.guest_query_id or ""
        self.inline_message_id = answers.of(self._query)

    async def post(self, body: str) -> None:
        if self.inline_message_id is None:
            await self.answer(article(body))
            return
        try:
            await self.bot.edit_message_text(body, inline_message_id=self.inline_message_id)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise

    async def answer(self, result: InlineQueryResult) -> None:
        sent = await self.bot.answer_guest_query(self._query, result)
        self.inline_message_id = sent.inline_message_id
        await self._answers.note(self._update, sent.inline_message_id)

    async def deliver(self, body: str, *, locale: str, name: str) -> None:
        """`body` as the answer; when it is longer than one message, its beginning and a line
        saying it was cut, the whole of it (as the file `name`) in the caller's own chat."""
        if utf16_units(body) <= MESSAGE_LIMIT:
            await self.post(body)
            return
        cut = text("guest.cut", locale)
        caller = self._message.from_user
        try:
            if caller is None:
                raise BadRequest("chat not found")
            await self.bot.send_document(
                caller.id, document=io.BytesIO(body.encode()), filename=name,
                caption=text("guest.whole", locale),
            )  # fmt: skip
        except TelegramError as exc:
            logger.info("a guest answer's whole text was not sent privately: %s", exc.message)
            cut = text("guest.cut_unsent", locale, bot=f"@{self.bot.username}")
        room = MESSAGE_LIMIT - utf16_units(cut) - 2
        beginning = split_message(body, room, measure=utf16_units)[0]
        await self.post(f"{beginning}\n\n{cut}")


class GuestTranscriptReply:
    """A transcript shown in the guest answer (`core.app.voice_note_events.TranscriptReply`):
    progress, then the transcript (cut past one message, see `GuestAnswer.deliver`). The guest
    answer stays if the work fails: an error line replaces it."""

    def __init__(self, answer: GuestAnswer, *, locale: str, piece_seconds: float, pace: Pace):
        self.locale = locale
        self.answer_id: str | None = None  # claimed as a guest query, not by a message
        self.shown_before = False
        self._answer = answer
        self._progress = TranscriptStatus(
            answer.post, locale=locale, piece_seconds=piece_seconds,
            min_interval=pace.group_edit_seconds, message_limit=MESSAGE_LIMIT,
            measure=utf16_units,
        )  # fmt: skip

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._progress.close()

    @property
    def progress(self) -> Callable[[Progress], None]:
        return self._progress.progress

    @property
    def waiting(self) -> PlaceListener:
        return self._progress.waiting

    async def deliver(
        self, result: LongTranscript, format: TranscriptFormat, *, below: str | None = None
    ) -> None:
        await self.settle()
        body = result.text or text("transcript.empty", self.locale)
        if result.text and below:
            body = f"{body}\n\n{below}"
        await self._answer.deliver(body, locale=self.locale, name="transcript.txt")

    async def settle(self) -> None:
        """No more progress: what is shown next is the result."""
        await self._progress.close()


class GuestView:
    """How a guest answer shows a recording's transcript
    (`core.app.voice_note_events.RecordingView`): in the answer, with nothing logged (the chat
    is not the bot's)."""

    def __init__(self, answer: GuestAnswer, *, piece_seconds: float, pace: Pace) -> None:
        self._answer = answer
        self._piece_seconds = piece_seconds
        self._pace = pace

    def reply(self, locale: str) -> GuestTranscriptReply:
        return GuestTranscriptReply(
            self._answer, locale=locale, piece_seconds=self._piece_seconds, pace=self._pace
        )

    def busy(self) -> contextlib.AbstractAsyncContextManager[object]:
        return contextlib.nullcontext()

    async def gist(self, gist: object, locale: str) -> None:
        """Never asked for: a guest transcript comes without its automatic gist."""

    def logged(self, words: str) -> None:
        return None


class GuestHandlers:
    """`guest_message` updates: parse the request, do the caller's work, answer in place."""

    def __init__(
        self,
        *,
        voice_notes: VoiceNotes,
        gists: Gists,
        translations: Translations,
        questions: Questions,
        inline: InlineVoices,
        audiences: Audiences,
        answers: GuestAnswers,
        cache_chat: int | None,
        piece_seconds: float,
        local_mode: bool,
        pace: Pace = USUAL,
    ) -> None:
        self.voice_notes = voice_notes
        self.gists = gists
        self.translations = translations
        self.questions = questions
        self.inline = inline
        self.audiences = audiences
        self.answers = answers
        self.cache_chat = cache_chat
        self.piece_seconds = piece_seconds
        self.local_mode = local_mode
        self.pace = pace

    async def message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """@bot [tldr|translate|ask|say ...] as a reply to a recording, in a chat the bot is
        not in: the answer, posted there as the bot's guest message."""
        message = update.guest_message
        if message is None or not message.guest_query_id or message.from_user is None:
            return
        asked = guest_request(message, context.bot.username)
        own = ChatRef("telegram", str(message.from_user.id))  # the caller's chat with the bot
        caller = Audience(person=resolve_locale(message.from_user.language_code))
        # The caller's request, in their own chat with the bot: its preferences read once.
        request = await self.audiences.request(own, caller, asker=asked_by(message.from_user.id))
        answer = GuestAnswer(update, message, self.answers)
        try:
            await self._work(message, asked, request, answer)
        except Exception as error:
            with contextlib.suppress(TelegramError):  # expired meanwhile: nothing to show it in
                await answer.post(error_text(error, request.locale))
            raise  # logged by the error handler, which leaves guest chats alone
        finally:
            self.answers.forget(message.guest_query_id)

    async def _work(
        self, message: Message, asked: GuestRequest, request: Request, answer: GuestAnswer
    ) -> None:
        if message.sender_chat is not None:  # an anonymous administrator: no person to serve
            raise errors.AnonymousCaller("a guest query on behalf of a chat")
        locale = request.locale
        if asked.job == "say":
            await self._say(answer, request, asked.rest)
            return
        recording = recording_in(message.reply_to_message)
        if recording is None or (asked.job == "ask" and not asked.rest):
            bot = f"@{message.get_bot().username}"
            await answer.post(text("guest.usage", locale, bot=bot))
            return
        source = remote(recording, local_mode=self.local_mode)
        first = "guest.transcribing" if asked.job in ("", "tldr") else "guest.working"
        if answer.inline_message_id is None:
            await answer.post(text(first, locale))
        jobs = {
            "": self._transcript,
            "tldr": self._gist,
            "translate": self._translation,
            "ask": self._answer,
        }
        await jobs[asked.job](answer, request, source, asked.rest)

    async def _transcript(
        self, answer: GuestAnswer, request: Request, source: Recording, rest: str
    ) -> None:
        view = GuestView(answer, piece_seconds=self.piece_seconds, pace=self.pace)
        asked = RecordingEvent(
            chat=request.chat, source=source, view=view,
            audience=Audience(person=request.locale), asker=request.asker,
        )  # fmt: skip
        await self.voice_notes.asked(asked)

    async def _gist(
        self, answer: GuestAnswer, request: Request, source: Recording, rest: str
    ) -> None:
        locale = request.locale
        reply = GuestTranscriptReply(
            answer, locale=locale, piece_seconds=self.piece_seconds, pace=self.pace
        )
        async with reply:
            gist = await self.gists.gist(
                request, source, progress=reply.progress, waiting=reply.waiting
            )
            await reply.settle()
        await answer.deliver(gist_card(gist, locale), locale=locale, name="gist.txt")

    async def _translation(
        self, answer: GuestAnswer, request: Request, source: Recording, rest: str
    ) -> None:
        target = translation_target(rest, reader=request.locale)
        translated = await self.translations.recording(request, source, target=target)
        await answer.deliver(translated, locale=request.locale, name="translation.txt")

    async def _answer(
        self, answer: GuestAnswer, request: Request, source: Recording, rest: str
    ) -> None:
        answered = await self.questions.ask(request, source, rest)
        await answer.deliver(answered.text, locale=request.locale, name="answer.txt")

    async def _say(self, answer: GuestAnswer, request: Request, words: str) -> None:
        """TEXT as a voice note in the caller's voice and style, as inline mode sends it."""
        locale = request.locale
        if answer.inline_message_id is not None:
            return  # answered before a restart: the voice note is in the chat
        if self.cache_chat is None:
            await answer.post(text("guest.say_unavailable", locale))
            return
        if not words:
            await answer.post(text("guest.usage", locale, bot=f"@{answer.bot.username}"))
            return
        voice = await self.inline.voice_for(
            request, words, store=CacheStore(answer.bot, self.cache_chat)
        )
        title = words if len(words) <= TITLE_CHARS else f"{words[: TITLE_CHARS - 1]}…"
        await answer.answer(InlineQueryResultCachedVoice("voice", voice.file_id, title))
