"""A recording that arrived in a Telegram chat, parsed once into the core's `Arrival`
(`core.app.voice_notes`): what arrived (the recording, where to fetch it, what Telegram declares of
it: `bots.telegram.recordings.media`), who sent it (whose limits it counts against:
`bots.telegram.answers.who_asks`; whom what is shown is for: `bots.telegram.answers.languages`) and
what it may be: its sender's reading of their consent sentence, a question about it (its caption, in
a private chat). The core decides which it is, once; the handler renders what comes back.

Telegram cannot say who recorded a file: a forward carries `forward_origin`, a note sent through
an inline bot `via_bot`, and a copy ("hide sender name") nothing at all but the same
`file_unique_id` as the original. Those, and the message's date, are what the core checks of a
consent reading (`core.app.voices.clone_consent`).
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatType

from bots.telegram.answers.languages import asking, audience
from bots.telegram.answers.who_asks import asker_of, unasked
from bots.telegram.recordings.media import recording_in, remote
from core.app.voice_notes import Arrival
from core.app.voices.clone_consent import ConsentReading
from core.domain.consent import DeclaredReading
from core.domain.limits import asked_by
from core.domain.values import ChatRef


def arrival_of(update: Update, *, local_mode: bool) -> Arrival | None:
    """The recording `update`'s message carries, as the core takes it; None without one. A
    question is asked by its sender and answered for them; anything else is transcribed for
    whoever the chat's answers are for (`audiences.audience`, `access.unasked`). A file over
    the public Bot API's download cap is refused at once (`media.remote`)."""
    message = update.effective_message
    recording = recording_in(message)
    if message is None or recording is None:
        return None
    reading = consent_reading(message, local_mode=local_mode)
    question = caption_question(message)
    return Arrival(
        chat=ChatRef("telegram", str(message.chat_id)),
        source=remote(recording, local_mode=local_mode, message=message),
        audience=asking(update) if question else audience(update),
        asker=asker_of(update) if question else unasked(message),
        reading=reading, question=question,
    )  # fmt: skip


def consent_reading(message: Message, *, local_mode: bool) -> ConsentReading | None:
    """A fresh voice note's part in spoken consent; None for anything else (no voice note, or
    sent on behalf of a chat)."""
    voice, person = message.voice, message.from_user
    if voice is None or person is None or message.sender_chat is not None:
        return None
    recording = remote(voice, local_mode=local_mode)
    declared = DeclaredReading(
        person_id=str(person.id), chat_id=str(message.chat_id), identity=voice.file_unique_id,
        sent_at=message.date, forwarded=message.forward_origin is not None,
        via_bot=message.via_bot is not None, seconds=recording.seconds,
    )  # fmt: skip
    return ConsentReading(
        platform="telegram", declared=declared, recording=recording,
        asker=asked_by(person.id),
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
