"""The preset voices of MiMo's speech models: who each is (Mia, Dean, 冰糖...), the line that
describes them, which model family offers them, and the voice a chat gets when its choice is
not one of its model's (`DEFAULT_VOICE`, `mimo_default`, when it chose none). No I/O.

A chat's own voices (designed, cloned) are not presets: a name that is no preset's is one of
them (`is_built_in`). The voice a request names (`request_voice`): none for a voicedesign
model, a cloned voice's sample for voiceclone, else the chat's voice or the default.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.voices.speaking_style_rules import is_v2, is_voiceclone, is_voicedesign

__all__ = [
    "ALL_VOICES",
    "DEFAULT_VOICE",
    "Voice",
    "chosen_voice",
    "default_voice",
    "is_built_in",
    "request_voice",
    "voices_for",
]

# Every family's default voice: the one a request names when the chat chose none.
DEFAULT_VOICE = "mimo_default"


@dataclass(frozen=True)
class Voice:
    name: str
    description: str  # English; readers see it translated (`key` in the message catalogue)
    family: str = "v2.5"
    language: str | None = None  # "zh" or "en" (`core.domain.voices.spoken_language`); None: either

    @property
    def key(self) -> str:
        """The description's catalogue key: both families have a `mimo_default`."""
        family = "" if self.family == "v2.5" else f"{self.family}."
        return f"voice.description.{family}{self.name}"


_V2_VOICES = (
    Voice("mimo_default", "mimo_default — the default MiMo voice", family="v2"),
    Voice("default_zh", "default_zh — Chinese, female", family="v2", language="zh"),
    Voice("default_en", "default_en — English, female", family="v2", language="en"),
)

_V25_VOICES = (
    Voice("mimo_default", "mimo_default — 冰糖 in mainland China, Mia elsewhere"),
    Voice("冰糖", "冰糖 — Chinese, female, young and lively", language="zh"),
    Voice("茉莉", "茉莉 — Chinese, female, gentle and mature", language="zh"),
    Voice("苏打", "苏打 — Chinese, male, young and sunny", language="zh"),
    Voice("白桦", "白桦 — Chinese, male, mature and steady", language="zh"),
    Voice("Mia", "Mia — English, female, bright and young", language="en"),
    Voice("Chloe", "Chloe — English, female, warm and sweet", language="en"),
    Voice("Milo", "Milo — English, male, friendly and energetic", language="en"),
    Voice("Dean", "Dean — English, male, deep and steady", language="en"),
)
ALL_VOICES = (*_V25_VOICES, *_V2_VOICES)
_BUILT_IN = frozenset(v.name.casefold() for v in ALL_VOICES)


def voices_for(model: str) -> tuple[Voice, ...]:
    """The preset voices of a TTS model; unknown models get the v2.5 catalogue.

    The voicedesign and voiceclone models ignore this catalogue (their voice is a description or
    an audio sample), but still get the v2.5 list so a chat's saved voice stays valid.
    """
    return _V2_VOICES if is_v2(model) else _V25_VOICES


def is_built_in(name: str) -> bool:
    """Whether `name` (any case) is a preset voice of any MiMo speech model."""
    return name.casefold() in _BUILT_IN


def default_voice(model: str) -> str:
    """The voice to use when the chat chose none; every family has `mimo_default`."""
    return DEFAULT_VOICE


def chosen_voice(chosen: str | None, model: str) -> str:
    """The voice a chat `chosen`, if `model` has it or it is one of the chat's own, else the
    model's default."""
    # A preset of the model's, or the chat's own voice (deleting it clears the choice).
    if chosen and (chosen in {v.name for v in voices_for(model)} or not is_built_in(chosen)):
        return chosen
    return default_voice(model)


def request_voice(model: str, voice: str | None) -> str | None:
    """The voice a request to `model` names: none for voicedesign (its voice is the
    description), the sample's data URL for voiceclone (`speaking_style_rules.clone_voice`), else
    `voice` or the default."""
    if is_voicedesign(model):
        return None
    if is_voiceclone(model) and not (voice or "").startswith("data:audio/"):
        raise ValueError("voiceclone needs the sample's data URL as its voice (clone_voice)")
    return voice or DEFAULT_VOICE
