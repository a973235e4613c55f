"""The random words of spoken consent (`core.domain.consent`), one list per language:

    core/chat/words/<locale>.txt    one word a line; `#` starts a comment
    core/chat/words/kept_out/       words no list may hold, for the tests and translators

Each list holds at least 258 words, so four of them (`CHALLENGE_WORDS`) make a sentence nobody
could have recorded before it was shown (32 bits or more). The words are ones a native reader
says aloud without a pause and a speech recogniser writes one way: concrete nouns with no
slur, vulgar or second meaning anywhere the language is spoken, no homophone, no second
spelling and none inside another (`kept_out/never.txt` and `kept_out/spellings.txt` name the
known ones); Japanese in katakana loanwords, Korean in hangul, Russian without ё and Ukrainian
without ґ (tests/unit/test_consent_words.py checks what a rule can). Translators keep them
here, not in the catalogues: they are picked from, never shown as a sentence.
"""

from __future__ import annotations

import functools
from pathlib import Path

from core.chat.languages import DEFAULT_LOCALE

WORDS_DIR = Path(__file__).with_name("words")


@functools.cache
def consent_words(locale: str) -> tuple[str, ...]:
    """The words of `locale`'s list (English for a language without one), read once."""
    path = WORDS_DIR / f"{locale}.txt"
    if not path.exists():
        path = WORDS_DIR / f"{DEFAULT_LOCALE}.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    words = (line.split("#", 1)[0].strip() for line in lines)
    return tuple(word for word in words if word)
