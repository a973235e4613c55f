"""How an automatic translation reads under its transcript (`/autotranslate`), on any platform."""

from __future__ import annotations

from core.chat.languages import target_name
from core.chat.messages import text

__all__ = ["translation_below"]


def translation_below(language: str, translated: str, locale: str) -> str:
    """ "Translation (English):" and the translation, as it stands under a transcript; the
    language (kept by its English name) named in the reader's, "Übersetzung (Englisch):"."""
    named = target_name(language, locale)
    return f"{text('autotranslate.marker', locale, language=named)}\n{translated}"
