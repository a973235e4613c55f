"""Speaking styles of MiMo's text-to-speech models, and what one request says. Pure functions,
no I/O. The models' preset voices (Mia, 冰糖...) are `core.domain.voices.preset_voices`.

Each model family takes a style differently. What one request says is an `Utterance` (`utterance`):
the text to speak, and an optional direction read before it as an instruction, never spoken.
How those travel to MiMo is the MiMo adapter's business (`core.infra.mimo.request_shapes`). Per
family:

- `mimo-v2-tts`: a `<style>STYLE</style>` prefix on the spoken text; singing is
  `<style>sing</style>` (or `singing`, `唱歌`) alone.
- `mimo-v2.5-tts` (and anything unknown, which we treat as the newest family): a `(STYLE)` prefix
  for short style words, `(sing)` included; a longer natural-language style is the direction
  instead ("director mode"), where it reads as an instruction rather than as a label.
- `mimo-v2.5-tts-voicedesign`: the voice is described in the direction (a chat's designed
  voice, `description`; the chat's style follows it there), and no preset voice is named
  (`core.domain.voices.preset_voices.request_voice`). Without a description, the style is the
  description.
- `mimo-v2.5-tts-voiceclone`: the voice is a data URL of the reference sample (`clone_voice`),
  mp3 or wav, base64 at most 10 MB; styles as for v2.5.

Style presets (`STYLE_PRESETS`: happy, whisper, news anchor, storyteller, faster, sing...) are
names a chat can choose with `/style` (in any of the bot's languages: `/style 开心` is stored as
`happy`, see `core.chat.style_preset_names.preset_named`); each is rendered as the words the models
understand (`faster` is "speed up", `news anchor` a director's sentence). Anything else is free
text.

What each model can do follows the provider's v2.5 table: inline audio tags (`[laugh]`,
`[cough]`) pass through to the preset-voice and voiceclone models, which perform them, and are
dropped for voicedesign, which would read them out as words (`supports_audio_tags`); only the
preset-voice models sing, so elsewhere the `sing` style is left out and the text is said
(`sings`).

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

import base64
import re
from dataclasses import dataclass

from core.domain.errors import AudioTooLarge, EmptyText
from core.domain.mimo import default_models
from core.domain.quantities import Megabytes

__all__ = [
    "PIECE_PAUSE_MS",
    "STYLE_PRESETS",
    "Utterance",
    "clone_voice",
    "is_v2",
    "is_voiceclone",
    "is_voicedesign",
    "plain_text",
    "spoken_text",
    "utterance",
]


@dataclass(frozen=True)
class Utterance:
    """What one TTS request says: `text`, spoken (with the style as its prefix where the model
    reads it there), and `direction`, read before it as an instruction and never spoken (a
    director's style, a designed voice's description), or None."""

    text: str
    direction: str | None = None


# The silence between the pieces of one text's speech, as a voice note joins them and as speech
# streamed into a call plays them.
PIECE_PAUSE_MS = 300

# What a style preset is rendered as: a short label for the `(style)` / `<style>` prefix, or a
# director's sentence (v2.5 takes that as the direction; v2 takes it in its tag).
STYLE_PRESETS: dict[str, str] = {
    "happy": "happy",
    "sad": "sad",
    "angry": "angry",
    "excited": "excited",
    "calm": "calm",
    "whisper": "whisper",
    "news anchor": "Read this like a professional news anchor: clear, neutral and measured.",
    "storyteller": "Tell this like a warm, unhurried storyteller reading aloud to children.",
    "faster": "speed up",
    "slower": "slow down",
    "sing": "sing",
}
CLONE_MIME_TYPES = frozenset({"audio/mpeg", "audio/wav"})
CLONE_BASE64_LIMIT = 10 * 1024 * 1024

_STYLE_TAG = re.compile(r"<\s*/?\s*style\s*>", re.IGNORECASE)
_STYLE_TAGS_IN_TEXT = re.compile(r"(?:[ \t]*<\s*/?\s*style\s*>[ \t]*)+", re.IGNORECASE)
# Bracketed words at the start of the text (an unclosed bracket runs to the end, a stray
# closing one counts too): the place where a v2.5 model reads the style.
_LEADING_TAGS = re.compile(r"^(?:\s*(?:[)）\]】]|[(（\[【][^)）\]】]*(?:[)）\]】]|$)))+\s*")
_TAG_BRACKETS = re.compile(r"[()（）\[\]【】]")
# Characters that would end or open a style prefix early if they appeared inside the style.
_STYLE_BRACKETS = re.compile(r"[<>()（）\[\]【】]")
_AUDIO_TAG = re.compile(r"[ \t]*[\[【][^\]】\n]{1,40}[\]】]")
_SPACES = re.compile(r"[ \t]{2,}")
_SENTENCE_END = re.compile(r"[.!?。！？；;]")
# The characters a style's length counts one by one (`_MAX_STYLE_CJK_CHARS`): a block wider than
# the Han characters that tell a voice's language (`spoken_language.HAN_CHARACTER`), on purpose.
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SINGING = frozenset({"sing", "singing", "唱歌"})
_MAX_STYLE_WORDS = 4
_MAX_STYLE_CJK_CHARS = 8


def is_v2(model: str) -> bool:
    """The `mimo-v2-tts` family, which only understands `<style>` tags."""
    return model.startswith(default_models.OLDER_TTS)


def is_voicedesign(model: str) -> bool:
    """A model whose voice is described in words instead of chosen from the catalogue."""
    return model.endswith("-voicedesign")


def is_voiceclone(model: str) -> bool:
    """A model whose voice is a reference recording (`clone_voice`)."""
    return model.endswith("-voiceclone")


def supports_audio_tags(model: str) -> bool:
    """Whether inline `[laugh]`-style tags are performed rather than read out: documented for
    the preset-voice and voiceclone models, not for voicedesign."""
    return not is_voicedesign(model)


def sings(model: str) -> bool:
    """Whether the model can sing (the `sing` style): the preset-voice models only."""
    return not (is_voicedesign(model) or is_voiceclone(model))


def preset_style(style: str | None) -> str | None:
    """A preset's rendering when `style` names one (any case), else `style` itself."""
    if not style:
        return style
    key = " ".join(style.casefold().split())
    rendered = STYLE_PRESETS.get(key)
    # A preset that is its own rendering ("happy") keeps the chat's spelling ("Happy").
    return style if rendered is None or rendered.casefold() == key else rendered


def clone_voice(sample: bytes, mime: str) -> str:
    """The voice a voiceclone model speaks in (`preset_voices.request_voice`): the sample as a
    data URL, the way the speech port names it. Refuses what MiMo would refuse: another format,
    or base64 over 10 MB."""
    if mime not in CLONE_MIME_TYPES:
        raise ValueError(f"voice samples are mp3 or wav, not {mime!r}")  # a bug: convert first
    if 4 * ((len(sample) + 2) // 3) > CLONE_BASE64_LIMIT:
        raise AudioTooLarge("voice sample over MiMo's 10 MB base64 cap", limit=Megabytes(7.5))
    return f"data:{mime};base64,{base64.b64encode(sample).decode('ascii')}"


def utterance(
    model: str, text: str, style: str | None, *, description: str | None = None
) -> Utterance:
    """What one TTS request to `model` says: the user's `text` made plain, in the chat's
    `style`, as prefix or direction (see the module docstring). `description` (voicedesign)
    describes the voice."""
    style, text = _clean_style(preset_style(style)), spoken_text(model, text)
    if style in _SINGING and not sings(model):
        style = ""  # said, not sung: this model does not sing
    if not text:
        raise EmptyText("nothing to speak once the style and audio tags are taken out")
    if is_v2(model):
        return Utterance(f"<style>{style}</style>{text}" if style else text)
    if is_voicedesign(model) and description:
        direction = _single_line(description) + (f"\n{style}" if style else "")
        return Utterance(text, direction=direction)
    if style and (is_voicedesign(model) or not _is_short_style(style)):
        return Utterance(text, direction=style)
    return Utterance(f"({style}){text}" if style else text)


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


def spoken_text(model: str, text: str) -> str:
    """What of the user's `text` a request to `model` carries: `plain_text`, without inline
    audio tags where the model does not perform them."""
    text = plain_text(text)
    if supports_audio_tags(model):
        return text
    return _SPACES.sub(" ", _AUDIO_TAG.sub(" ", text)).strip()


def _clean_style(style: str | None) -> str:
    """The style as one line without brackets, so it cannot close its own prefix early."""
    if not style:
        return ""
    cleaned = " ".join(_STYLE_BRACKETS.sub(" ", _STYLE_TAG.sub(" ", style)).split())
    # Both families document singing in lower case only.
    return cleaned.casefold() if cleaned.casefold() in _SINGING else cleaned


def _single_line(text: str) -> str:
    return " ".join(text.split())


def _is_short_style(style: str) -> bool:
    """A few style words ("Happy", "whisper, slow", "东北话") rather than a direction sentence."""
    if _SENTENCE_END.search(style):
        return False
    return (
        len(style.split()) <= _MAX_STYLE_WORDS and len(_CJK.findall(style)) <= _MAX_STYLE_CJK_CHARS
    )
