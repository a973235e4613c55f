"""The composition root: settings in, every adapter built and handed to the use cases that need
it, a ready runtime out. Only here are the core's services built (`tests/unit/test_one_builder.py`
holds it); a platform hands in its own ports and gets its services back ready. Tests call it with
their own settings (pointing at loopback stand-ins) and get exactly what production gets.

    bootstrap    the bots' runtime: the database (migrated), MiMo, audio, every use case;
                 `Runtime.calls_for`: a platform's voice calls, on its voice channels
    storage      the database and what works on it alone (`voicebridge db purge`, `usage`)
    standalone   the command line's: MiMo and audio without a database
    memory_alone `voicebridge find`'s: /find over the database, without MiMo

Each part as the settings describe it (limits, the MiMo client, ffmpeg, the database) is built
in `core.from_settings`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from core.app.calls.interpreting import Interpreting
from core.app.calls.kept import KeptCalls
from core.app.calls.lifecycle import ListenedCalls, Sides
from core.app.calls.live_transcript import Listening
from core.app.calls.restarts import KeptServers, KeptStore
from core.app.calls.summary import Calls
from core.app.calls.voice_channel import VoiceCalls
from core.app.memory.forgetting import Forgetting
from core.app.memory.imports import Importer
from core.app.memory.retention import RetentionJob, retention_jobs
from core.app.memory.search import Memory
from core.app.reader.channel_reader import ChannelReader
from core.app.reader.choices import ReaderChoices
from core.app.reader.kept import KeptReadings
from core.app.reader.spoken import MessageSpeech
from core.app.recordings.business import BusinessChats
from core.app.recordings.fetching import Recordings
from core.app.recordings.gists import Gists
from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.app.recordings.questions import Questions
from core.app.recordings.transcription import Transcriber, Transcription
from core.app.recordings.translations import Translations
from core.app.rules.claims import Claims
from core.app.rules.in_flight import RequestGate
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
from core.domain.reading import ReaderPolicy
from core.domain.values import ChatRef, Preferences
from core.from_settings import (
    audio_of,
    database,
    ffmpeg_processes,
    http_client,
    limit_policy_from,
    limits_from,
    mimo_client,
    summary_limits,
    voice_models,
)
from core.infra.audio.converter import FfmpegAudio
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
    VoiceChannels,
)
from core.ports.background import supervised

if TYPE_CHECKING:
    # Imported where a database is opened: the command line's `standalone` runtime, which has
    # none, starts without loading SQLAlchemy and Alembic (about half its start-up).
    from sqlalchemy.ext.asyncio import AsyncEngine

    from core.infra.storage import SqlAlchemyUnitOfWork


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
    # One gate for the whole process: the in-flight limits hold across chats, and for the
    # calls listened to (`core.app.calls.live_transcript`, which is handed it).
    gate = RequestGate(total=limits.asr_max_in_flight, per_chat=limits.asr_concurrency)
    transcription = Transcription(
        transcriber=Transcriber(speech=speech, gate=gate, piece_seconds=limits.asr_piece_seconds),
        gate=gate, audio=audio, limiter=limiter, limits=limits, recordings=recordings,
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
class Storage:
    """The database and the parts that need nothing else: no MiMo key, no bot token. The
    runtime is built on it; `voicebridge db purge` and `voicebridge usage` use it alone."""

    engine: AsyncEngine
    uow: Callable[[], SqlAlchemyUnitOfWork]
    reads: Callable[[], SqlAlchemyUnitOfWork]  # units of work that only read: searches
    limiter: Limiter
    claims: Claims
    retention: list[RetentionJob]  # run hourly by the scheduler, once by `db purge`


@asynccontextmanager
async def storage(
    settings: Settings, *, migrate: bool = True, clock: Clock | None = None
) -> AsyncIterator[Storage]:
    """Bring the schema up to date (unless `migrate` is False), then open the database and
    build what works on it alone: the limits, the claims and the retention jobs."""
    clock = clock or SystemClock()
    async with database(settings, migrate=migrate) as opened:
        uow = opened.uow
        limiter = Limiter(uow=uow, clock=clock, policy=limit_policy_from(settings))
        claims = Claims(
            uow=uow,
            mark_uow=opened.mark_uow,
            instance=settings.instance_name,
            lease=timedelta(seconds=settings.work_lease_seconds),
            clock=clock,
            # Longer than any platform redelivers an update (Telegram: 24 hours).
            retention=timedelta(days=settings.summary_retention_days),
        )
        retention = retention_jobs(
            uow=uow, clock=clock, days=settings.summary_retention_days, claims=claims,
            limiter=limiter,
        )  # fmt: skip
        yield Storage(
            engine=opened.engine, uow=uow, reads=opened.reads, limiter=limiter, claims=claims,
            retention=retention,
        )  # fmt: skip


@dataclass(frozen=True)
class VoiceServices:
    """A platform's voice calls, built on its voice channels (`Runtime.calls_for`)."""

    calls: VoiceCalls  # the bot's call in each server, which /say, readings and listening hold
    reader: ChannelReader  # a text channel read aloud in a voice channel
    listened: ListenedCalls  # a listened call from start to end


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
    kept_calls: KeptCalls  # ...kept while it lasts, for the process that takes it up
    kept_readings: KeptReadings  # ...and the channel readings likewise
    calls: Calls  # ...and the call's kept transcript afterwards: its summary and its files
    memory: Memory  # /find and /ask across a chat's kept transcripts
    imports: Importer  # a chat's past voice messages, imported into its memory
    forgetting: Forgetting  # /forget: what runs in the chat ended, everything kept deleted
    # For /healthz: a pooled connection reads, at most once a second however many ask.
    database_reachable: Callable[[], Awaitable[bool]]

    def calls_for(self, channels: VoiceChannels, sides: Sides) -> VoiceServices:
        """The voice calls of a platform whose voice channels are `channels`, and whose side
        of a listened call `sides` builds: the calls the bot holds, the channel reader and the
        listened calls, each taken up after a restart within CALL_RESUME_WITHIN."""
        settings = self.settings
        resume_within = timedelta(seconds=settings.call_resume_within)
        calls = VoiceCalls(channels)
        policy = ReaderPolicy(
            queue=settings.discord_reader_queue, idle_seconds=settings.discord_reader_idle_seconds
        )
        reader = ChannelReader(
            channels=channels, calls=calls, speech=self.message_speech, policy=policy,
            metrics=self.metrics, kept=self.kept_readings, resume_within=resume_within,
            end_on_stop=settings.calls_end_on_stop,
        )  # fmt: skip
        listened = ListenedCalls(
            listening=self.listening, kept=self.kept_calls, channels=channels, calls=calls,
            sides=sides, resume_within=resume_within, end_on_stop=settings.calls_end_on_stop,
        )  # fmt: skip
        return VoiceServices(calls=calls, reader=reader, listened=listened)


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
    async with (
        storage(settings, migrate=migrate, clock=clock) as store,
        http_client() as http,
        # Innermost: what still runs in the background at the stop ends while the database
        # and the HTTP client are still there for its clean-up.
        supervised(metrics),
    ):
        mimo = mimo_client(settings, http=http, metrics=metrics)
        parts = _Parts(settings, store, mimo, audio_of(settings, processes), clock, metrics)
        # Recordings are downloaded through the same client, streamed to disk.
        recordings = Recordings(downloader=HttpDownloads(http), limits=limits_from(settings))
        studio = _studio(parts, recordings)
        keeper = TranscriptKeeper(uow=store.uow, clock=clock)
        cases = mimo_use_cases(
            settings, mimo, parts.audio, store.uow, limiter=store.limiter, studio=studio,
            recordings=recordings, keeper=keeper, metrics=metrics,
        )  # fmt: skip
        _watch_queues(metrics, cases.transcription, processes, recordings)
        listening = _listening(parts, cases, studio, keeper)
        imports = _imports(parts, cases.transcription)
        summaries = _summaries(parts, cases.speech)
        consents = _consents(parts, studio, cases.transcription)
        digests = DigestService(
            uow=store.uow, summaries=summaries, audiences=cases.audiences, clock=clock
        )
        kept_calls, kept_readings = _kept(parts, keeper, cases.preferences)
        yield Runtime(
            **shared(cases), settings=settings, studio=studio, consents=consents,
            voice_notes=_voice_notes(parts, cases, summaries, consents),
            business=BusinessChats(uow=store.uow, limiter=store.limiter),
            inline=InlineVoices(uow=store.uow, speech=cases.speech, clock=clock),
            recordings=recordings, mimo=mimo, engine=store.engine, summaries=summaries,
            digests=digests, claims=store.claims, metrics=metrics, processes=processes,
            scheduler=Scheduler(digests=digests, clock=clock, retention=store.retention),
            message_speech=_message_speech(parts, cases, studio),
            reader_choices=ReaderChoices(uow=store.uow, preferences=cases.preferences),
            listening=listening, kept_calls=kept_calls, kept_readings=kept_readings,
            calls=_calls(parts), memory=_memory(parts), imports=imports,
            forgetting=Forgetting(
                uow=store.uow, clock=clock, listening=listening, imports=imports
            ),
            database_reachable=DatabaseHealth(store.engine).reachable,
        )  # fmt: skip


@dataclass(frozen=True)
class _Parts:
    """What the bots' use cases are built on: the settings, the database with its limits and
    claims, MiMo, audio, the clock and the metrics."""

    settings: Settings
    store: Storage
    mimo: MimoClient
    audio: FfmpegAudio  # recordings converted, and voice samples for a clone
    clock: Clock
    metrics: PrometheusMetrics


def _studio(parts: _Parts, recordings: Recordings) -> VoiceStudio:
    """The chat's own voices, designed and cloned."""
    settings, store = parts.settings, parts.store
    return VoiceStudio(
        speech=parts.mimo, audio=parts.audio, uow=store.uow, models=voice_models(settings),
        limiter=store.limiter, recordings=recordings,
        sample_seconds=settings.voice_sample_seconds,
    )  # fmt: skip


def _watch_queues(
    metrics: PrometheusMetrics,
    transcription: Transcription,
    processes: FfmpegProcesses,
    recordings: Recordings,
) -> None:
    """What waits for speech requests, ffmpeg and downloads, in /metrics."""
    metrics.watch_queue("speech", transcription.requests_waiting)
    metrics.watch_queue("ffmpeg", lambda: processes.waiting)
    metrics.watch_queue("download", lambda: recordings.waiting)


def _listening(
    parts: _Parts, cases: UseCases, studio: VoiceStudio, keeper: TranscriptKeeper
) -> Listening:
    """A voice channel's live transcript, its pieces through the process's request gate, and
    its interpreter."""
    store, mimo, preferences = parts.store, parts.mimo, cases.preferences
    interpreting = Interpreting(
        uow=store.uow, speech=cases.speech, studio=studio, preferences=preferences,
        chat_api=mimo, limiter=store.limiter,
    )  # fmt: skip
    return Listening(
        uow=store.uow, speech=mimo, chat_api=mimo, audio=parts.audio, preferences=preferences,
        limiter=store.limiter, keeper=keeper, clock=parts.clock, metrics=parts.metrics,
        gate=cases.transcription.gate,
        idle_seconds=parts.settings.discord_listen_idle_seconds, interpreting=interpreting,
    )  # fmt: skip


def _kept(
    parts: _Parts, keeper: TranscriptKeeper, preferences: ChatPreferences
) -> tuple[KeptCalls, KeptReadings]:
    """The calls and the channel readings kept while they last, for the process that takes
    them up after a restart; where anything is kept is read once for both."""
    uow, clock = parts.store.uow, parts.clock
    store, servers = KeptStore(uow), KeptServers(uow)
    calls = KeptCalls(
        store=store, keeper=keeper, preferences=preferences, clock=clock, servers=servers
    )
    return calls, KeptReadings(store=store, clock=clock, servers=servers)


def _imports(parts: _Parts, transcription: Transcription) -> Importer:
    """A chat's past voice messages imported into its memory."""
    settings, store = parts.settings, parts.store
    return Importer(
        transcription=transcription, uow=store.uow, limiter=store.limiter, clock=parts.clock,
        retention_days=settings.summary_retention_days, at_once=settings.asr_max_in_flight,
        lease=timedelta(seconds=settings.work_lease_seconds),
    )  # fmt: skip


def _summaries(parts: _Parts, speech: TextToSpeech) -> SummaryService:
    """A group chat logged and summarised."""
    store = parts.store
    return SummaryService(
        uow=store.uow, chat_api=parts.mimo, limiter=store.limiter, speech=speech,
        clock=parts.clock, limits=summary_limits(parts.settings), metrics=parts.metrics,
    )  # fmt: skip


def _consents(parts: _Parts, studio: VoiceStudio, transcription: Transcription) -> VoiceConsents:
    """Spoken consent before a voice is cloned."""
    return VoiceConsents(
        uow=parts.store.uow, studio=studio, transcription=transcription, clock=parts.clock,
        attempts_per_day=parts.settings.voice_clone_attempts_per_day,
    )  # fmt: skip


def _voice_notes(
    parts: _Parts, cases: UseCases, summaries: SummaryService, consents: VoiceConsents
) -> VoiceNotes:
    """A recording arrived, or its transcript was asked for."""
    return VoiceNotes(
        audiences=cases.audiences, transcription=cases.transcription,
        translations=cases.translations, gists=cases.gists, log=summaries,
        consents=consents, uow=parts.store.uow, questions=cases.questions,
    )  # fmt: skip


def _message_speech(parts: _Parts, cases: UseCases, studio: VoiceStudio) -> MessageSpeech:
    """A channel reading's messages made into speech."""
    store = parts.store
    return MessageSpeech(
        uow=store.uow, speech=cases.speech, preferences=cases.preferences, studio=studio,
        limiter=store.limiter, max_chars=parts.settings.discord_reader_max_chars,
    )  # fmt: skip


def _calls(parts: _Parts) -> Calls:
    """A call's kept transcript afterwards: its summary and its files."""
    store = parts.store
    return Calls(
        uow=store.uow, chat_api=parts.mimo, limiter=store.limiter,
        max_prompt_chars=parts.settings.summary_max_prompt_chars,
    )  # fmt: skip


def _memory(parts: _Parts) -> Memory:
    """/find and /ask across a chat's kept transcripts."""
    settings, store = parts.settings, parts.store
    return Memory(
        reads=store.reads, uow=store.uow, chat_api=parts.mimo, limiter=store.limiter,
        clock=parts.clock, retention_days=settings.summary_retention_days,
        max_prompt_chars=settings.summary_max_prompt_chars,
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


@asynccontextmanager
async def memory_alone(settings: Settings) -> AsyncIterator[Memory]:
    """/find over the database as it is (no migration), without MiMo or any limit
    (`voicebridge find`): it reads, and needs no MiMo key or bot token."""
    async with storage(settings, migrate=False) as store:
        yield Memory(
            reads=store.reads, chat_api=None, limiter=None,
            retention_days=settings.summary_retention_days,
            max_prompt_chars=settings.summary_max_prompt_chars,
        )  # fmt: skip
