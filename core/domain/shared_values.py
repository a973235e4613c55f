"""Plain values shared by the core and the adapters. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from core.domain.voices.preset_voices import Voice

__all__ = [
    "LANGUAGES",
    "Answer",
    "AsrPiece",
    "ChatRef",
    "ChatVoice",
    "Language",
    "Platform",
    "Preferences",
    "Transcript",
    "Usage",
    "VoiceCatalogue",
    "VoiceKind",
    "VoiceNote",
]

Platform = Literal["telegram", "discord", "cli"]
Language = Literal["auto", "zh", "en"]
LANGUAGES: tuple[Language, ...] = ("auto", "zh", "en")


@dataclass(frozen=True)
class ChatRef:
    """Where preferences live: one platform's chat, channel, server or DM."""

    platform: Platform
    chat_id: str


@dataclass(frozen=True)
class Preferences:
    """A chat's choices; `None` means the configured default."""

    voice: str | None = None
    style: str | None = None
    language: Language = "auto"
    auto_transcribe: bool = True
    tts_model: str | None = None
    # The language of what the bot posts to the whole chat (`core.chat.answer_languages`): the one
    # its administrators chose (/botlanguage), and the one of whoever last ran a command.
    interface_language: str | None = None
    commander_language: str | None = None
    # /autotranslate: every transcript here also gets its translation into this language
    # (its English name, as the chat model is told it); None: off.
    autotranslate: str | None = None
    # /tldr auto MINUTES: recordings at least this long also get their gist; None: off.
    gist_minutes: int | None = None


@dataclass(frozen=True)
class Usage:
    """What MiMo reported for one call."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    audio_seconds: float = 0.0


@dataclass(frozen=True)
class AsrPiece:
    """One request's worth of audio, ready for speech recognition."""

    data: bytes
    mime: str  # audio/mpeg or audio/wav
    offset: float  # seconds from the start of the recording
    duration: float


@dataclass(frozen=True)
class Transcript:
    text: str
    duration: float  # seconds of audio heard
    usage: Usage = field(default_factory=Usage)


@dataclass(frozen=True)
class VoiceNote:
    """An OGG/Opus clip as chat platforms want voice notes."""

    data: bytes
    duration: float  # seconds
    waveform: bytes = b""  # up to 256 amplitude bytes, one per ~100 ms (Discord voice messages)


@dataclass(frozen=True)
class Answer:
    text: str
    usage: Usage = field(default_factory=Usage)
    cut: bool = False  # MiMo stopped at the token budget (finish_reason "length"): not whole

    def marked(self) -> Answer:
        """This answer, its text ending in "…" if it was cut: never shown as if whole."""
        return replace(self, text=f"{self.text} …", cut=False) if self.cut else self


VoiceKind = Literal["designed", "cloned"]


@dataclass(frozen=True)
class ChatVoice:
    """A voice of the chat's own (`core.app.voices.own_voices`): designed from a description, or
    cloned from a sample its speaker recorded. `sample` is empty in listings (only speaking loads
    it)."""

    name: str
    kind: VoiceKind
    description: str = ""  # designed: what MiMo is told the voice sounds like
    sample: bytes = b""  # the reference MiMo speaks from (mp3): the recording's, or the design's
    sample_mime: str = ""
    owner_id: str | None = None  # who designed it, or whose recording it was cloned from
    shared: bool = False  # cloned: its owner shared it with the chat (`/voice share`)
    verified: bool = False  # cloned after its owner read the consent sentence

    def speaks_for(self, author: str | None) -> bool:
        """Whether it may speak words of `author` (None: not one person's own words, e.g. a
        summary): a cloned voice speaks only its owner's words until they share it, and only
        a verified one can be shared."""
        if self.kind != "cloned" or (self.shared and self.verified):
            return True
        return author is not None and author == self.owner_id


@dataclass(frozen=True)
class VoiceCatalogue:
    """The voices a chat can choose from (`/voice`): its choice, its model's, its own."""

    chosen: str
    built_in: tuple[Voice, ...]
    own: tuple[ChatVoice, ...]
