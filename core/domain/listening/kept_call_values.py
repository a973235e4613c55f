"""A listened call as it is kept while it lasts, so that the process that next holds its
server takes it up after a restart (`core.app.listening.call_lifecycle`,
`core.app.listening.kept_calls`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.domain.memory.write_mandates import Mandate
from core.domain.shared_values import ChatRef

__all__ = ["KeptCall", "KeptReading"]


@dataclass(frozen=True)
class KeptCall:
    """A call being listened to, as stored: where (`voice_id`; `text_id`, the chat its
    captions go in), who started it and what they asked (`locale`, `translate`, `interpret`,
    `cheaper`), the name its transcript is kept under (`recording`), when it started, when it
    was last known alive (`alive_at`), and the message its captions go on in."""

    server: ChatRef
    voice_id: str
    text_id: str
    starter: str
    locale: str
    recording: str
    started_at: datetime
    alive_at: datetime
    translate: bool = False
    interpret: bool = False
    cheaper: bool = False
    captions_message: str | None = None
    # What it is kept under, read as it was found again: a /forget since, in any process,
    # keeps nothing more of it (`core.domain.memory.write_mandates`).
    mandate: Mandate | None = None

    def away(self, now: datetime) -> timedelta:
        """How long nobody ran the call, at `now`."""
        return max(timedelta(0), now - self.alive_at)


@dataclass(frozen=True)
class KeptReading:
    """A channel reading, as stored while it lasts: where it reads (`voice_id`), what
    (`text_id`; `own_chat`: the voice channel's own chat), who started it and the languages of
    its lines (`locale`, `platform_locale`), the last message taken up to be read (`last_read`;
    None: none yet, the messages posted since `started_at` are the unread ones), and when it
    was last known alive (`alive_at`)."""

    server: ChatRef
    voice_id: str
    text_id: str
    own_chat: bool
    starter: str
    locale: str
    platform_locale: str | None
    started_at: datetime
    alive_at: datetime
    last_read: str | None = None
    # What it is kept under: read as it began, or with it as it was found again; a /forget
    # since, in any process, keeps it no more (`core.domain.memory.write_mandates`).
    mandate: Mandate | None = None

    def away(self, now: datetime) -> timedelta:
        """How long nobody ran the reading, at `now`."""
        return max(timedelta(0), now - self.alive_at)
