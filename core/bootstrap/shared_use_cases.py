"""The use cases the bots and the command line share (`UseCases`: transcripts, speech,
questions, gists, translations, with the limits and preferences they read), wired on the ports
they are given (`use_cases`) or on MiMo as the settings describe it (`mimo_use_cases`); and
transcripts alone (`transcription_on`), for an import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from core.app.recordings.gists import Gists
from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.app.recordings.piece_transcriber import Transcriber
from core.app.recordings.questions import Questions
from core.app.recordings.transcription import Recordings, Transcription
from core.app.recordings.translations import Translations
from core.app.rules.chat_settings import ChatPreferences
from core.app.rules.limits import Limiter
from core.app.rules.outgoing_check import Leaving
from core.app.rules.request_audience import Audiences
from core.app.rules.request_slots import RequestGate
from core.app.voices.own_voices import VoiceStudio
from core.app.voices.text_to_speech import TextToSpeech
from core.bootstrap.parts_from_settings import limits_from
from core.config import Settings
from core.domain.rules.quotas_rules import RequestLimits
from core.infra.mimo import MimoClient
from core.ports import NO_METRICS, AudioConverter, ChatApi, Metrics, SpeechApi, UnitOfWork

__all__ = ["UseCases", "mimo_use_cases", "shared", "transcription_on", "use_cases"]


@dataclass(frozen=True)
class UseCases:
    """The use cases the bots and the command line share, each built once; the adapters' own
    composition roots hand every handler the ones it needs."""

    limits: RequestLimits
    limiter: Limiter  # the allowlist, rate limits and daily quotas (off on the command line)
    preferences: ChatPreferences  # the settings commands' own
    audiences: Audiences  # whom each answer is for, decided once per event
    leaving: Leaving  # what is sent after a wait, checked again as it leaves
    transcription: Transcription
    speech: TextToSpeech
    questions: Questions
    gists: Gists
    translations: Translations


def use_cases(
    *,
    speech: SpeechApi,
    chat_api: ChatApi,
    audio: AudioConverter,
    uow: Callable[[], UnitOfWork],
    limits: RequestLimits,
    default_tts_model: str,
    max_prompt_chars: int,
    limiter: Limiter | None = None,
    studio: VoiceStudio | None = None,
    recordings: Recordings | None = None,
    keeper: TranscriptKeeper | None = None,
    leaving: Leaving | None = None,
    metrics: Metrics = NO_METRICS,
) -> UseCases:
    """Transcripts, speech, questions, gists and translations on `speech` and `chat_api`,
    each with the limits, preferences and stores it is given (without them: nothing limited,
    files at hand only, no chat's own voices, nothing kept, nothing looked at again as it
    leaves)."""
    limiter = limiter or Limiter.off()
    leaving = leaving or Leaving(None)
    recordings = recordings or Recordings(downloader=None, limits=limits)
    preferences = ChatPreferences(uow=uow, default_tts_model=default_tts_model)
    audiences = Audiences(uow=uow, default_tts_model=default_tts_model)
    transcription = transcription_on(
        speech, audio, limits=limits, limiter=limiter, recordings=recordings, keeper=keeper,
        metrics=metrics,
    )  # fmt: skip
    tts = TextToSpeech(
        speech=speech, audio=audio, audiences=audiences, limiter=limiter, studio=studio,
        max_say_chars=limits.max_say_chars, tts_piece_chars=limits.tts_piece_chars,
        metrics=metrics,
    )  # fmt: skip
    questions = Questions(
        speech=speech, audio=audio, limiter=limiter, limits=limits, recordings=recordings,
        leaving=leaving, metrics=metrics,
    )  # fmt: skip
    gists = Gists(
        transcription=transcription, chat_api=chat_api, limiter=limiter,
        max_prompt_chars=max_prompt_chars, leaving=leaving,
    )  # fmt: skip
    translations = Translations(
        transcription=transcription, chat_api=chat_api, limiter=limiter, leaving=leaving
    )
    return UseCases(
        limits=limits, limiter=limiter, preferences=preferences, audiences=audiences,
        leaving=leaving, transcription=transcription, speech=tts, questions=questions,
        gists=gists, translations=translations,
    )  # fmt: skip


def transcription_on(
    speech: SpeechApi,
    audio: AudioConverter,
    *,
    limits: RequestLimits,
    limiter: Limiter,
    recordings: Recordings,
    keeper: TranscriptKeeper | None,
    metrics: Metrics,
) -> Transcription:
    """Transcripts on `speech`, through the process's one request gate: the in-flight limits
    hold across chats, and for the calls listened to (`core.app.listening.live_transcription`, which
    is handed the gate with the transcription)."""
    gate = RequestGate(total=limits.asr_max_in_flight, per_chat=limits.asr_concurrency)
    return Transcription(
        transcriber=Transcriber(speech=speech, gate=gate, piece_seconds=limits.asr_piece_seconds),
        gate=gate, audio=audio, limiter=limiter, limits=limits, recordings=recordings,
        keeper=keeper, metrics=metrics,
    )  # fmt: skip


def mimo_use_cases(
    settings: Settings,
    mimo: MimoClient,
    audio: AudioConverter,
    uow: Callable[[], UnitOfWork],
    **stores: Any,
) -> UseCases:
    """`use_cases` on MiMo, with the limits, model and prompt size the settings give."""
    return use_cases(
        speech=mimo, chat_api=mimo, audio=audio, uow=uow, limits=limits_from(settings),
        default_tts_model=settings.mimo_tts_model,
        max_prompt_chars=settings.summary_max_prompt_chars, **stores,
    )  # fmt: skip


def shared(cases: UseCases) -> dict[str, Any]:
    """The fields of `cases`, for a runtime that holds them beside its own."""
    return {field.name: getattr(cases, field.name) for field in fields(UseCases)}
