"""Voices and speaking styles of MiMo's text-to-speech models. Pure functions, no I/O.

Each model family spells a style differently, so the rendering lives here and the client only
sends what these functions return:

- `mimo-v2-tts`: a `<style>STYLE</style>` prefix on the spoken text; singing is
  `<style>sing</style>` (or `singing`, `唱歌`) alone.
- `mimo-v2.5-tts` (and anything unknown, which we treat as the newest family): a `(STYLE)` prefix
  for short style words, `(sing)` included; a longer natural-language direction goes into a `user`
  message before the text instead ("director mode"), where it reads as an instruction rather than
  as a label.
- `mimo-v2.5-tts-voicedesign`: the style *is* the voice description, so it always goes into the
  `user` message, and no preset voice is sent.

Who may set the style: the chat's settings. A user's text must not be able to override them, so on
v2 every `<style>`/`</style>` tag inside the text is removed (a tag in the middle of the text could
otherwise close ours and open a new one). On v2.5 the text is left exactly as written: a bracketed
prefix or an inline `[audio tag]` such as `[laugh]` is the user's own choice for their own words,
and it cannot hide or rewrite the chat's style, which comes first or sits in its own message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Voice:
    name: str
    description: str


_V2_VOICES = (
    Voice("mimo_default", "mimo_default — the default MiMo voice"),
    Voice("default_zh", "default_zh — Chinese, female"),
    Voice("default_en", "default_en — English, female"),
)

_V25_VOICES = (
    Voice("mimo_default", "mimo_default — 冰糖 in mainland China, Mia elsewhere"),
    Voice("冰糖", "冰糖 — Chinese, female, young and lively"),
    Voice("茉莉", "茉莉 — Chinese, female, gentle and mature"),
    Voice("苏打", "苏打 — Chinese, male, young and sunny"),
    Voice("白桦", "白桦 — Chinese, male, mature and steady"),
    Voice("Mia", "Mia — English, female, bright and young"),
    Voice("Chloe", "Chloe — English, female, warm and sweet"),
    Voice("Milo", "Milo — English, male, friendly and energetic"),
    Voice("Dean", "Dean — English, male, deep and steady"),
)

_STYLE_TAG = re.compile(r"<\s*/?\s*style\s*>", re.IGNORECASE)
# Characters that would end or open a style prefix early if they appeared inside the style.
_STYLE_BRACKETS = re.compile(r"[<>()（）\[\]【】]")
_SENTENCE_END = re.compile(r"[.!?。！？；;]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SINGING = frozenset({"sing", "singing", "唱歌"})
_MAX_STYLE_WORDS = 4
_MAX_STYLE_CJK_CHARS = 8


def is_v2(model: str) -> bool:
    """The `mimo-v2-tts` family, which only understands `<style>` tags."""
    return model.startswith("mimo-v2-tts")


def is_voicedesign(model: str) -> bool:
    """A model whose voice is described in words instead of chosen from the catalogue."""
    return model.endswith("-voicedesign")


def voices_for(model: str) -> tuple[Voice, ...]:
    """The preset voices of a TTS model; unknown models get the v2.5 catalogue.

    The voicedesign and voiceclone models ignore this catalogue (their voice is a description or
    an audio sample), but still get the v2.5 list so a chat's saved voice stays valid.
    """
    return _V2_VOICES if is_v2(model) else _V25_VOICES


def default_voice(model: str) -> str:
    """The voice to use when the chat chose none; every family has `mimo_default`."""
    return "mimo_default"


def tts_messages(model: str, text: str, style: str | None) -> list[dict[str, str]]:
    """The chat messages of one TTS request: an optional director `user` message, then the text.

    The text always goes in the `assistant` message: MiMo speaks that one and only reads the
    `user` message as direction.
    """
    style = _clean_style(style)
    if is_v2(model):
        text = _STYLE_TAG.sub("", text)
        spoken = f"<style>{style}</style>{text}" if style else text
        return [{"role": "assistant", "content": spoken}]
    if style and (is_voicedesign(model) or not _is_short_style(style)):
        return [{"role": "user", "content": style}, {"role": "assistant", "content": text}]
    spoken = f"({style}){text}" if style else text
    return [{"role": "assistant", "content": spoken}]


def tts_audio_options(model: str, voice: str | None, audio_format: str) -> dict[str, object]:
    """The top-level `audio` object: format and voice, or no voice for voicedesign.

    voicedesign's `optimize_text_preview` may rewrite and lengthen short text, so it stays off:
    the bot must say what the user wrote.
    """
    if is_voicedesign(model):
        return {"format": audio_format, "optimize_text_preview": False}
    return {"format": audio_format, "voice": voice or default_voice(model)}


def _clean_style(style: str | None) -> str:
    """The style as one line without brackets, so it cannot close its own prefix early."""
    if not style:
        return ""
    cleaned = " ".join(_STYLE_BRACKETS.sub(" ", _STYLE_TAG.sub(" ", style)).split())
    # Both families document singing in lower case only.
    return cleaned.casefold() if cleaned.casefold() in _SINGING else cleaned


def _is_short_style(style: str) -> bool:
    """A few style words ("Happy", "whisper, slow", "东北话") rather than a direction sentence."""
    if _SENTENCE_END.search(style):
        return False
    return (
        len(style.split()) <= _MAX_STYLE_WORDS and len(_CJK.findall(style)) <= _MAX_STYLE_CJK_CHARS
    )
