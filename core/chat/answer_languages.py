"""The languages the bot speaks, and which one each reader gets.

    LOCALES          the twelve, as catalogue folders name them (`zh_Hans`, `pt_BR`...)
    resolve_locale   what a platform says a person reads (Telegram `language_code` "zh-hans",
                     Discord `locale` "zh-TW", "es-419") -> one of LOCALES, or None
    locale_named     what someone typed for /botlanguage ("zh", "简体中文", "español") -> one
    chat_locale      the language of what the bot posts to a whole chat
    native_name, language_name   how a language is named to a reader
    target_name      a translation's language, kept by its English name, as a reader names it

Who reads which: a reply to a person is in their own language (`resolve_locale` of what their
app sends), else the chat's; what the bot posts to everyone is in the chat's: the one its
administrators chose, else the platform's (a Discord server's), else that of the last person
who ran a command, else English.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from babel import Locale, UnknownLocaleError

from core.domain import errors
from core.domain.shared_values import ChatRef, Preferences

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "NATIVE_NAMES",
    "Audience",
    "ChatLanguages",
    "already_in",
    "chat_locale",
    "english_name",
    "language_name",
    "locale_named",
    "native_name",
    "resolve_locale",
    "target_name",
    "translation_target",
    "written_in",
]

DEFAULT_LOCALE = "en"
LOCALES: tuple[str, ...] = (
    "en", "zh_Hans", "zh_Hant", "ja", "ko", "ru", "uk", "es", "pt_BR", "de", "fr", "id",
)  # fmt: skip
# Each language as its readers name it, for choosing one.
NATIVE_NAMES: dict[str, str] = {
    "en": "English", "zh_Hans": "简体中文", "zh_Hant": "繁體中文", "ja": "日本語", "ko": "한국어",
    "ru": "Русский", "uk": "Українська", "es": "Español", "pt_BR": "Português (Brasil)",
    "de": "Deutsch", "fr": "Français", "id": "Bahasa Indonesia",
}  # fmt: skip
_TRADITIONAL_REGIONS = frozenset({"tw", "hk", "mo"})
# The language part of a tag is enough for these; Android still says "in" for Indonesian.
_BY_LANGUAGE = {"en": "en", "ja": "ja", "ko": "ko", "ru": "ru", "uk": "uk", "es": "es",
                "pt": "pt_BR", "de": "de", "fr": "fr", "id": "id", "in": "id"}  # fmt: skip
_CHINESE_NAMES = {"简体": "zh_Hans", "简体中文": "zh_Hans", "簡體中文": "zh_Hans",
                  "繁體": "zh_Hant", "繁体": "zh_Hant", "繁体中文": "zh_Hant",
                  "正體中文": "zh_Hant"}  # fmt: skip
_NOT_IN_NAMES = re.compile(r"[\s()（）]+")


class ChatLanguages(Protocol):
    """Where a chat's language is read (`core.app.rules.request_audience.Audiences`)."""

    async def chat_locale(self, chat: ChatRef, *, platform: str | None = None) -> str: ...


# Asked for every string of every command in each of Discord's 32 locales as the commands are
# synced (some 5,000 times a start), and for each update's sender: the few tags seen, kept.
@functools.lru_cache(maxsize=512)
def resolve_locale(tag: str | None) -> str | None:
    """One of LOCALES for an IETF-style tag, whatever its case and separator: Chinese in the
    Traditional script, or of Taiwan, Hong Kong or Macau, is `zh_Hant`, other Chinese
    `zh_Hans`; any Portuguese `pt_BR`, any Spanish `es`. None for a language we lack."""
    parts = [p.casefold() for p in re.split(r"[-_]", tag or "") if p]
    if not parts:
        return None
    language, rest = parts[0], parts[1:]
    if language == "zh":
        traditional = "hant" in rest or any(p in _TRADITIONAL_REGIONS for p in rest)
        return "zh_Hant" if traditional else "zh_Hans"
    return _BY_LANGUAGE.get(language)


def locale_named(typed: str) -> str | None:
    """The locale someone means by `typed`: a code ("zh", "pt-BR", "zh_Hant") or a language's
    name in any of our languages ("中文", "Japanese", "español", "Chinesisch")."""
    return resolve_locale(typed.strip()) or _names().get(_name_key(typed))


def chat_locale(prefs: Preferences, *, platform: str | None = None) -> str:
    """The language of what the bot posts to a whole chat: the administrators' choice, else
    `platform`'s (a Discord server's language), else the last commander's, else English."""
    for choice in (prefs.interface_language, platform, prefs.commander_language):
        if choice in LOCALES:
            return choice
    return DEFAULT_LOCALE


@dataclass(frozen=True)
class Audience:
    """Whom an answer is for, as far as its language goes: a person whose language we speak
    (a reply to them), else the whole chat, whose platform may name one (a Discord server's)."""

    person: str | None = None
    platform: str | None = None

    def locale(self, prefs: Preferences) -> str:
        return self.person or chat_locale(prefs, platform=self.platform)


def native_name(locale: str) -> str:
    return NATIVE_NAMES[locale]


def language_name(code: str, reader: str) -> str:
    """The name of the language `code` ("zh", "ja", "pt_BR") in the `reader`'s language."""
    return str(Locale.parse(code).get_display_name(reader) or code)


def english_name(locale: str) -> str:
    """ "Japanese", "Chinese (Traditional)": for instructions written to MiMo in English."""
    return language_name(locale, DEFAULT_LOCALE)


@functools.cache
def _names() -> dict[str, str]:
    """Every name of each of our languages, in each of them, keyed by `_name_key`."""
    names = {_name_key(name): locale for locale, name in NATIVE_NAMES.items()}
    names.update((_name_key(name), locale) for name, locale in _CHINESE_NAMES.items())
    for reader in LOCALES:
        readers = Locale.parse(reader)
        for locale in LOCALES:
            names.setdefault(_name_key(language_name(locale, reader)), locale)
            language = Locale.parse(locale).language
            # The bare language ("Chinese", "中文") means what its tag alone would.
            bare = readers.languages.get(language)
            if bare:
                names.setdefault(_name_key(bare), resolve_locale(language) or locale)
    return names


def _name_key(name: str) -> str:
    return _NOT_IN_NAMES.sub("", name.casefold())


# What a letter's Unicode name starts with, and the script that makes it.
_SCRIPTS = (
    ("CJK", "han"), ("HIRAGANA", "kana"), ("KATAKANA", "kana"), ("HANGUL", "hangul"),
    ("CYRILLIC", "cyrillic"), ("LATIN", "latin"),
)  # fmt: skip
_WRITTEN_NAME = re.compile(r"^[^\W\d_]{3,30}$")


def target_language(typed: str) -> str | None:
    """The language someone wants a translation in, named in English for the chat model: one
    of ours by code or name (`zh`, `日本語`), any other by its code (`it`, `sw`, `pt-BR`), or a
    word naming it (`Latin`: the chat model writes more languages than Babel lists). None for
    anything else."""
    ours = locale_named(typed)
    if ours is not None:
        return english_name(ours)
    try:
        return str(Locale.parse(typed.strip().replace("-", "_")).english_name)
    except (UnknownLocaleError, ValueError, TypeError):
        return typed.strip().title() if _WRITTEN_NAME.match(typed.strip()) else None


def translation_target(typed: str, *, reader: str) -> str:
    """`/translate LANGUAGE`: the language to translate into, by its English name; nothing
    typed: the `reader`'s own."""
    if not typed.strip():
        return english_name(reader)
    found = target_language(typed)
    if found is None:
        raise errors.UnknownLanguage(value=typed)
    return found


def target_name(target: str, reader: str) -> str:
    """A translation's language as `translation_target` keeps it, by its English name
    ("Japanese", "Chinese (Simplified)"), named in the `reader`'s language ("Japanisch",
    "简体中文"): CLDR's name (Babel's `Locale.languages`), else its name built from the parts
    ("ポルトガル語 (ブラジル)"). In English, and for a name CLDR does not know ("Serbian
    (Latin)", a word someone typed), it stays as it was kept."""
    code = _english_names().get(target)
    if code is None or reader == DEFAULT_LOCALE:
        return target
    return str(Locale.parse(reader).languages.get(code) or language_name(code, reader))


@functools.cache
def _english_names() -> dict[str, str]:
    """Each language's English name -> its code: CLDR's languages and ours."""
    codes = {name: code for code, name in Locale.parse(DEFAULT_LOCALE).languages.items()}
    codes.update((english_name(locale), locale) for locale in LOCALES)
    return codes


def written_in(words: str) -> str | None:
    """The language `words` are plainly written in, by their script alone, named as
    `translation_target` names it: kana is Japanese, Hangul Korean, other Han characters
    Chinese, Cyrillic with і, ї, є or ґ Ukrainian, other Cyrillic Russian. None where the script
    does not tell (Latin letters: English, German, Indonesian... look alike to it)."""
    letters = [c for c in words if c.isalpha()]
    if not letters:
        return None
    scripts = Counter(_script(c) for c in letters)
    script, count = scripts.most_common(1)[0]
    if scripts["kana"] and scripts["kana"] + scripts["han"] >= len(letters) / 2:
        return "Japanese"
    if count < len(letters) / 2 or script in ("latin", "other"):
        return None
    if script == "cyrillic":
        return "Ukrainian" if any(c in "іїєґІЇЄҐ" for c in letters) else "Russian"
    return {"hangul": "Korean", "han": "Chinese"}[script]


def already_in(words: str, language: str) -> bool:
    """Whether `words` are already in `language` (an English name, `Chinese (Simplified)`), as
    far as their script tells."""
    found = written_in(words)
    return found is not None and language.split(" (")[0] == found


def _script(letter: str) -> str:
    name = unicodedata.name(letter, "")
    for word, script in _SCRIPTS:
        if name.startswith(word):
            return script
    return "other"
