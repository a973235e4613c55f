"""A recording that arrived in a Telegram chat, parsed once into the core's `Arrival`
(`core.app.voice_note_events`), in one pass: what it may be (its sender's reading of their consent
sentence; a question about it, its caption in a private chat), what arrived (the recording and
what Telegram declares of it: `media_files.remote_in`), and who asked and whom its answer is for
(`bots.telegram.answers.telegram_asker.for_recording`). The core decides which it is, once; the
handler renders what comes back.

Telegram cannot say who recorded a file: a forward carries `forward_origin`, a note sent through
an inline bot `via_bot`, and a copy ("hide sender name") nothing at all but the same
`file_unique_id` as the original. Those, and the message's date, are what the core checks of a
consent reading (`core.app.voices.clone_consent`).
"""

from __future__ import annotations

from dataclasses import replace

from telegram import Message, Update
from telegram.constants import ChatType

from bots.telegram.answers.telegram_asker import for_recording
from bots.telegram.recordings.media_files import declared_seconds, remote_in
from core.app.voice_note_events import Arrival
from core.app.voices.clone_consent import ConsentReading
from core.domain.rules.quotas_rules import asked_by
from core.domain.shared_values import ChatRef
from core.domain.voices.clone_consent_rules import DeclaredReading

__all__ = ["arrival_of"]


def arrival_of(update: Update, *, local_mode: bool) -> Arrival | None:
    """The recording `update`'s message carries, as the core takes it; None without one. A file
    over the public Bot API's download cap is refused at once (`media_files.remote`)."""
    message = update.effective_message
    if message is None:
        return None
    # What the message itself says first, then the recording, then who asked: one way
    # through, each of the other modules asked once.
    question = caption_question(message)
    declared = declared_reading(message)
    source = remote_in(message, local_mode=local_mode)
    if source is None:
        return None
    audience, asker = for_recording(update, question=question is not None)
    reading = None
    if declared is not None:  # the voice note `remote_in` found, kept without its message
        reading = ConsentReading(
            platform="telegram", declared=declared, recording=replace(source, said=None),
            asker=asked_by(declared.person_id),
        )  # fmt: skip
    return Arrival(
        chat=ChatRef("telegram", str(message.chat_id)), source=source, audience=audience,
        asker=asker, reading=reading, question=question,
    )  # fmt: skip


def declared_reading(message: Message) -> DeclaredReading | None:
    """What Telegram declares of a fresh voice note, as a possible reading of its sender's consent
    sentence; None for anything else (no voice note, or sent on behalf of a chat)."""
    voice, person = message.voice, message.from_user
    if voice is None or person is None or message.sender_chat is not None:
        return None
    return DeclaredReading(
        person_id=str(person.id), chat_id=str(message.chat_id), identity=voice.file_unique_id,
        sent_at=message.date, forwarded=message.forward_origin is not None,
        via_bot=message.via_bot is not None, seconds=declared_seconds(voice),
    )  # fmt: skip


def caption_question(message: Message) -> str | None:
    """In a private chat, the caption of a voice note or audio is a question about it."""
    if message.chat.type != ChatType.PRIVATE or not (message.caption or "").strip():
        return None
    document = message.document
    is_audio_file = document is not None and (document.mime_type or "").startswith("audio/")
    if message.voice is None and message.audio is None and not is_audio_file:
        return None
    return (message.caption or "").strip()
