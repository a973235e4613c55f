"""Voice notes offered inline (`@bot some text` in any chat): each rendering is kept under a key
made of everything that decides how it sounds, so the same words in the same voice and style
are rendered once, whoever asks."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

__all__ = ["CachedVoice", "Discard", "inline_voice_key"]


def inline_voice_key(
    *, text: str, model: str, voice: str | None, description: str | None, style: str | None
) -> str:
    """64 hex digits for `text` spoken by this model, voice (a preset's name, or a chat's own
    voice's sample or description) and style: equal exactly when the voice note would be."""
    what = json.dumps([text, model, voice, description, style], ensure_ascii=False)
    return hashlib.sha256(what.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CachedVoice:
    """A rendered voice note as the platform stores it: its file id, its length, and the
    message that keeps it (Telegram: in TELEGRAM_INLINE_CACHE_CHAT), to delete with it."""

    file_id: str
    seconds: int
    kept_in: str | None = None  # the chat holding that message
    message_id: int | None = None


# Deletes the platform's messages that keep these voice notes (`/forget`, `/voice delete`).
Discard = Callable[[Sequence[CachedVoice]], Awaitable[None]]
