"""The composition root: settings in, every adapter built and handed to the use cases that need
it, a ready runtime out. Tests call it with their own settings (pointing at loopback stand-ins)
and get exactly what production gets.

    bootstrap    the bots' runtime: the database (migrated), MiMo, audio, every use case
    standalone   the command line's: MiMo and audio without a database

Each part as the settings describe it (limits, the MiMo client, ffmpeg, the database and what
works on it alone, which `voicebridge db purge` uses) is built in `core.from_settings`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from core.app.calls.interpreting import Interpreting
from core.app.calls.listening import Listening
from core.app.calls.summary import Calls
from core.app.memory.forgetting import Forgetting
from core.app.memory.imports import Importer
from core.app.memory.search import Memory
from core.app.reader.choices import ReaderChoices
from core.app.reader.spoken import MessageSpeech
from core.app.recordings.business import BusinessChats
from core.app.recordings.fetching import Recordings
from core.app.recordings.gists import Gists
from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.app.recordings.questions import Questions
from core.app.recordings.transcription import Transcription
from core.app.recordings.translations import Translations
from core.app.rules.claims import Claims
from core.app.rules.limits import Limiter
from core.app.rules.preferences import ChatPreferences
from core.app.rules.requests import Audiences
from core.app.scheduler import Scheduler
from core.app.summaries.digests import DigestService
from core.app.summaries.service import SummaryService
from core.app.voice_notes import VoiceNotes
from core.app.voices.clone_consent import VoiceConsents
from core.app.voices.inline import InlineVoices
from core.app.voices.speech import TextToSpeech
from core.app.voices.studio import VoiceStudio
from core.config import Settings
from core.domain.limits import RequestLimits
from core.domain.values import ChatRef, Preferences
from core.from_settings import (
    audio_of,
    ffmpeg_processes,
    http_client,
    limits_from,
    mimo_client,
    storage,
    summary_limits,
    voice_models,
)
from core.infra.audio.processes import FfmpegProcesses
from core.infra.downloads import HttpDownloads
from core.infra.local_preferences import MemoryUnitOfWork
from core.infra.malloc import return_large_blocks
from core.infra.metrics import PrometheusMetrics
from core.infra.mimo import MimoClient
from core.ports import (
    NO_METRICS,
    AudioConverter,
    ChatApi,
    Clock,
    Metrics,
    SpeechApi,
    SystemClock,
    UnitOfWork,
)
from core.ports.background import supervised

if TYPE_CHECKING:
    # Imported where a database is opened: the command line's `standalone` runtime, which has
    # none, starts without loading SQLAlchemy and Alembic (about half its start-up).
    from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True)
class UseCases:
    """The use cases the bots and the command line share, each built once; the adapters' own
    composition roots hand every handler the ones it needs."""

    limits: RequestLimits
    limiter: Limiter  # the allowlist, rate limits and daily quotas (off on the command line)
    preferences: ChatPreferences  # the settings commands' own
    audiences: Audiences  # whom each answer is for, decided once per event
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
    metrics: Metrics = NO_METRICS,
) -> UseCases:
    """Transcripts, speech, questions, gists and translations on `speech` and `chat_api`,
    each with the limits, preferences and stores it is given (without them: nothing limited,
    files at hand only, no chat's own voices, nothing kept)."""
    limiter = limiter or Limiter.off()
    recordings = recordings or Recordings(downloader=None, limits=limits)
    preferences = ChatPreferences(uow=uow, default_tts_model=default_tts_model)
    audiences = Audiences(uow=uow, default_tts_model=default_tts_model)
    transcription = Transcription(
        speech=speech, audio=audio, limiter=limiter, limits=limits, recordings=recordings,
        keeper=keeper, metrics=metrics,
    )  # fmt: skip
    tts = TextToSpeech(
        speech=speech, audio=audio, audiences=audiences, limiter=limiter, studio=studio,
        max_say_chars=limits.max_say_chars, tts_piece_chars=limits.tts_piece_chars,
        metrics=metrics,
    )  # fmt: skip
    questions = Questions(
        speech=speech, audio=audio, limiter=limiter, limits=limits, recordings=recordings,
        metrics=metrics,
    )  # fmt: skip
    gists = Gists(
        transcription=transcription, chat_api=chat_api, limiter=limiter,
        max_prompt_chars=max_prompt_chars,
    )  # fmt: skip
    translations = Translations(transcription=transcription, chat_api=chat_api, limiter=limiter)
    return UseCases(
        limits=limits, limiter=limiter, preferences=preferences, audiences=audiences,
        transcription=transcription, speech=tts, questions=questions, gists=gists,
        translations=translations,
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


@dataclass(frozen=True)
class Runtime(UseCases):
    """What the bots are handed, each part built once and typed: the use cases the command line
    shares (`UseCases`) and the bots' own, in one object."""

    settings: Settings
    studio: VoiceStudio  # the chat's own voices
    consents: VoiceConsents  # spoken consent before a voice is cloned
    business: BusinessChats  # Telegram Business connections and their owners' choices
    inline: InlineVoices  # inline mode's rendered voices
    voice_notes: VoiceNotes  # a recording arrived, or its transcript was asked for
    recordings: Recordings  # recordings declared, then fetched
    mimo: MimoClient
    engine: AsyncEngine
    summaries: SummaryService
    digests: DigestService
    scheduler: Scheduler  # started by the runner once the platforms are up
    claims: Claims  # on incoming messages: each answered once, interruptions redone
    metrics: PrometheusMetrics  # what it did, for /metrics (a registry of its own)
    processes: FfmpegProcesses  # FFMPEG_MAX_PROCESSES, for whatever else runs ffmpeg (playback)
    message_speech: MessageSpeech  # a channel reading's messages made into speech (Discord)
    reader_choices: ReaderChoices  # ...and what the server and each member chose for it
    listening: Listening  # a voice channel's live transcript, of those who said yes (Discord)
    calls: Calls  # ...and the call's kept transcript afterwards: its summary and its files
    memory: Memory  # /find and /ask across a chat's kept transcripts
    imports: Importer  # a chat's past voice messages, imported into its memory
    forgetting: Forgetting  # /forget: what runs in the chat ended, everything kept deleted
    # For /healthz: a pooled connection reads, at most once a second however many ask.
    database_reachable: Callable[[], Awaitable[bool]]


def shared(cases: UseCases) -> dict[str, Any]:
    """The fields of `cases`, for a runtime that holds them beside its own."""
    return {field.name: getattr(cases, field.name) for field in fields(UseCases)}


@asynccontextmanager
async def bootstrap(
    settings: Settings, *, migrate: bool = True, clock: Clock | None = None
) -> AsyncIterator[Runtime]:
    """Bring the schema up to date, then build the MiMo client, the database and the services.

    `clock` drives summaries, digests and retention; tests pass one they can move by hand.
    """
    from core.infra.health import DatabaseHealth  # it loads the database layer

    return_large_blocks()  # a recording's pieces, freed, leave no memory behind (`malloc`)
    clock = clock or SystemClock()
    metrics = PrometheusMetrics()
    processes = await ffmpeg_processes(settings)
    audio = audio_of(settings, processes)
    async with (
        storage(settings, migrate=migrate, clock=clock) as store,
        http_client() as http,
        # Innermost: what still runs in the background at the stop ends while the database
        # and the HTTP client are still there for its clean-up.
        supervised(metrics),
    ):
        uow, limiter, limits = store.uow, store.limiter, limits_from(settings)
        # Recordings are downloaded through the same client, streamed to disk.
        recordings = Recordings(downloader=HttpDownloads(http), limits=limits)
        mimo = mimo_client(settings, http=http, metrics=metrics)
        studio = VoiceStudio(
            speech=mimo, audio=audio, uow=uow, models=voice_models(settings), limiter=limiter,
            recordings=recordings, sample_seconds=settings.voice_sample_seconds,
        )  # fmt: skip
        keeper = TranscriptKeeper(uow=uow, clock=clock)
        cases = mimo_use_cases(
            settings, mimo, audio, uow, limiter=limiter, studio=studio, recordings=recordings,
            keeper=keeper, metrics=metrics,
        )  # fmt: skip
        metrics.watch_queue("speech", cases.transcription.requests_waiting)
        metrics.watch_queue("ffmpeg", lambda: processes.waiting)
        metrics.watch_queue("download", lambda: recordings.waiting)
        preferences, speech = cases.preferences, cases.speech
        listening = Listening(
            uow=uow, speech=mimo, chat_api=mimo, audio=audio, preferences=preferences,
            limiter=limiter, keeper=keeper, clock=clock, metrics=metrics,
            gate=cases.transcription.gate, idle_seconds=settings.discord_listen_idle_seconds,
            interpreting=Interpreting(
                uow=uow, speech=speech, studio=studio, preferences=preferences, chat_api=mimo,
                limiter=limiter,
            ),
        )  # fmt: skip
        imports = Importer(
            transcription=cases.transcription, uow=uow, limiter=limiter, clock=clock,
            retention_days=settings.summary_retention_days, at_once=settings.asr_max_in_flight,
        )  # fmt: skip
        summaries = SummaryService(
            uow=uow, chat_api=mimo, limiter=limiter, speech=speech, clock=clock,
            limits=summary_limits(settings), metrics=metrics,
        )  # fmt: skip
        consents = VoiceConsents(
            uow=uow, studio=studio, transcription=cases.transcription, clock=clock,
            attempts_per_day=settings.voice_clone_attempts_per_day,
        )  # fmt: skip
        voice_notes = VoiceNotes(
            audiences=cases.audiences, transcription=cases.transcription,
            translations=cases.translations, gists=cases.gists, log=summaries,
            consents=consents, uow=uow, questions=cases.questions,
        )  # fmt: skip
        digests = DigestService(
            uow=uow, summaries=summaries, audiences=cases.audiences, clock=clock
        )
        message_speech = MessageSpeech(
            uow=uow, speech=speech, preferences=preferences, studio=studio, limiter=limiter,
            max_chars=settings.discord_reader_max_chars,
        )  # fmt: skip
        yield Runtime(
            **shared(cases), settings=settings, studio=studio, voice_notes=voice_notes,
            consents=consents,
            business=BusinessChats(uow=uow, limiter=limiter),
            inline=InlineVoices(uow=uow, speech=speech, clock=clock),
            recordings=recordings, mimo=mimo, engine=store.engine, summaries=summaries,
            digests=digests, claims=store.claims, metrics=metrics, processes=processes,
            scheduler=Scheduler(digests=digests, clock=clock, retention=store.retention),
            message_speech=message_speech,
            reader_choices=ReaderChoices(uow=uow, preferences=preferences),
            listening=listening,
            calls=Calls(
                uow=uow, chat_api=mimo, limiter=limiter,
                max_prompt_chars=settings.summary_max_prompt_chars,
            ),
            memory=Memory(
                reads=store.reads, uow=uow, chat_api=mimo, limiter=limiter, clock=clock,
                retention_days=settings.summary_retention_days,
                max_prompt_chars=settings.summary_max_prompt_chars,
            ),
            imports=imports,
            forgetting=Forgetting(uow=uow, clock=clock, listening=listening, imports=imports),
            database_reachable=DatabaseHealth(store.engine).reachable,
        )  # fmt: skip


@dataclass(frozen=True)
class Standalone(UseCases):
    """The use cases without a database, for the command line."""

    settings: Settings


@asynccontextmanager
async def mimo_alone(settings: Settings) -> AsyncIterator[MimoClient]:
    """The MiMo client the settings describe, on a client of its own (`voicebridge doctor`)."""
    async with http_client() as http:
        yield mimo_client(settings, http=http)


@asynccontextmanager
async def standalone(settings: Settings) -> AsyncIterator[Standalone]:
    """Transcripts, speech and answers as the bots have them (the same MiMo client, pieces,
    retries and limits on requests), with nothing stored: preferences live in memory for this
    process (the command line sets them from its options), nothing is counted against a quota,
    no metrics are kept. Needs MIMO_API_KEY; touches no database."""
    return_large_blocks()
    processes = await ffmpeg_processes(settings)
    preferences: dict[ChatRef, Preferences] = {}
    async with http_client() as http:
        mimo = mimo_client(settings, http=http)
        audio = audio_of(settings, processes)
        cases = mimo_use_cases(settings, mimo, audio, lambda: MemoryUnitOfWork(preferences))
        yield Standalone(**shared(cases), settings=settings)
