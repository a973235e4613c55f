"""`/ask`: a question about a recording, answered by MiMo hearing the whole recording at once.

recording   its declared size and length, the rate limit, and its declared length
            reserved from the chat's daily quota of recordings asked about
            (DAILY_ASK_SECONDS), or refused, all before it is downloaded
a slot      at most `ask_concurrency` questions are worked on at once in the process (each
            may convert and send up to 50 MB); the others wait here, reservations held
  -> fetched, measured (MAX_AUDIO_SECONDS, and what one request holds), the reservation
     grown to its measured length, then sent to MiMo streamed from its file

Who asks and where come in the request (`core.app.rules.request_audience.Request`), with the chat's
preferences the adapter had read for it: the answer's language is the chat's transcript
language, and nothing here reads the preferences again. The answer is looked at again as it
leaves (`core.app.rules.outgoing_check`): the recording's message deleted, or the chat forgotten,
while MiMo heard it, and it is not sent.
"""

from __future__ import annotations

import asyncio

from core.app.recordings.transcription import Recordings, declared_seconds
from core.app.rules.limits import Limiter
from core.app.rules.outgoing_check import Leaving, of_recording
from core.app.rules.request_audience import Request
from core.app.use_case_metrics import counted
from core.domain import errors
from core.domain.mimo.account_minute_rules import PlaceListener, Urgency, asking
from core.domain.rules.quotas_rules import Counts, RequestLimits
from core.domain.shared_values import Answer, Language
from core.ports import NO_METRICS, AudioConverter, Metrics, Recording, SpeechApi

__all__ = ["Questions"]


class Questions:
    """Answers about recordings, in the chat's transcript language, within its limits."""

    def __init__(
        self,
        *,
        speech: SpeechApi,
        audio: AudioConverter,
        limiter: Limiter,
        limits: RequestLimits,
        recordings: Recordings,
        leaving: Leaving,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self._leaving = leaving  # an answer looked at again as it leaves
        self._speech = speech
        self._audio = audio
        self._limiter = limiter
        self._limits = limits
        self._recordings = recordings
        self._slots = asyncio.Semaphore(limits.ask_concurrency)
        self.metrics = metrics  # questions counted

    @counted("ask")
    async def ask(
        self,
        request: Request,
        source: Recording,
        question: str,
        *,
        waiting: PlaceListener | None = None,
    ) -> Answer:
        """An answer to `question` about the recording `source`, asked in `request`; `waiting`
        hears while its request waits for the account's minute (a status says so). Raises
        `errors.EmptyText` when the question is blank, and the limiter's refusals."""
        with asking(Urgency.PERSON, request.chat, waiting=waiting):  # who asked waits
            question = question.strip()
            if not question:
                raise errors.EmptyText()
            self._recordings.check_declared(source)
            chat, asker = request.chat, request.asker
            await self._limiter.admit(chat, asker)
            async with self._limiter.spending(chat, asker) as spend:
                await spend.reserve(Counts(ask_seconds=declared_seconds(source)))
                async with (
                    self._slots,
                    self._recordings.fetched(source) as path,
                    self._audio.understanding_input(
                        path, max_seconds=self._limits.max_audio_seconds
                    ) as audio,
                ):
                    await spend.reserve(Counts(ask_seconds=round(audio.seconds)))
                    answer = await self._speech.understand_audio(
                        audio.path,
                        mime=audio.mime,
                        question=question,
                        system=_answer_language(request.prefs.language),
                    )
                spend.used(usage=answer.usage)
            await self._leaving.check(of_recording(request, source), errors.RecordingWentAway)
            return answer.marked()


def _answer_language(language: Language) -> str | None:
    if language == "zh":
        return "Answer in Simplified Chinese."
    if language == "en":
        return "Answer in English."
    return "Answer in the language the question is asked in."
