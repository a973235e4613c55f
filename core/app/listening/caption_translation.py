"""A listened call's captions translated (`core.app.listening.live_transcription`), piece by piece
as they come: into the other of Chinese and English where the call is interpreted
(`core.app.interpreter.interpreting`, which counts them), else into the language `/listen
translate:True` asked for, counted with the server's listening. None where there is nothing to show:
the piece is in that language already (by its script, before any request; or the model gave it back
unchanged), or MiMo failed (the caption goes without it). A model MiMo refuses (MIMO_CHAT_MODEL's)
ends the translations for the rest of the call, logged once, for the chat to hear once
(`ListenedCall.refused`): every piece would be refused alike."""

from __future__ import annotations

import logging
from datetime import datetime

from core.app.listening.listened_call import ListenedCall
from core.app.recordings.translations import translate
from core.app.rules.limits import Limiter
from core.chat.answer_languages import already_in
from core.domain import errors
from core.domain.rules.quotas_rules import ANYONE
from core.domain.shared_values import ChatRef
from core.ports import ChatApi

logger = logging.getLogger(__name__)

__all__ = ["caption_translation"]


async def caption_translation(
    server: ChatRef, call: ListenedCall, words: str, *, limiter: Limiter, chat_api: ChatApi,
    piece: tuple[str, datetime, int] | None = None,
) -> str | None:  # fmt: skip
    """The translation shown above the piece `words` of a caption in `call`, or None; "" for a
    `piece` (its member, turn and place) whose translation comes with its part's end (an
    interpreter translating parts from their sound)."""
    if call.interpreter is not None:
        return await call.interpreter.translated(words, piece)
    target = call.translate_to
    if target is None or already_in(words, target):
        return None
    try:
        async with limiter.spending(server, ANYONE, calls=True) as spend:
            translated = await translate(words, api=spend.metered(chat_api), target=target)
    except errors.MimoModelRefused as exc:  # the owner's to fix: one line, no trace
        if call.translate_to is not None:  # pieces in flight together: the first one says it
            call.translations_refused(exc)
            logger.error("no more translated captions in %s: %s", server, exc.detail)
        return None
    except errors.MimoError as exc:
        logger.warning("no translation of a caption in %s: %s", server, type(exc).__name__)
        return None
    return None if " ".join(translated.split()) == " ".join(words.split()) else translated
