"""The bots' own services, each built once by `bootstrap` (`bots_runtime.py`) on the parts they
share (`Parts`: the settings, the database, MiMo, audio, the clock and the metrics): one
function a service, named after it, saying what it is for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.app.channel_reader.message_speech import MessageSpeech
from core.app.channel_reader.reading_resumption import KeptReadings
from core.app.channel_reader.taken_back_relay import TakenBackRelay
from core.app.interpreter.interpreting import Interpreting
from core.app.listening.kept_calls import KeptCalls
from core.app.listening.live_transcription import Listening
from core.app.listening.past_calls import PastCalls
from core.app.listening.piece_stretching import Stretching
from core.app.memory.chat_search import MemorySearch
from core.app.memory.importer import Importer
from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.app.recordings.transcription import Recordings, Transcription
from core.app.rules.chat_settings import ChatPreferences
from core.app.summaries.chat_summaries import SummaryService
from core.app.voice_calls.restart_recovery import KeptServers, KeptStore
from core.app.voice_note_events import VoiceNotes
from core.app.voices.clone_consent import VoiceConsents
from core.app.voices.own_voices import VoiceStudio
from core.bootstrap.database_runtime import Storage
from core.bootstrap.parts_from_settings import account_limits, summary_limits, voice_models
from core.bootstrap.shared_use_cases import UseCases
from core.config import Settings
from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.mimo import MimoClient
from core.infra.mimo.minute_pacing import AccountMinute
from core.infra.prometheus_metrics import PrometheusMetrics
from core.ports import Clock, background_tasks
from core.ports.background_tasks import Beat

__all__ = [
    "Parts",
    "calls",
    "consents",
    "imports",
    "kept",
    "listening",
    "memory",
    "message_speech",
    "minute_looked_at",
    "studio",
    "summaries",
    "voice_notes",
    "watch_queues",
]


@dataclass(frozen=True)
class Parts:
    """What the bots' use cases are built on: the settings, the database with its limits and
    claims, MiMo, audio, the clock and the metrics."""

    settings: Settings
    store: Storage
    mimo: MimoClient
    audio: FfmpegAudio  # recordings converted, and voice samples for a clone
    clock: Clock
    metrics: PrometheusMetrics


def studio(parts: Parts, recordings: Recordings, taken_back: TakenBackRelay) -> VoiceStudio:
    """The chat's own voices, designed and cloned; a voice deleted is `taken_back` from the
    readings running."""
    settings, store = parts.settings, parts.store
    return VoiceStudio(
        speech=parts.mimo, audio=parts.audio, uow=store.uow, models=voice_models(settings),
        limiter=store.limiter, recordings=recordings,
        sample_seconds=settings.voice_sample_seconds, taken_back=taken_back,
    )  # fmt: skip


def watch_queues(
    metrics: PrometheusMetrics,
    transcription: Transcription,
    processes: FfmpegProcesses,
    recordings: Recordings,
    minute: AccountMinute,
) -> None:
    """What waits for speech requests, ffmpeg and downloads, and the account's minute (what
    it holds, what waits for a use, for how long, the 429s), in /metrics."""
    metrics.watch_queues(
        speech=transcription.requests_waiting,
        ffmpeg=lambda: processes.waiting,
        download=lambda: recordings.waiting,
    )
    metrics.watch_minute(minute)


def minute_looked_at(settings: Settings, minute: AccountMinute) -> Beat:
    """What the account's minute holds, read for /metrics every sixtieth of the minute (a second
    of MiMo's), as the process's pacing counts it (`AccountMinute.look`)."""
    return background_tasks.every(
        settings.mimo_minute_seconds / 60, minute.look, name="account minute"
    )


def listening(
    parts: Parts, cases: UseCases, studio: VoiceStudio, keeper: TranscriptKeeper
) -> Listening:
    """A voice channel's live transcript, its pieces through the process's request gate, and
    its interpreter."""
    store, mimo, preferences = parts.store, parts.mimo, cases.preferences
    from_audio = parts.settings.discord_interpret_from == "audio"
    interpreting = Interpreting(
        uow=store.uow, speech=cases.speech, studio=studio, preferences=preferences,
        chat_api=mimo, limiter=store.limiter,
        audio_understanding=(mimo, parts.audio) if from_audio else None,
    )  # fmt: skip
    # The calls' pieces lengthened while their speech would take more of the account's minute
    # of speech recognition than it holds (none where the minute is not paced).
    limits = account_limits(parts.settings)
    recognition = limits.of(mimo.models.asr) if limits.paced else None
    return Listening(
        uow=store.uow, speech=mimo, chat_api=mimo, audio=parts.audio, preferences=preferences,
        limiter=store.limiter, keeper=keeper, clock=parts.clock, metrics=parts.metrics,
        gate=cases.transcription.gate,
        idle_seconds=parts.settings.discord_listen_idle_seconds, interpreting=interpreting,
        stretching=Stretching(recognition, shared=lambda: mimo.minute.held(mimo.models.asr)),
    )  # fmt: skip


def kept(
    parts: Parts, keeper: TranscriptKeeper, preferences: ChatPreferences
) -> tuple[KeptCalls, KeptReadings]:
    """The calls and the channel readings kept while they last, for the process that takes
    them up after a restart; where anything is kept is read once for both."""
    uow, clock = parts.store.uow, parts.clock
    store, servers = KeptStore(uow), KeptServers(uow)
    kept_calls = KeptCalls(
        store=store, keeper=keeper, preferences=preferences, clock=clock, servers=servers
    )
    return kept_calls, KeptReadings(store=store, clock=clock, servers=servers)


def imports(
    settings: Settings, store: Storage, clock: Clock, transcription: Transcription
) -> Importer:
    """A chat's past voice messages imported into its memory (by the bots' runtime, and by
    `voicebridge import`'s, which builds nothing else of theirs)."""
    return Importer(
        transcription=transcription, uow=store.uow, limiter=store.limiter, clock=clock,
        retention_days=settings.summary_retention_days, at_once=settings.asr_max_in_flight,
        lease=timedelta(seconds=settings.work_lease_seconds),
    )  # fmt: skip


def summaries(parts: Parts, cases: UseCases) -> SummaryService:
    """A group chat logged and summarised."""
    store = parts.store
    return SummaryService(
        uow=store.uow, chat_api=parts.mimo, limiter=store.limiter, speech=cases.speech,
        clock=parts.clock, limits=summary_limits(parts.settings), leaving=cases.leaving,
        metrics=parts.metrics,
    )  # fmt: skip


def consents(parts: Parts, studio: VoiceStudio, transcription: Transcription) -> VoiceConsents:
    """Spoken consent before a voice is cloned."""
    return VoiceConsents(
        uow=parts.store.uow, studio=studio, transcription=transcription, clock=parts.clock,
        attempts_per_day=parts.settings.voice_clone_attempts_per_day,
    )  # fmt: skip


def voice_notes(
    parts: Parts, cases: UseCases, summaries: SummaryService, consents: VoiceConsents
) -> VoiceNotes:
    """A recording arrived, or its transcript was asked for."""
    return VoiceNotes(
        audiences=cases.audiences, transcription=cases.transcription,
        translations=cases.translations, gists=cases.gists, log=summaries,
        consents=consents, uow=parts.store.uow, questions=cases.questions,
        leaving=cases.leaving,
    )  # fmt: skip


def message_speech(parts: Parts, cases: UseCases, studio: VoiceStudio) -> MessageSpeech:
    """A channel reading's messages made into speech."""
    store = parts.store
    return MessageSpeech(
        uow=store.uow, speech=cases.speech, preferences=cases.preferences, studio=studio,
        limiter=store.limiter, max_chars=parts.settings.discord_reader_max_chars,
    )  # fmt: skip


def calls(parts: Parts, cases: UseCases) -> PastCalls:
    """A call's kept transcript afterwards: its summary and its files."""
    store = parts.store
    return PastCalls(
        uow=store.uow, chat_api=parts.mimo, limiter=store.limiter,
        max_prompt_chars=parts.settings.summary_max_prompt_chars, leaving=cases.leaving,
    )  # fmt: skip


def memory(parts: Parts, cases: UseCases) -> MemorySearch:
    """/find and /ask across a chat's kept transcripts."""
    settings, store = parts.settings, parts.store
    return MemorySearch(
        reads=store.reads, uow=store.uow, chat_api=parts.mimo, limiter=store.limiter,
        clock=parts.clock, retention_days=settings.summary_retention_days,
        max_prompt_chars=settings.summary_max_prompt_chars, leaving=cases.leaving,
    )  # fmt: skip
