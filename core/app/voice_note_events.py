"""What a chat sees of a recording, one call per event: it arrived (`VoiceNotes.arrived`, handed
the `Arrival` its platform parsed once), or someone asked for its transcript
(`VoiceNotes.asked`).

Each call reads the chat's preferences once, in one unit of work (with, for a voice note that
arrived, the consent sentences open: it may be someone's reading of theirs, `VoiceConsents`),
and everything they decide follows from that one reading, the request
(`core.app.rules.request_audience. Request`) handed on to whatever else works on the recording:
whether a recording that arrived is transcribed at all, the language of what is shown, the
translation under the transcript (`/autotranslate`), whether its gist follows (`/tldr auto`,
`/autogist`). Once the chat has the whole answer (the transcript, and its gist where one follows),
the claim on the recording's message is marked done there and then
(`core.app.rules.work_claims.answered`). The adapter hands over a `RecordingView` that knows how its
platform shows a transcript reply, a gist and a busy chat, and what of the transcript its chat log
keeps for summaries; it makes no other call, and renders what comes back (a consent reading judged,
a question's answer).

A recording that arrived is one of three things, decided here in this order: its sender's
reading of their consent sentence (whatever else it is), a question about it (its caption, in a
private chat: `Arrival.question`), or a recording the chat may want transcribed.

The work itself (pieces, MiMo, limits, kept transcripts) is `core.app.recordings.transcription`.
Its MiMo requests are a person's, the chat's, in the account's minute
(`core.domain.mimo.account_minute_rules`): the chats alternate, and while they wait the reply says
so (`TranscriptReply.waiting`). A transcript under its translation (`/autotranslate`) waited for the
chat model after the transcription's own last look: it is looked at again as it leaves
(`core.app.rules.outgoing_check`), and a recording deleted, or a chat forgotten, meanwhile is no
longer wanted, as one deleted while it was heard (`NoLongerWanted`); so is a gist that follows it
(`Gists.automatic`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

from core.app.recordings.gists import Gists, follows
from core.app.recordings.piece_transcriber import NoLongerWanted
from core.app.recordings.questions import Questions
from core.app.recordings.transcription import Transcription
from core.app.recordings.translations import Translations
from core.app.rules.outgoing_check import Leaving, of_recording
from core.app.rules.request_audience import Audiences, Request
from core.app.rules.work_claims import answered
from core.app.voices.clone_consent import Candidate, ConsentReading, ConsentVerdict, VoiceConsents
from core.chat.answer_languages import Audience
from core.chat.transcript_files import TranscriptFormat
from core.domain import errors
from core.domain.memory.write_mandates import Mandate
from core.domain.mimo.account_minute_rules import PlaceListener, Urgency, asking
from core.domain.recordings.gist_format import Gist
from core.domain.recordings.transcript_values import LongTranscript, Progress
from core.domain.rules.quotas_rules import Asker
from core.domain.shared_values import Answer, ChatRef
from core.domain.summaries.summary_values import ChatMessage
from core.ports import Recording, VoiceUnitOfWork

__all__ = ["Arrival", "ArrivalView", "RecordingEvent", "TranscriptReply", "VoiceNotes"]


class ChatLog(Protocol):
    """Where what is said in a group is kept for its summaries (`SummaryService`)."""

    async def record(self, message: ChatMessage, *, mandate: Mandate | None = None) -> bool: ...


class TranscriptReply(Protocol):
    """The reply that follows a recording's transcription and becomes its transcript, as its
    platform shows it (what it says: `core.chat.status_messages.TranscriptStatus`,
    `transcript_shown`). Entered once the recording passed the chat's limits, left as the work
    ends (with what ended it); `answer_id`: the message that carries the transcript, once the
    platform confirmed it."""

    answer_id: str | None

    @property
    def shown_before(self) -> bool:
        """A status a process that died sent shows already (taken over): the reply then opens
        before the recording's checks, so that a refusal takes it away."""
        ...

    @property
    def progress(self) -> Callable[[Progress], None]:
        """The transcription's progress callback
        (`core.chat.status_messages.TranscriptStatus.progress`, mostly)."""
        ...

    @property
    def waiting(self) -> PlaceListener:
        """Told while the transcription's MiMo requests wait for their use of the account's
        minute (`core.chat.status_messages.TranscriptStatus.waiting`, mostly)."""
        ...

    async def deliver(
        self, result: LongTranscript, format: TranscriptFormat, *, below: str | None = None
    ) -> None:
        """Show `result` (`below`: its automatic translation)."""
        ...

    async def __aenter__(self) -> object: ...

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


class RecordingView(Protocol):
    """How one platform shows what becomes of one recording."""

    def reply(self, locale: str) -> TranscriptReply:
        """The reply that shows progress and becomes the transcript, in `locale`."""

    def busy(self) -> AbstractAsyncContextManager[object]:
        """What the chat sees while a recording that arrived is worked on (Discord: typing)."""

    async def gist(self, gist: Gist, locale: str) -> None:
        """Show the gist of the recording below its transcript."""

    def logged(self, words: str) -> ChatMessage | None:
        """The chat-log line the transcript `words` make, or None where nothing is logged."""


class ArrivalView(RecordingView, Protocol):
    """How one platform shows what becomes of a recording that arrived."""

    def thinking(self) -> AbstractAsyncContextManager[object]:
        """What the chat sees while a question asked about the recording is answered."""


@dataclass(frozen=True)
class RecordingEvent:
    """A recording in `chat`, and who it is for: what each call of `VoiceNotes` is handed."""

    chat: ChatRef
    source: Recording
    view: RecordingView  # how its platform shows what becomes of it
    audience: Audience  # whom the transcript is for: its language
    asker: Asker | None  # whose limits it counts against (None: nobody's)
    commander: bool = False  # asked by a command: its language noted (`Audiences.answering`)


@dataclass(frozen=True)
class Arrival:
    """A recording that arrived unasked, as its platform parsed it once: what arrived, who sent
    it, what it may be. What `VoiceNotes.arrived` is handed."""

    chat: ChatRef
    # Where to fetch it, and what its platform declares; None: nothing of it is transcribed (a
    # forwarded Discord voice message, whose part in spoken consent is all there is of it).
    source: Recording | None
    audience: Audience  # whom what is shown is for: its language
    asker: Asker | None  # whose limits it counts against (None: nobody's)
    channel: ChatRef | None = None  # the channel of `chat`, whose auto-transcribe may override
    reading: ConsentReading | None = None  # it may be its sender's reading of their sentence
    question: str | None = None  # asked about it (a caption, in a private chat): answered


# The transcript; a consent reading judged; the answer to its question; nothing to answer.
Arrived = LongTranscript | ConsentVerdict | Answer | None


class VoiceNotes:
    """Recordings that arrived, and transcripts asked for (see the module docstring)."""

    def __init__(
        self,
        *,
        audiences: Audiences,
        transcription: Transcription,
        consents: VoiceConsents,
        uow: Callable[[], VoiceUnitOfWork],
        questions: Questions,
        leaving: Leaving,
        translations: Translations | None = None,
        gists: Gists | None = None,
        log: ChatLog | None = None,
    ) -> None:
        self._leaving = leaving  # a transcript looked at again as it leaves
        self._audiences = audiences  # the chat's preferences, read once per event
        self._consents = consents  # a voice note may be someone's reading of their sentence
        self._uow = uow  # the consent sentences open read with the chat's preferences
        self._transcription = transcription
        self._questions = questions  # a caption may ask about its recording
        self._translations = translations
        self._gists = gists
        self._log = log

    async def arrived(self, arrival: Arrival, view: ArrivalView) -> Arrived:
        """A recording arrived unasked in its chat (in `arrival.channel` of it, which may
        override the chat's auto-transcribe). A voice note that may be someone's reading of
        their consent sentence is judged as such first (`VoiceConsents`), whatever the chat
        wants and however it is captioned: what became of it, for the adapter to answer, where
        it was the reading. Else the answer to its `question`, for the adapter to show, while
        `view` shows the chat it is thought about; else its transcript where the chat wants
        one, the translation below it and the gist after it where the chat asked for those.
        None where the chat wants no transcript, and where its message was deleted while it
        was heard (`core.app.recordings.kept_transcripts`)."""
        with asking(Urgency.PERSON, arrival.chat):  # its sender waits for what comes of it
            return await self._arrived(arrival, view)

    async def _arrived(self, arrival: Arrival, view: ArrivalView) -> Arrived:
        source = arrival.source
        if source is None:  # only its part in spoken consent
            reading = arrival.reading
            return None if reading is None else await self._consents.spoken_consent(reading)
        request, candidate = await self._decide(arrival)
        if candidate is not None:
            heard_as_reading = await self._consents.hear(candidate, request.prefs)
            if heard_as_reading is not None:
                return heard_as_reading
        if arrival.question:
            async with view.thinking():
                return await self._questions.ask(request, source, arrival.question)
        if not request.auto_transcribe:
            return None
        gists = self._gists

        def last(transcript: LongTranscript) -> bool:
            return gists is None or not follows(transcript, request.prefs)

        try:
            async with view.busy():
                transcript, answer = await self._show(
                    source, view, request, "text", last=last, rated=candidate is None
                )  # a note heard as a possible reading was counted then
                gist = None
                if gists is not None:
                    gist = await gists.automatic(request, source, transcript)
        except NoLongerWanted:  # its message was deleted while it was heard: nothing shows
            return None
        if gist is not None:
            await view.gist(gist, request.locale)
        if not last(transcript):  # the gist was the answer's last message, shown or gone
            await answered(answer)
        return transcript

    async def _decide(self, arrival: Arrival) -> tuple[Request, Candidate | None]:
        """The request (the chat's preferences), and the consent sentence the note may be a
        reading of, in one unit of work."""
        reading = arrival.reading
        async with self._uow() as uow:
            request = await self._audiences.request_in(
                uow, arrival.chat, arrival.audience, asker=arrival.asker, channel=arrival.channel
            )
            candidate = None if reading is None else await self._consents.candidate(uow, reading)
            await uow.commit()
        return request, candidate

    async def asked(
        self, event: RecordingEvent, *, format: TranscriptFormat = "text"
    ) -> LongTranscript:
        """Someone asked for the transcript of the recording (`/transcribe`, a message menu), as
        `format`; in the chat as text, with the chat's translation below it. Raises
        `errors.RecordingDeleted` when its message was deleted meanwhile."""
        request = await self._audiences.request(
            event.chat, event.audience, asker=event.asker, commander=event.commander
        )
        try:
            with asking(Urgency.PERSON, event.chat):  # who asked waits for it
                transcript, _ = await self._show(event.source, event.view, request, format)
        except NoLongerWanted:  # its message was deleted meanwhile: the asker is told so
            raise errors.RecordingDeleted() from None
        return transcript

    async def _show(
        self,
        source: Recording,
        view: RecordingView,
        request: Request,
        format: TranscriptFormat,
        *,
        last: Callable[[LongTranscript], bool] = lambda transcript: True,
        rated: bool = True,
    ) -> tuple[LongTranscript, str | None]:
        """Transcribe the recording, showing progress in the reply that becomes the transcript;
        the transcript, and the id of the message that carries it. The reply opens once the
        recording passed the chat's limits (`admitted`; a reply taken over from a process that
        died, at once): a refused one shows its refusal alone, never a status that flashes
        before it. Where it is the `last` of the answer, the claim is marked done the moment the
        platform confirmed it, before anything else (the status's end, the chat's log). `rated`:
        False for a note counted against the minute's rates already (heard as a possible
        consent reading, its transcript kept)."""
        reply = view.reply(request.locale)
        async with AsyncExitStack() as shown:
            opened: list[object] = []

            async def admitted() -> None:
                if not opened:
                    opened.append(await shown.enter_async_context(reply))

            if reply.shown_before:  # taken over: a refusal must take its status away
                await admitted()
            # Its reply says so while its requests wait for the account's minute.
            with asking(Urgency.PERSON, request.chat, waiting=reply.waiting):
                transcript = await self._transcription.transcribe_recording(
                    request.chat, source, prefs=request.prefs, progress=reply.progress,
                    asker=request.asker, admitted=admitted, rated=rated, mandate=request.mandate,
                )  # fmt: skip
            await admitted()  # opened already, unless the transcription never said so
            below = None
            if (
                format == "text"
                and self._translations is not None
                and request.prefs.autotranslate is not None  # the chat asked for translations
            ):
                below = await self._translations.below(request, transcript.text)
                # The translation was waited for after the transcription's last look.
                if not await self._leaving.stands(of_recording(request, source)):
                    raise NoLongerWanted()
            await reply.deliver(transcript, format, below=below)
            if last(transcript):
                await answered(reply.answer_id)
        # Logged after the reply and its mark, so storing it never delays either.
        entry = view.logged(transcript.text) if transcript.text else None
        if entry is not None and self._log is not None:
            await self._log.record(entry, mandate=request.mandate)
        return transcript, reply.answer_id
