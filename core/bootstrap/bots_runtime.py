"""The bots' runtime (`bootstrap`): the database migrated and opened, MiMo, audio and every
use case, built once and held in one typed `Runtime`; `Runtime.calls_for` builds a platform's
voice calls on its voice channels (`VoiceServices`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from core.app.channel_reader.message_speech import MessageSpeech
from core.app.channel_reader.reader_choices import ReaderChoices
from core.app.channel_reader.reading_control import ChannelReader
from core.app.channel_reader.reading_resumption import KeptReadings
from core.app.channel_reader.taken_back_relay import TakenBackRelay
from core.app.listening.call_lifecycle import ListenedCalls, Sides
from core.app.listening.kept_calls import KeptCalls
from core.app.listening.live_transcription import Listening
from core.app.listening.past_calls import PastCalls
from core.app.memory.chat_search import MemorySearch
from core.app.memory.forgetting import Forgetting
from core.app.memory.importer import Importer
from core.app.recordings.business_chats import BusinessChats
from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.app.recordings.transcription import Recordings
from core.app.rules.outgoing_check import Leaving
from core.app.rules.work_claims import Claims
from core.app.scheduler import Scheduler
from core.app.summaries.chat_summaries import SummaryService
from core.app.summaries.daily_digests import DigestService
from core.app.voice_calls.seats import VoiceCalls
from core.app.voice_note_events import VoiceNotes
from core.app.voices.clone_consent import VoiceConsents
from core.app.voices.inline_mode import InlineVoices
from core.app.voices.own_voices import VoiceStudio
from core.bootstrap import bot_services
from core.bootstrap.database_runtime import minute_kept, storage
from core.bootstrap.parts_from_settings import (
    account_limits,
    audio_of,
    ffmpeg_processes,
    http_client,
    limits_from,
    mimo_client,
    reader_policy,
)
from core.bootstrap.shared_use_cases import UseCases, mimo_use_cases, shared
from core.config import Settings
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.malloc_tuning import return_large_blocks
from core.infra.mimo import MimoClient
from core.infra.mimo.minute_ledger import MemoryLedger
from core.infra.mimo.minute_pacing import AccountMinute
from core.infra.prometheus_metrics import PrometheusMetrics
from core.infra.recording_downloads import HttpDownloads
from core.ports import Clock, SystemClock, VoiceChannels
from core.ports.background_tasks import supervised

if TYPE_CHECKING:
    # Imported where a database is opened: the command line's `standalone` runtime, which has
    # none, starts without loading SQLAlchemy and Alembic (about half its start-up).
    from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["Runtime", "VoiceServices", "bootstrap"]


@dataclass(frozen=True)
class VoiceServices:
    """A platform's voice calls, built on its voice channels (`Runtime.calls_for`)."""

    calls: (
        VoiceCalls  # the bot's call in each server, where /say, readings and listening take seats
    )
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
    taken_back: TakenBackRelay  # ...and what they took back, told to the readings running
    listening: Listening  # a voice channel's live transcript, of those who said yes (Discord)
    kept_calls: KeptCalls  # ...kept while it lasts, for the process that takes it up
    kept_readings: KeptReadings  # ...and the channel readings likewise
    calls: PastCalls  # ...and the call's kept transcript afterwards: its summary and its files
    memory: MemorySearch  # /find and /ask across a chat's kept transcripts
    imports: Importer  # a chat's past voice messages, imported into its memory
    forgetting: Forgetting  # /forget: what runs in the chat ended, everything kept deleted
    # For /healthz: a pooled connection reads, at most once a second however many ask.
    database_reachable: Callable[[], Awaitable[bool]]
    clock: Clock  # the time the core and the bots' timers read (tests move it by hand)

    def calls_for(self, channels: VoiceChannels, sides: Sides) -> VoiceServices:
        """The voice calls of a platform whose voice channels are `channels`, and whose side
        of a listened call `sides` builds: the calls the bot holds, the channel reader and the
        listened calls, each taken up after a restart within CALL_RESUME_WITHIN."""
        settings = self.settings
        resume_within = timedelta(seconds=settings.call_resume_within)
        calls = VoiceCalls(channels)
        reader = ChannelReader(
            channels=channels, calls=calls, speech=self.message_speech,
            policy=reader_policy(settings), metrics=self.metrics, kept=self.kept_readings,
            resume_within=resume_within, end_on_stop=settings.calls_end_on_stop,
        )  # fmt: skip
        self.taken_back.attach(reader)
        listened = ListenedCalls(
            listening=self.listening, kept=self.kept_calls, channels=channels, calls=calls,
            sides=sides, resume_within=resume_within, end_on_stop=settings.calls_end_on_stop,
        )  # fmt: skip
        return VoiceServices(calls=calls, reader=reader, listened=listened)


@asynccontextmanager
async def bootstrap(
    settings: Settings, *, migrate: bool = True, clock: Clock | None = None
) -> AsyncIterator[Runtime]:
    """Bring the schema up to date, then build the MiMo client, the database and the services.

    `clock` drives summaries, digests and retention, and the bots' timers that read it (inline
    mode's pause in typing); tests pass one they can move by hand.
    """
    from core.infra.health_check import DatabaseHealth  # it loads the database layer

    return_large_blocks()  # a recording's pieces, freed, leave no memory behind (`malloc_tuning`)
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
        # MiMo's minute: every replica's uses in the database they share (PostgreSQL), or this
        # process's alone, in memory (SQLite).
        minute = AccountMinute(
            limits=account_limits(settings), ledger=store.minute_ledger or MemoryLedger()
        )
        mimo = mimo_client(settings, http=http, metrics=metrics, minute=minute)
        parts = bot_services.Parts(
            settings, store, mimo, audio_of(settings, processes), clock, metrics
        )
        # Recordings are downloaded through the same client, streamed to disk.
        recordings = Recordings(downloader=HttpDownloads(http), limits=limits_from(settings))
        taken_back = TakenBackRelay()
        studio = bot_services.studio(parts, recordings, taken_back)
        keeper = TranscriptKeeper(uow=store.uow, reads=store.reads, clock=clock)
        cases = mimo_use_cases(
            settings, mimo, parts.audio, store.uow, limiter=store.limiter, studio=studio,
            recordings=recordings, keeper=keeper, leaving=Leaving(store.reads), metrics=metrics,
        )  # fmt: skip
        bot_services.watch_queues(metrics, cases.transcription, processes, recordings, mimo.minute)
        listening = bot_services.listening(parts, cases, studio, keeper)
        imports = bot_services.imports(settings, store, clock, cases.transcription)
        summaries = bot_services.summaries(parts, cases)
        consents = bot_services.consents(parts, studio, cases.transcription)
        digests = DigestService(
            uow=store.uow, summaries=summaries, audiences=cases.audiences, clock=clock
        )
        kept_calls, kept_readings = bot_services.kept(parts, keeper, cases.preferences)
        runtime = Runtime(
            **shared(cases), settings=settings, studio=studio, consents=consents,
            voice_notes=bot_services.voice_notes(parts, cases, summaries, consents),
            business=BusinessChats(uow=store.uow, limiter=store.limiter),
            inline=InlineVoices(uow=store.uow, speech=cases.speech, clock=clock),
            recordings=recordings, mimo=mimo, engine=store.engine, summaries=summaries,
            digests=digests, claims=store.claims, metrics=metrics, processes=processes,
            scheduler=Scheduler(digests=digests, clock=clock, retention=store.retention),
            message_speech=bot_services.message_speech(parts, cases, studio),
            reader_choices=ReaderChoices(
                uow=store.uow, preferences=cases.preferences, taken_back=taken_back
            ),
            taken_back=taken_back,
            listening=listening, kept_calls=kept_calls, kept_readings=kept_readings,
            calls=bot_services.calls(parts, cases), memory=bot_services.memory(parts, cases),
            imports=imports,
            forgetting=Forgetting(
                uow=store.uow, clock=clock, listening=listening, imports=imports,
                taken_back=taken_back,
            ),
            database_reachable=DatabaseHealth(store.engine).reachable, clock=clock,
        )  # fmt: skip
        looked_at = bot_services.minute_looked_at(settings, mimo.minute)
        async with minute_kept(store, minute), looked_at:
            yield runtime
