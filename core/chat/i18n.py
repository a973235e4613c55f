"""The machinery of the message catalogue: English in the code, translations in gettext files.

    core/chat/locales/voicebridge.pot                       the template, made from the code
    core/chat/locales/<locale>/LC_MESSAGES/voicebridge.po   one per language (`LOCALES`)

Each sentence has a key, its `msgctxt`, and an English source, its `msgid`: a `str`, or a
`Plural` whose forms gettext picks by a count. The `.po` files are the source of truth: each is
read with Babel the first time its language is needed and compiled; nothing compiled is
committed. What Babel compiled is kept beside the `.po` under the digest of its text, as Python
keeps bytecode, so the next process reads it in a millisecond instead of parsing the catalogue
again (a second of a start for all eleven languages). A translation is found by key *and*
English, so one whose English changed since it was translated (stale) is simply not found and the
English shows until a translator redoes it; `python -m bots.update_catalogues` marks those
fuzzy, and a test fails until they are done.

Parameters are formatted for the reader (`core.chat.locale_formats.shown`): numbers with the
locale's separators, `Duration`s in its units, `Term`s looked up in the catalogue; and spaced
where they meet the sentence as its language writes (`core.chat.locale_formats.filled`: no space
between two Chinese or Japanese characters).
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import hashlib
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from core.chat.answer_languages import DEFAULT_LOCALE
from core.chat.locale_formats import filled, shown
from core.domain.quantities import Term

__all__ = [
    "DOMAIN",
    "LOCALE_DIR",
    "Catalogue",
    "Plural",
    "Sentences",
    "Source",
    "catalogue_of",
    "compiled",
    "po_path",
    "translated",
]

DOMAIN = "voicebridge"
LOCALE_DIR = Path(__file__).with_name("locales")


@dataclass(frozen=True)
class Plural:
    """A sentence with a singular and a plural English form; `count` names the parameter whose
    number picks the form (in each language by its own rules, with as many forms as it has)."""

    one: str
    other: str
    count: str


Source = str | Plural
Sentences = Mapping[str, Source]


class Catalogue:
    """Sentences by key, English first; layers (the core's, then an adapter's own) hold
    different keys, and every layer is translated in the same `.po` files.

    A platform whose syntax differs says some of the core's sentences in its own words: a
    sentence that shows how to type a command (`/voice NAME` on Telegram, `/voice name:NAME` on
    Discord). Its catalogue is `extended` with those keys `reworded`, each to a key of its own,
    so everything it says under the core's key (a use case's error, an overview the core
    composes) comes out in its words."""

    def __init__(self, *layers: Sentences, reworded: Mapping[str, str] | None = None) -> None:
        self._layers = layers
        self._sources: dict[str, Source] = {}
        for layer in layers:
            if self._sources.keys() & layer.keys():
                raise ValueError(f"keys in two layers: {sorted(self._sources.keys() & layer)}")
            self._sources.update(layer)
        self._reworded = dict(reworded or {})
        unknown = (self._reworded.keys() | self._reworded.values()) - self._sources.keys()
        if unknown:
            raise ValueError(f"reworded keys not in the catalogue: {sorted(unknown)}")

    def extended(self, layer: Sentences, *, reworded: Mapping[str, str] | None = None) -> Catalogue:
        """This catalogue with `layer`'s sentences (an adapter's own) added, and the keys in
        `reworded` said as the keys they map to."""
        return Catalogue(*self._layers, layer, reworded={**self._reworded, **(reworded or {})})

    def sources(self) -> Mapping[str, Source]:
        """Every key and its English, in order: what the template is made of."""
        return self._sources

    def sentence_keys(self) -> list[str]:
        """The keys of every sentence this catalogue says: all but those it says in other
        words (`reworded`), whose own keys are among them."""
        return [key for key in self._sources if key not in self._reworded]

    def text(self, key: str, locale: str, /, **params: object) -> str:
        """The sentence for `key` in `locale` (English where it has no translation yet), its
        `{placeholders}` filled with `params` as they read there; a reworded key's, in the
        words it maps to."""
        key = self._reworded.get(key, key)
        source = self._sources[key]
        translations = catalogue_of(locale)
        if isinstance(source, Plural):
            count = params[source.count]
            assert isinstance(count, int), f"{key}: {source.count} must be a whole number"
            template = translations.npgettext(key, source.one, source.other, count)
        else:
            template = translations.pgettext(key, source)
        if not params:
            return template
        values = {name: self._shown(v, locale) for name, v in params.items()}
        return filled(template, values, locale)

    def _shown(self, value: object, locale: str) -> str:
        if isinstance(value, Term):
            return self.text(value.key, locale)
        return shown(value, locale)


def translated(locale: str, key: str, english: str) -> str | None:
    """The translation of one sentence, or None where there is none (missing, stale, or the
    same as the English): for places that keep English apart, such as Discord's commands."""
    found = catalogue_of(locale).pgettext(key, english)
    return None if found == english else found


@functools.cache
def catalogue_of(locale: str) -> gettext.NullTranslations:
    """`locale`'s translations, from its `.po` file (fuzzy entries left out, as gettext does),
    read once a process. English, and a language without a file, translate nothing."""
    path = po_path(locale)
    if locale == DEFAULT_LOCALE or not path.is_file():
        return gettext.NullTranslations()
    return gettext.GNUTranslations(io.BytesIO(compiled(path, locale)))


def compiled(po: Path, locale: str) -> bytes:
    """The `.po` at `po` as gettext reads it (a `.mo`): kept beside it under the digest of the
    text it was compiled from, so an edited catalogue is compiled again and never read stale.
    Where that folder may not be written (an installation owned by another user), compiled
    again at each start."""
    source = po.read_bytes()
    kept = po.with_name(f"{DOMAIN}.{hashlib.sha256(source).hexdigest()[:16]}.mo")
    with contextlib.suppress(OSError):
        return kept.read_bytes()
    made = io.BytesIO()
    write_mo(made, read_po(io.BytesIO(source), locale=locale, domain=DOMAIN))
    with contextlib.suppress(OSError):
        _keep(kept, made.getvalue())
    return made.getvalue()


def _keep(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all (processes starting together may each compile it),
    and take away what was compiled from an earlier text of the same catalogue."""
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    with scratch.open("xb") as file:  # this process's own: raises where it is writing already
        try:
            file.write(data)
            file.close()
            os.replace(scratch, path)
        except BaseException:
            scratch.unlink(missing_ok=True)
            raise
    for old in path.parent.glob(f"{DOMAIN}.*.mo"):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
