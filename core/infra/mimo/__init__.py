"""The MiMo speech API client and the voices and styles of its TTS models."""

from core.domain.tts import (
    Voice,
    default_voice,
    is_v2,
    is_voicedesign,
    tts_audio_options,
    tts_messages,
    voices_for,
)
from core.infra.mimo.client import MimoClient, MimoModels
from core.infra.mimo.wire import RetryPolicy

__all__ = [
    "MimoClient",
    "MimoModels",
    "RetryPolicy",
    "Voice",
    "default_voice",
    "is_v2",
    "is_voicedesign",
    "tts_audio_options",
    "tts_messages",
    "voices_for",
]
