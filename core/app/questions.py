"""`/ask`: a question about a recording, answered by MiMo hearing the whole recording at once."""

from __future__ import annotations

from pathlib import Path

from core.app.limits import Limiter
from core.app.metering import counted
from core.app.preferences import ChatPreferences
from core.domain import errors
from core.domain.limits import ANYONE, Asker
from core.domain.values import Answer, ChatRef, Language
from core.ports import NO_METRICS, AudioConverter, Metrics, SpeechApi


class Questions:
    """Answers about recordings, in the chat's transcript language, within its limits."""

    def __init__(
        self,
        *,
        speech: SpeechApi,
        audio: AudioConverter,
        preferences: ChatPreferences,
        limiter: Limiter,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self._speech = speech
        self._audio = audio
        self._preferences = preferences
        self._limiter = limiter
        self.metrics = metrics  # questions counted

    @counted("ask")
    async def ask(
        self, chat: ChatRef, source: Path, question: str, *, asker: Asker = ANYONE
    ) -> Answer:
        """An answer to `question` about the recording at `source`."""
        question = question.strip()
        if not question:
            raise errors.EmptyText()
        await self._limiter.admit(chat, asker)
        prefs = await self._preferences.get(chat)
        data, mime = await self._audio.to_understanding_input(source)
        async with self._limiter.spending(chat, asker) as spend:
            answer = await self._speech.understand_audio(
                data, mime=mime, question=question, system=_answer_language(prefs.language)
            )
            spend.used(usage=answer.usage)
        return answer


def _answer_language(language: Language) -> str | None:
    if language == "zh":
        return "Answer in Simplified Chinese."
    if language == "en":
        return "Answer in English."
    return "Answer in the language the question is asked in."
