"""How an automatic translation reads under its transcript (`/autotranslate`), on any platform."""

from __future__ import annotations

from core.chat.messages import text


def translation_below(language: str, translated: str, locale: str) -> str:
    """ "Translation (English):" and the translation, as it stands under a transcript."""
    return f"{text('autotranslate.marker', locale, language=language)}\n{translated}"
