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

Who may set the style: the chat's settings, and nothing else. A user's text is made plain before
it is rendered (`plain_text`), the same way for every family (v2 requests are served by the v2.5
models nowadays, so either syntax may be understood):

- every `<style>`/`</style>` tag is replaced by a space (a tag in the middle of the text could
  otherwise close ours and open a new one);
- bracketed words at the very start, `(singing) hi`, `（唱歌）`, `[laugh]`, lose their brackets
  and are spoken as words: at the start they would be read as the style, ours or in its place.

Bracketed words later in the text, `I think [cough] I am ill`, stay: there they are audio tags,
the user's own choice for their own words, and cannot change the chat's style. Text that is
nothing but tags is `EmptyText`, not an empty request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import EmptyText


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
_STYLE_TAGS_IN_TEXT = re.compile(r"(?:[ \t]*<\s*/?\s*style\s*>[ \t]*)+", re.IGNORECASE)
# Bracketed words at the start of the text (an unclosed bracket runs to the end, a stray
# closing one counts too): the place where a v2.5 model reads the style.
_LEADING_TAGS = re.compile(r"^(?:\s*(?:[)）\]】]|[(（\[【][^)）\]】]*(?:[)）\]】]|$)))+\s*")
_TAG_BRACKETS = re.compile(r"[()（）\[\]【】]")
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
    style, text = _clean_style(style), plain_text(text)
    if not text:
        raise EmptyText("nothing to speak once the style tags are taken out")
    if is_v2(model):
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


def plain_text(text: str) -> str:
    """The user's text with nothing a model could take for a style instruction: style tags
    become spaces, and leading bracketed words lose their brackets (`(singing) hi` is spoken as
    "singing hi"). Empty when the text was only tags."""
    text = _STYLE_TAGS_IN_TEXT.sub(" ", text).strip()
    lead = _LEADING_TAGS.match(text)
    if lead is None:
        return text
    words = " ".join(_TAG_BRACKETS.sub(" ", lead.group()).split())
    rest = text[lead.end() :]
    return f"{words} {rest}".strip() if words else rest


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
