"""The MiMo models the bot uses unless the settings name others (MIMO_ASR_MODEL and the rest,
`core.config.connection_settings`), one per kind of request: the ids MiMo offers today. Every
default is read from here: the settings', the MiMo client's built without settings
(`core.infra.mimo.model_kinds.MimoModels`), the voice studio's (`core.app.voices.own_voices`),
`voicebridge say`'s completion and the benchmarks that count a model's requests; a model MiMo
retires is changed here once (`tests/unit/test_config.py` finds an id written anywhere else).
"""

from __future__ import annotations

__all__ = ["ASR", "AUDIO", "CHAT", "OLDER_TTS", "TTS", "VOICECLONE", "VOICEDESIGN"]

ASR = "mimo-v2.5-asr"  # speech recognition
TTS = "mimo-v2.5-tts"  # the preset voices
OLDER_TTS = "mimo-v2-tts"  # the preset voices' older family, which MiMo routes to TTS's
AUDIO = "mimo-v2.6-flash"  # questions about a recording, translations from sound
CHAT = "mimo-v2.6-flash"  # summaries, gists, translations, questions across a chat
VOICEDESIGN = "mimo-v2.5-tts-voicedesign"  # a chat's voices designed from a description
VOICECLONE = "mimo-v2.5-tts-voiceclone"  # a chat's own voices speak with it, from their sample
