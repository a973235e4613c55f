"""Every port: what the use cases need from the world, as protocols, one module per side of it:
`speech` (MiMo's recognition, synthesis, understanding and chat), `audio` (conversions and the
platforms' recordings), `storage` (units of work and their stores) and `runtime` (metrics, the
clock). Real adapters live in `core.infra`; tests hand in their own. Everything is importable
from here: `from core.ports import SpeechApi, UnitOfWork`.
"""

from core.ports.audio import (
    AudioConverter,
    Downloader,
    PieceStream,
    Recording,
    RemoteRecording,
    SampleConverter,
    UnderstandingAudio,
)
from core.ports.runtime import (
    CAPABILITIES,
    NO_METRICS,
    Capability,
    Clock,
    Metrics,
    NoMetrics,
    SystemClock,
)
from core.ports.speech import ASR_MAX_BASE64, UNDERSTANDING_MAX_BASE64, ChatApi, SpeechApi
from core.ports.storage import (
    BusinessConnectionStore,
    BusinessUnitOfWork,
    ChatLogStore,
    ChatLogUnitOfWork,
    InlineUnitOfWork,
    InlineVoiceStore,
    PlaceIndex,
    PreferencesStore,
    ProcessedUpdateStore,
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

__all__ = [
    "ASR_MAX_BASE64",
    "CAPABILITIES",
    "NO_METRICS",
    "UNDERSTANDING_MAX_BASE64",
    "AudioConverter",
    "BusinessConnectionStore",
    "BusinessUnitOfWork",
    "Capability",
    "ChatApi",
    "ChatLogStore",
    "ChatLogUnitOfWork",
    "Clock",
    "Downloader",
    "InlineUnitOfWork",
    "InlineVoiceStore",
    "Metrics",
    "NoMetrics",
    "PieceStream",
    "PlaceIndex",
    "PreferencesStore",
    "ProcessedUpdateStore",
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
    "VoiceStore",
    "VoiceUnitOfWork",
    "WorkUnitOfWork",
]
