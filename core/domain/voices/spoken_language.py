"""Which of the speech voices' languages reads a message: Chinese or English, the only two the
speech model's preset voices speak (`core.domain.voices.preset_voices`). No I/O here.

Telling those two apart is a matter of script, so no language model is loaded for it (the
libraries that tell seventy languages apart hold 100 MB or more in memory for what a glance at
the letters decides): a Chinese character is a word, a run of Latin letters is one, and the
script with the more words is the message's. Too few words to tell (`ok`, `👍`, `123`), or only
letters of a script neither voice speaks (kana, Hangul, Cyrillic), and the server's language
decides: Chinese voices where it is Chinese, English ones elsewhere (they are the model's voices
for every other language). A translation is spoken only into those two (`speaks`, by the
language's English name, as translations name their target).
"""

from __future__ import annotations

import re

__all__ = [
    "CHINESE",
    "ENGLISH",
    "HAN_CHARACTER",
    "SPOKEN_LANGUAGES",
    "VOICE_LANGUAGE_NAMES",
    "locale_voice_language",
    "speaks",
    "voice_language",
]

CHINESE, ENGLISH = "zh", "en"
VOICE_LANGUAGES = (CHINESE, ENGLISH)
# The same two by their English names, as translations and the chat model name a language.
VOICE_LANGUAGE_NAMES = {CHINESE: "Chinese", ENGLISH: "English"}
SPOKEN_LANGUAGES = tuple(VOICE_LANGUAGE_NAMES.values())
# One Chinese (Han) character, as the voices' language and the interpreter tell Chinese.
HAN_CHARACTER = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")


def voice_language(text: str, *, fallback: str) -> str:
    """The language of the voices that read `text`: `CHINESE` or `ENGLISH`; `fallback` (one of
    them) when the text is too short to tell."""
    han = len(HAN_CHARACTER.findall(text))
    latin = len(_LATIN_WORD.findall(text))
    if han and han >= latin:
        return CHINESE
    if latin >= 2:
        return ENGLISH
    return fallback


def locale_voice_language(locale: str | None) -> str:
    """The voices' language for a chat in `locale` (one of the bot's locales, `zh_Hans`...)."""
    return CHINESE if (locale or "").startswith("zh") else ENGLISH


def speaks(language: str) -> bool:
    """Whether a translation into `language` (an English name) can be spoken, for offering it
    beforehand: what `core.app.voices.text_to_speech.TextToSpeech.spoken_translation` speaks."""
    return language.startswith(SPOKEN_LANGUAGES)
