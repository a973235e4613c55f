"""The parts the settings describe, each built as they ask: the limits on requests and their
policy, the channel reader's policy, the database and its pool, the MiMo client, which ffmpeg
runs and how many at once, the audio adapter. The composition root (`core.bootstrap`) builds the
use cases on them."""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from core.app.summaries.chat_summaries import SummaryLimits
from core.app.voices.own_voices import VoiceModels
from core.config import Settings
from core.domain.channel_reader.reader_rules import ReaderPolicy
from core.domain.mimo.account_minute_rules import AccountLimits, ModelMinute
from core.domain.rules.quotas_rules import (
    Allowlist,
    DailyCaps,
    DailyQuotas,
    LimitPolicy,
    RateLimits,
    RequestLimits,
)
from core.infra.audio.ffmpeg_binary import choose_ffmpeg
from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses, TimeLimit
from core.infra.mimo import MIMO_AUDIO_CAPS, MimoClient, MimoModels, RetryPolicy
from core.infra.mimo.circuit_breaker import CircuitBreaker
from core.infra.mimo.minute_pacing import AccountMinute
from core.ports import NO_METRICS, Metrics

if TYPE_CHECKING:
    # Imported where a database is opened: the command line's `standalone` runtime, which has
    # none, starts without loading SQLAlchemy and Alembic (about half its start-up).
    from sqlalchemy.ext.asyncio import AsyncEngine

    from core.infra.storage import SqlAlchemyUnitOfWork
    from core.infra.storage.database_engines import PoolLimits

logger = logging.getLogger(__name__)

__all__ = [
    "account_limits",
    "audio_of",
    "database",
    "ffmpeg_processes",
    "http_client",
    "limit_policy_from",
    "limits_from",
    "mimo_client",
    "pool_limits_from",
    "reader_policy",
    "summary_limits",
    "tls_context",
    "voice_models",
]


def limits_from(settings: Settings) -> RequestLimits:
    return RequestLimits(
        max_say_chars=settings.max_say_chars,
        tts_piece_chars=settings.tts_piece_chars,
        max_audio_seconds=settings.max_audio_seconds,
        max_audio_bytes=settings.max_audio_bytes(),
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
            searches_per_minute=settings.rate_limit_searches_per_minute,
        ),
        quotas=DailyQuotas(
            audio_seconds=settings.daily_audio_seconds,
            tts_chars=settings.daily_tts_chars,
            summaries=settings.daily_summaries,
            ask_seconds=settings.daily_ask_seconds,
        ),
        allowlist=Allowlist.parse(settings.allowed_chats, settings.allowed_users),
        reader_member_share=settings.discord_reader_member_share,
        person=DailyCaps(
            audio_seconds=settings.daily_person_audio_seconds,
            tts_chars=settings.daily_person_tts_chars,
        ),
        budget=DailyCaps(
            audio_seconds=settings.daily_budget_audio_seconds,
            tts_chars=settings.daily_budget_tts_chars,
        ),
        listen_seconds=settings.daily_listen_seconds,
    )


def reader_policy(settings: Settings) -> ReaderPolicy:
    return ReaderPolicy(
        queue=settings.discord_reader_queue, idle_seconds=settings.discord_reader_idle_seconds
    )


def voice_models(settings: Settings) -> VoiceModels:
    return VoiceModels(
        tts=settings.mimo_tts_model,
        design=settings.mimo_voicedesign_model,
        clone=settings.mimo_voiceclone_model,
    )


def summary_limits(settings: Settings) -> SummaryLimits:
    return SummaryLimits(
        max_prompt_chars=settings.summary_max_prompt_chars,
        retention_days=settings.summary_retention_days,
    )


def pool_limits_from(settings: Settings) -> PoolLimits:
    from core.infra.storage.database_engines import PoolLimits

    return PoolLimits(
        size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        timeout_seconds=settings.database_pool_timeout_seconds,
        recycle_seconds=settings.database_pool_recycle_seconds,
    )


def mimo_client(
    settings: Settings,
    *,
    http: httpx.AsyncClient,
    metrics: Metrics = NO_METRICS,
    minute: AccountMinute | None = None,
) -> MimoClient:
    """The MiMo client the settings describe: key, host, models, retries, circuit breaker and
    the account's minute (`minute`, where the database shares it between replicas; else the
    process's own)."""
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
        minute=minute or AccountMinute(limits=account_limits(settings)),
        metrics=metrics,
    )


def account_limits(settings: Settings) -> AccountLimits:
    """The account's minute per model, as MiMo publishes it or as the settings raise it."""
    seconds = settings.mimo_minute_seconds
    return AccountLimits(
        asr=ModelMinute(
            settings.mimo_asr_requests_per_minute, settings.mimo_asr_tokens_per_minute, seconds
        ),
        others=ModelMinute(
            settings.mimo_requests_per_minute, settings.mimo_tokens_per_minute, seconds
        ),
        paced=settings.mimo_paced,
    )


async def ffmpeg_processes(settings: Settings) -> FfmpegProcesses:
    """The process's ffmpeg budget: how many at once, and how long each may take. Which ffmpeg
    runs is chosen (and said) now, at start, not during the first recording."""
    executable = await asyncio.to_thread(choose_ffmpeg, settings.ffmpeg_binary)
    limit = TimeLimit(floor_seconds=settings.ffmpeg_timeout_seconds, per_audio_second=1.0)
    return FfmpegProcesses(settings.ffmpeg_max_processes, time_limit=limit, executable=executable)


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


def http_client() -> httpx.AsyncClient:
    # One client for every MiMo call: connection reuse matters when pieces run in parallel.
    return httpx.AsyncClient(limits=httpx.Limits(max_connections=32), verify=tls_context())


@dataclass(frozen=True)
class Database:
    """The database the settings name, opened: its engine and units of work. The composition
    root builds the stores' services on it (`core.bootstrap.storage`)."""

    engine: AsyncEngine
    uow: Callable[[], SqlAlchemyUnitOfWork]
    reads: Callable[[], SqlAlchemyUnitOfWork]  # units of work that only read: searches
    # Units of work on connections of their own (PostgreSQL): the claims' marks, which must not
    # wait behind the work they mark.
    mark_uow: Callable[[], SqlAlchemyUnitOfWork]
    # PostgreSQL: connections of their own for the uses of MiMo's minute that replicas share
    # (`core.infra.storage.mimo_minute.shared_ledger_in_database`); None for SQLite, whose one
    # process keeps it.
    minute_engine: AsyncEngine | None


@asynccontextmanager
async def database(settings: Settings, *, migrate: bool = True) -> AsyncIterator[Database]:
    """Bring the schema up to date (unless `migrate` is False), then open the database; closed
    as the block ends."""
    from core.infra.storage import SqlAlchemyUnitOfWork, create_engine, session_factory, upgrade
    from core.infra.storage.database_engines import (
        create_marks_engine,
        create_minute_engine,
        create_reading_engine,
        transaction_queue,
        where,
    )

    # Where it is, wherever the process started: an SQLite file's absolute path, a server's URL
    # without its secrets (which the logs' redaction would also catch, `core.infra.log_redaction`).
    chosen = "" if "database_url" in settings.model_fields_set else " (DATABASE_URL unset)"
    if migrate:
        # One line for the migrations, however many there were (Alembic's own are quieted).
        logger.debug("database: %s%s, migrating", where(settings.database_url), chosen)
        done = await upgrade(settings.database_url)
        at = f" at revision {done.revision}, {done.applied} applied"
        logger.info("database: %s%s%s", where(settings.database_url), chosen, at)
    else:
        logger.info("database: %s%s", where(settings.database_url), chosen)
    engine = create_engine(settings.database_url, pool=pool_limits_from(settings))
    sessions = session_factory(engine)
    queue = transaction_queue(settings.database_url)

    # The units of work's factories: the class, given its sessions (no function of this module
    # runs as a use case begins one).
    uow = functools.partial(SqlAlchemyUnitOfWork, sessions, queue=queue)
    # SQLite: reads on connections of their own, outside the transactions' queue (`queue`).
    reading_engine = create_reading_engine(settings.database_url)
    readers = None if reading_engine is None else session_factory(reading_engine)
    reads = uow if readers is None else functools.partial(SqlAlchemyUnitOfWork, readers)
    marks_engine = create_marks_engine(settings.database_url)  # None: SQLite
    marks = None if marks_engine is None else session_factory(marks_engine)
    mark_uow = functools.partial(SqlAlchemyUnitOfWork, marks or sessions, queue=queue)
    minute_engine = create_minute_engine(settings.database_url)  # None: SQLite
    try:
        yield Database(
            engine=engine, uow=uow, reads=reads, mark_uow=mark_uow, minute_engine=minute_engine
        )
    finally:
        await engine.dispose()
        for extra in (marks_engine, reading_engine, minute_engine):
            if extra is not None:
                await extra.dispose()
