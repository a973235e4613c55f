"""Transcripts kept per recording, so that nothing is heard twice
(`core.app.recordings.kept_transcripts`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.domain.memory.search_rules import Moment, Said
from core.domain.memory.write_mandates import Mandate
from core.domain.recordings.transcript_values import KeptTranscript, TranscriptPart
from core.domain.shared_values import ChatRef
from core.ports.storage.unit_of_work_port import UnitOfWork
from core.ports.storage.usage_store_port import UsageStore

__all__ = ["TranscriptStore", "TranscriptUnitOfWork"]


class TranscriptStore(Protocol):
    """Transcripts kept per recording (`core.app.recordings.kept_transcripts`), keyed by chat and
    the platform's id of the recording; every call but retention's names the chat."""

    async def find(self, chat: ChatRef, recording: str) -> KeptTranscript | None: ...

    async def keep_part(
        self,
        chat: ChatRef,
        recording: str,
        *,
        language: str,
        part: TranscriptPart,
        at: datetime,
        whole: float | None = None,
        said: Said | None = None,
        mandate: Mandate | None = None,
        replace: bool = False,
    ) -> bool:
        """Keep one heard piece, unless the message that carried it was deleted (`delete_said`)
        or its work's `mandate` no longer holds (a /forget, its speaker's no, since it
        began); a piece kept already (the same start) stays as it was, unless `replace` (a
        call's line, kept as its words come). `whole`: the recording's length, when this
        piece is all of it (the transcript is then whole); `said`: where the recording was
        said, kept with its first piece. True when it was kept: every check passed."""
        ...

    async def withdraw_part(self, chat: ChatRef, recording: str, *, start: float) -> None:
        """The line kept at `start` of `recording` (a call's turn its speaker withdrew)."""
        ...

    async def newest(self, chat: ChatRef, prefix: str) -> str | None:
        """The chat's most recently begun recording whose key starts with `prefix`."""
        ...

    async def complete(
        self,
        chat: ChatRef,
        recording: str,
        *,
        language: str,
        duration: float,
        at: datetime,
        said: Said | None = None,
        mandate: Mandate | None = None,
    ) -> bool:
        """Mark the recording's transcript whole, under the same checks as `keep_part`; True
        when they passed."""
        ...

    async def search(
        self,
        chat: ChatRef,
        words: tuple[str, ...],
        *,
        places: frozenset[str] | None = None,
        offset: int = 0,
        limit: int,
        also: Sequence[ChatRef] = (),
        any_word: bool = False,
    ) -> list[Moment]:
        """`/find`: the chat's lines holding every one of `words` (folded; with `any_word`, one
        of them at least), newest first; only those said in `places` (Discord channels) when
        given; those of `also` too."""
        ...

    async def discard(self, chat: ChatRef, recording: str) -> None: ...

    async def whole_of(self, chat: ChatRef, message_ids: Sequence[str]) -> set[str]:
        """Which of the chat's messages `message_ids` carried a recording kept whole."""
        ...

    async def delete_said(
        self, chat: ChatRef, message_ids: Sequence[str], *, place: str | None, at: datetime
    ) -> int:
        """What was kept of the recordings the chat's messages `message_ids` carried (said in
        `place`, where given): the message was deleted, as noted here (`at`), so that no piece
        of it is kept after (`keep_part` and `complete` keep nothing of a deleted message).
        Returns how many recordings."""
        ...

    async def delete_place(self, chat: ChatRef, place: str) -> int:
        """What was kept of what was said in `place` of the chat (a Discord channel or thread,
        its calls' lines included): the place was deleted. Returns how many recordings."""
        ...

    async def is_deleted(self, chat: ChatRef, said: Said) -> bool:
        """Whether the message that carried a recording was deleted on its platform."""
        ...

    async def delete_chat(self, chat: ChatRef) -> int:
        """`/forget`: every kept transcript of the chat, and the marks of its imports running
        (`import_running`)."""
        ...

    async def begin_import(self, chat: ChatRef, import_id: str, *, at: datetime) -> None:
        """Mark an import of the chat's past as running, in whichever process it runs."""
        ...

    async def import_running(self, chat: ChatRef, import_id: str) -> bool:
        """Whether the import's mark is still there: `/forget` deletes it."""
        ...

    async def import_seen(self, chat: ChatRef, import_id: str, *, at: datetime) -> None:
        """The import's process is alive at `at`: its claims hold (`claim_past`)."""
        ...

    async def claim_past(
        self, chat: ChatRef, said: Said, import_id: str, *, at: datetime, stale_before: datetime
    ) -> bool:
        """Whether the import may hear the past message `said` now: True once it holds its
        claim; False while another import seen alive since `stale_before` holds it."""
        ...

    async def release_past(self, chat: ChatRef, said: Said, import_id: str) -> None:
        """The import is done with the past message `said` (heard, or given back)."""
        ...

    async def end_import(self, chat: ChatRef, import_id: str) -> None:
        """The import's mark and its claims, as it ends."""
        ...

    async def delete_made_before(self, cutoff: datetime) -> int: ...


class TranscriptUnitOfWork(UnitOfWork, Protocol):
    """What `core.app.recordings.kept_transcripts` needs: the kept transcripts, and the daily
    usage, where what MiMo billed for a recording is recorded as its transcript is kept."""

    @property
    def transcripts(self) -> TranscriptStore: ...

    @property
    def usage(self) -> UsageStore: ...
