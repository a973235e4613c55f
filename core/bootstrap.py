"""The composition root: settings in, every adapter built and handed to the use cases that need
it, a ready runtime out. Tests call it with their own settings (pointing at loopback stand-ins)
and get exactly what production gets.

    bootstrap    the bots' runtime: the database (migrated), MiMo, audio, every use case
    storage      the database and what works on it alone (`voicebridge db purge`)
    standalone   the command line's: MiMo and audio without a database
"""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx

from core.app.business import BusinessChats
from core.app.claims import Claims
from core.app.gists import Gists
from core.app.inline import InlineVoices
from core.app.kept import TranscriptKeeper
from core.app.limits import Limiter
from core.app.listening import Listening
from core.app.preferences import ChatPreferences
from core.app.questions import Questions
from core.app.reader_choices import ReaderChoices
from core.app.recordings import Recordings
from core.app.retention import RetentionJob, retention_jobs
from core.app.scheduler import Scheduler
from core.app.speech import TextToSpeech
from core.app.spoken_messages import MessageSpeech
from core.app.summaries.digests import DigestService
from core.app.summaries.service import SummaryLimits, SummaryService
from core.app.transcription import Transcription
from core.app.transcripts import Transcripts
from core.app.translations import Translations
from core.app.voices import VoiceModels, VoiceStudio
from core.config import Settings
from core.domain.limits import Allowlist, DailyQuotas, LimitPolicy, RateLimits, RequestLimits
from core.domain.values import ChatRef, Preferences
from core.infra.audio.converter import FfmpegAudio
from core.infra.audio.ffmpeg import use_ffmpeg
from core.infra.audio.processes import FfmpegProcesses, TimeLimit
from core.infra.downloads import HttpDownloads
from core.infra.local_preferences import MemoryUnitOfWork
from core.infra.malloc import return_large_blocks
from core.infra.metrics import PrometheusMetrics
from core.infra.mimo import MIMO_AUDIO_CAPS, MimoClient, MimoModels, RetryPolicy
from core.infra.mimo.breaker import CircuitBreaker
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

if TYPE_CHECKING:
    # Imported where a database is opened: the command line's `standalone` runtime, which has
    # none, starts without loading SQLAlchemy and Alembic (about half its start-up).
    from sqlalchemy.ext.asyncio import AsyncEngine

    from core.infra.storage import SqlAlchemyUnitOfWork
    from core.infra.storage.database import PoolLimits

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UseCases:
    """The use cases the bots and the command line share, each built once; the adapters' own
    composition roots hand every handler the ones it needs."""

    limits: RequestLimits
    limiter: Limiter  # the allowlist, rate limits and daily quotas (off on the command line)
    preferences: ChatPreferences
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
    transcription = Transcription(
        speech=speech, audio=audio, preferences=preferences, limiter=limiter, limits=limits,
        recordings=recordings, keeper=keeper, metrics=metrics,
    )  # fmt: skip
    tts = TextToSpeech(
        speech=speech, audio=audio, preferences=preferences, limiter=limiter, studio=studio,
        max_say_chars=limits.max_say_chars, tts_piece_chars=limits.tts_piece_chars,
        metrics=metrics,
    )  # fmt: skip
    questions = Questions(
        speech=speech, audio=audio, preferences=preferences, limiter=limiter, limits=limits,
        recordings=recordings, metrics=metrics,
    )  # fmt: skip
    gists = Gists(
        transcription=transcription, chat_api=chat_api, limiter=limiter,
        max_prompt_chars=max_prompt_chars,
    )  # fmt: skip
    translations = Translations(transcription=transcription, chat_api=chat_api, limiter=limiter)
    return UseCases(
        limits=limits, limiter=limiter, preferences=preferences, transcription=transcription,
        speech=tts, questions=questions, gists=gists, translations=translations,
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
class Runtime:
    settings: Settings
    cases: UseCases
    studio: VoiceStudio  # the chat's own voices
    business: BusinessChats  # Telegram Business connections and their owners' choices
    inline: InlineVoices  # inline mode's rendered voices
    transcripts: Transcripts  # a recording arrived, or its transcript was asked for
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
    database_reachable: Callable[[], Awaitable[bool]]  # for /healthz: a pooled connection reads


@dataclass(frozen=True)
class Storage:
    """The database and the parts that need nothing else: no MiMo key, no bot token. The
    runtime is built on it; `voicebridge db purge` uses it alone."""

    engine: AsyncEngine
    uow: Callable[[], SqlAlchemyUnitOfWork]
    limiter: Limiter
    claims: Claims
    retention: list[RetentionJob]  # run hourly by the scheduler, once by `db purge`


def limits_from(settings: Settings) -> RequestLimits:
    return RequestLimits(
        max_say_chars=settings.max_say_chars,
        tts_piece_chars=settings.tts_piece_chars,
        max_audio_seconds=settings.max_audio_seconds,
        max_audio_bytes=settings.max_audio_mb * 1024 * 1024,
        asr_piece_seconds=settings.asr_piece_seconds,
        asr_concurrency=settings.asr_concurrency,
        asr_max_in_flight=settings.asr_max_in_flight,
        max_downloads=settings.max_downloads,
        ask_concurrency=settings.ask_concurrency,
    )


def limit_policy_from(settings: Settings) -> LimitPolicy:
    return LimitPolicy(
        rates=RateLimits(
            user_per_minute=settings.rate_limit_user_per_minute,
            chat_per_minute=settings.rate_limit_chat_per_minute,
        ),
        quotas=DailyQuotas(
            audio_seconds=settings.daily_audio_seconds,
            tts_chars=settings.daily_tts_chars,
            summaries=settings.daily_summaries,
            ask_seconds=settings.daily_ask_seconds,
        ),
        allowlist=Allowlist.parse(settings.allowed_chats, settings.allowed_users),
        reader_member_share=settings.discord_reader_member_share,
    )


def pool_limits_from(settings: Settings) -> PoolLimits:
    from core.infra.storage.database import PoolLimits

    return PoolLimits(
        size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        timeout_seconds=settings.database_pool_timeout_seconds,
        recycle_seconds=settings.database_pool_recycle_seconds,
    )


def mimo_client(
    settings: Settings, *, http: httpx.AsyncClient, metrics: Metrics = NO_METRICS
) -> MimoClient:
    """The MiMo client the settings describe: key, host, models, retries and circuit breaker."""
    return MimoClient(
        http=http,
        api_key=settings.require_mimo_key(),
        base_url=settings.mimo_base_url,
        models=MimoModels(
            asr=settings.mimo_asr_model,
            tts=settings.mimo_tts_model,
            audio=settings.mimo_audio_model,
            chat=settings.mimo_chat_model,
            voicedesign=settings.mimo_voicedesign_model,
            voiceclone=settings.mimo_voiceclone_model,
        ),
        auth_header=settings.mimo_auth_header,
        timeout=settings.mimo_timeout_seconds,
        max_retries=settings.mimo_max_retries,
        retry_policy=RetryPolicy(
            initial_wait=settings.mimo_retry_wait_seconds,
            jitter=settings.mimo_retry_wait_seconds,
        ),
        breaker=CircuitBreaker(
            failures=settings.mimo_breaker_failures,
            cooldown=settings.mimo_breaker_cooldown_seconds,
        ),
        metrics=metrics,
    )


async def ffmpeg_processes(settings: Settings) -> FfmpegProcesses:
    """The process's ffmpeg budget: how many at once, and how long each may take. Which ffmpeg
    runs is chosen (and said) now, at start, not during the first recording."""
    await asyncio.to_thread(use_ffmpeg, settings.ffmpeg_binary)
    limit = TimeLimit(floor_seconds=settings.ffmpeg_timeout_seconds, per_audio_second=1.0)
    return FfmpegProcesses(settings.ffmpeg_max_processes, time_limit=limit)


def audio_of(settings: Settings, processes: FfmpegProcesses) -> FfmpegAudio:
    """The audio adapter as the settings ask for it, on the process limit `processes`, making
    audio that fits MiMo's requests."""
    return FfmpegAudio(
        processes=processes,
        caps=MIMO_AUDIO_CAPS,
        compact_pauses=settings.compact_pauses,
        asr_format=settings.asr_audio_format,
    )


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The one TLS context of every HTTPS client the process makes (MiMo's and the Telegram
    Bot API's), with the certificate authorities httpx trusts (certifi's, or `SSL_CERT_FILE`).
    Each new context reads the whole bundle again: about 20 ms of CPU, paid once here rather
    than at every client a bot, a restart or a shard builds."""
    return httpx.create_ssl_context()


def _http() -> httpx.AsyncClient:
    # One client for every MiMo call: connection reuse matters when pieces run in parallel.
    return httpx.AsyncClient(limits=httpx.Limits(max_connections=32), verify=tls_context())


@asynccontextmanager
async def storage(
    settings: Settings, *, migrate: bool = True, clock: Clock | None = None
) -> AsyncIterator[Storage]:
    """Bring the schema up to date (unless `migrate` is False), then open the database and
    build what works on it alone: the limits, the claims ledger and the retention jobs."""
    from core.infra.storage import SqlAlchemyUnitOfWork, create_engine, session_factory, upgrade
    from core.infra.storage.database import loggable_url, transaction_turns

    clock = clock or SystemClock()
    # Without its secrets, which the logs' redaction would also catch (`core.infra.logs`).
    logger.info("database: %s", loggable_url(settings.database_url))
    if migrate:
        await upgrade(settings.database_url)
    engine = create_engine(settings.database_url, pool=pool_limits_from(settings))
    sessions = session_factory(engine)
    turns = transaction_turns(settings.database_url)

    def uow() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(sessions, turns=turns)

    limiter = Limiter(uow=uow, clock=clock, policy=limit_policy_from(settings))
    claims = Claims(
        uow=uow,
        instance=settings.instance_name,
        lease=timedelta(seconds=settings.work_lease_seconds),
        clock=clock,
        # Longer than any platform redelivers an update (Telegram: 24 hours).
        retention=timedelta(days=settings.summary_retention_days),
    )
    retention = retention_jobs(
        uow=uow, clock=clock, days=settings.summary_retention_days, claims=claims, limiter=limiter
    )
    try:
        yield Storage(engine=engine, uow=uow, limiter=limiter, claims=claims, retention=retention)
    finally:
        await engine.dispose()


@asynccontextmanager
async def bootstrap(
    settings: Settings, *, migrate: bool = True, clock: Clock | None = None
) -> AsyncIterator[Runtime]:
    """Bring the schema up to date, then build the MiMo client, the database and the services.

    `clock` drives summaries, digests and retention; tests pass one they can move by hand.
    """
    from core.infra.health import database_reachable  # it loads the database layer

    return_large_blocks()  # a recording's pieces, freed, leave no memory behind (`malloc`)
    clock = clock or SystemClock()
    metrics = PrometheusMetrics()
    processes = await ffmpeg_processes(settings)
    audio = audio_of(settings, processes)
    async with storage(settings, migrate=migrate, clock=clock) as store, _http() as http:
        uow, limiter, limits = store.uow, store.limiter, limits_from(settings)
        # Recordings are downloaded through the same client, streamed to disk.
        recordings = Recordings(downloader=HttpDownloads(http), limits=limits)
        mimo = mimo_client(settings, http=http, metrics=metrics)
        studio = VoiceStudio(
            speech=mimo,
            audio=audio,
            uow=uow,
            models=VoiceModels(
                tts=settings.mimo_tts_model,
                design=settings.mimo_voicedesign_model,
                clone=settings.mimo_voiceclone_model,
            ),
            limiter=limiter,
            recordings=recordings,
            sample_seconds=settings.voice_sample_seconds,
        )
        cases = mimo_use_cases(
            settings, mimo, audio, uow, limiter=limiter, studio=studio, recordings=recordings,
            keeper=TranscriptKeeper(uow=uow, clock=clock), metrics=metrics,
        )  # fmt: skip
        metrics.watch_queue("speech", cases.transcription.requests_waiting)
        metrics.watch_queue("ffmpeg", lambda: processes.waiting)
        metrics.watch_queue("download", lambda: recordings.waiting)
        summaries = SummaryService(
            uow=uow,
            chat_api=mimo,
            preferences=cases.preferences,
            limiter=limiter,
            speech=cases.speech,
            clock=clock,
            limits=SummaryLimits(
                max_prompt_chars=settings.summary_max_prompt_chars,
                retention_days=settings.summary_retention_days,
            ),
            metrics=metrics,
        )
        transcripts = Transcripts(
            preferences=cases.preferences, transcription=cases.transcription,
            translations=cases.translations, gists=cases.gists, log=summaries,
        )  # fmt: skip
        digests = DigestService(uow=uow, summaries=summaries, clock=clock)
        message_speech = MessageSpeech(
            uow=uow, speech=cases.speech, preferences=cases.preferences, studio=studio,
            limiter=limiter, max_chars=settings.discord_reader_max_chars,
        )  # fmt: skip
        scheduler = Scheduler(digests=digests, clock=clock, retention=store.retention)
        yield Runtime(
            settings=settings,
            cases=cases,
            studio=studio,
            business=BusinessChats(uow=uow, limiter=limiter),
            inline=InlineVoices(
                uow=uow, preferences=cases.preferences, speech=cases.speech, clock=clock
            ),
            transcripts=transcripts,
            recordings=recordings,
            mimo=mimo,
            engine=store.engine,
            summaries=summaries,
            digests=digests,
            scheduler=scheduler,
            claims=store.claims,
            metrics=metrics,
            processes=processes,
            message_speech=message_speech,
            reader_choices=ReaderChoices(uow=uow, preferences=cases.preferences),
            listening=Listening(
                uow=uow,
                speech=mimo,
                preferences=cases.preferences,
                limiter=limiter,
                metrics=metrics,
            ),
            database_reachable=lambda: database_reachable(store.engine),
        )


@dataclass(frozen=True)
class Standalone:
    """The use cases without a database, for the command line."""

    settings: Settings
    cases: UseCases


@asynccontextmanager
async def standalone(settings: Settings) -> AsyncIterator[Standalone]:
    """Transcripts, speech and answers as the bots have them (the same MiMo client, pieces,
    retries and limits on requests), with nothing stored: preferences live in memory for this
    process (the command line sets them from its options), nothing is counted against a quota,
    no metrics are kept. Needs MIMO_API_KEY; touches no database."""
    return_large_blocks()
    processes = await ffmpeg_processes(settings)
    preferences: dict[ChatRef, Preferences] = {}
    async with _http() as http:
        mimo = mimo_client(settings, http=http)
        audio = audio_of(settings, processes)
        cases = mimo_use_cases(settings, mimo, audio, lambda: MemoryUnitOfWork(preferences))
        yield Standalone(settings=settings, cases=cases)
