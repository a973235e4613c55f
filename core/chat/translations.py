"""How an automatic translation reads under its transcript (`/autotranslate`), on any platform."""

from __future__ import annotations

from typing import Protocol

from core.chat.messages import text
from core.domain.limits import Asker
from core.domain.values import ChatRef


class AutoTranslations(Protocol):
    """Where automatic translations come from (`VoiceService`)."""

    async def auto_translation(
        self, chat: ChatRef, words: str, *, asker: Asker
    ) -> tuple[str, str] | None: ...


async def translation_below(
    service: AutoTranslations, chat: ChatRef, words: str, locale: str, asker: Asker
) -> str | None:
    """ "Translation (English):" and the translation of `words`, when the chat wants one and
    the words are not in that language already; else None."""
    found = await service.auto_translation(chat, words, asker=asker)
    if found is None:
        return None
    language, translated = found
    return f"{text('autotranslate.marker', locale, language=language)}\n{translated}"
