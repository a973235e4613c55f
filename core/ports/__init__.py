"""Every port: what the use cases need from the world, as protocols, one module per side of it:
`speech` (MiMo's recognition, synthesis, understanding and chat), `audio` (conversions, how
much audio one speech request carries, and the platforms' recordings), `storage` (units of work
and their stores), `runtime` (metrics, the clock) and `voice_channels` (a platform's voice
channels and the bot's call in one, for the channel reader). Real adapters live in
`core.infra` (and, for voice channels, in the platform's adapter); tests hand in their own.
Everything is importable from here: `from core.ports import SpeechApi, UnitOfWork`.
"""

from core.ports.audio import (
    AudioCaps,
    AudioConverter,
    Downloader,
    PieceStream,
    ProcessSlots,
    Recording,
    RemoteRecording,
    SampleConverter,
    UnderstandingAudio,
)
from core.ports.runtime import (
    CAPABILITIES,
    NO_METRICS,
    READING_OUTCOMES,
    Capability,
    Clock,
    Metrics,
    NoMetrics,
    ReadingOutcome,
    SystemClock,
)
from core.ports.speech import ChatApi, SpeechApi
from core.ports.storage import (
    BusinessConnectionStore,
    BusinessUnitOfWork,
    ChatLogStore,
    ChatLogUnitOfWork,
    ClaimStore,
    InlineUnitOfWork,
    InlineVoiceStore,
    PlaceIndex,
    PreferencesStore,
    ReadingStore,
    ReadingUnitOfWork,
    RetentionUnitOfWork,
    SummaryStateStore,
    SummaryUnitOfWork,
    TranscriptStore,
    TranscriptUnitOfWork,
    UnitOfWork,
    UsageStore,
    UsageUnitOfWork,
    VoiceStore,
    VoiceUnitOfWork,
    WorkUnitOfWork,
)
from core.ports.voice_channels import VoiceCall, VoiceChannels

__all__ = [
    "CAPABILITIES",
    "NO_METRICS",
    "READING_OUTCOMES",
    "AudioCaps",
    "AudioConverter",
    "BusinessConnectionStore",
    "BusinessUnitOfWork",
    "Capability",
    "ChatApi",
    "ChatLogStore",
    "ChatLogUnitOfWork",
    "ClaimStore",
    "Clock",
    "Downloader",
    "InlineUnitOfWork",
    "InlineVoiceStore",
    "Metrics",
    "NoMetrics",
    "PieceStream",
    "PlaceIndex",
    "PreferencesStore",
    "ProcessSlots",
    "ReadingOutcome",
    "ReadingStore",
    "ReadingUnitOfWork",
    "Recording",
    "RemoteRecording",
    "RetentionUnitOfWork",
    "SampleConverter",
    "SpeechApi",
    "SummaryStateStore",
    "SummaryUnitOfWork",
    "SystemClock",
    "TranscriptStore",
    "TranscriptUnitOfWork",
    "UnderstandingAudio",
    "UnitOfWork",
    "UsageStore",
    "UsageUnitOfWork",
    "VoiceCall",
    "VoiceChannels",
    "VoiceStore",
    "VoiceUnitOfWork",
    "WorkUnitOfWork",
]
