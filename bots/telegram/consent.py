"""What a Telegram voice note declares about itself, for spoken consent
(`core.app.voices.clone_consent`).

Telegram cannot say who recorded a file: a forward carries `forward_origin`, a note sent through
an inline bot `via_bot`, and a copy ("hide sender name") nothing at all but the same
`file_unique_id` as the original. Those, and the message's date, are what the core checks.
"""

from __future__ import annotations

from telegram import Message

from bots.telegram.media import remote
from core.app.voices.clone_consent import ConsentReading
from core.domain.consent import DeclaredReading
from core.domain.limits import asked_by


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
