"""Storage, as one unit of work per use case (real one:
`core.infra.storage.SqlAlchemyUnitOfWork`):

    async with uow:
        prefs = await uow.preferences.get(chat)
        await uow.preferences.save(chat, replace(prefs, voice="Mia"))
        await uow.commit()

Leaving the block without `commit()` rolls everything back. Each use case asks for the stores it
needs (`WorkUnitOfWork`: the claims; `UsageUnitOfWork`: the limits' counts; ...)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from core.domain.business import BusinessConnection
from core.domain.claims import Claim, ClaimState, TakenOver
from core.domain.consent import CloneChallenge
from core.domain.inline import CachedVoice
from core.domain.limits import Counts
from core.domain.reading import ReaderMember, ReaderRules
from core.domain.summaries import ChatMessage, SummaryState
from core.domain.transcripts import KeptTranscript, TranscriptPart
from core.domain.values import ChatRef, ChatVoice, Platform, Preferences


class PreferencesStore(Protocol):
    """Preferences per chat; a missing chat reads as the defaults."""

    async def get(self, chat: ChatRef) -> Preferences: ...

    async def find(self, chat: ChatRef) -> Preferences | None:
        """The chat's stored preferences, or None when it has no row of its own."""
        ...

    async def save(self, chat: ChatRef, prefs: Preferences) -> None: ...

    async def note_commander_language(self, chat: ChatRef, locale: str) -> None:
        """Store only the last commander's language (a chat without a row gets one with the
        defaults): it is written while the command itself may change other preferences."""
        ...

    async def delete(self, chat: ChatRef) -> None: ...


class UnitOfWork(Protocol):
    # Read-only properties rather than plain attributes, so an implementation may expose a more
    # specific repository type (protocol attributes would have to match exactly).
    @property
    def preferences(self) -> PreferencesStore: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class ChatLogStore(Protocol):
    """Stored messages for summaries; every call is scoped to one chat except retention."""

    async def add(self, message: ChatMessage) -> None: ...

    async def recent(
        self, chat: ChatRef, *, after: datetime | None = None, limit: int
    ) -> list[ChatMessage]: ...

    async def count(self, chat: ChatRef) -> int: ...

    async def delete_chat(self, chat: ChatRef) -> int: ...

    async def delete_sent_before(self, cutoff: datetime) -> int: ...


class SummaryStateStore(Protocol):
    async def get(self, chat: ChatRef) -> SummaryState: ...

    async def save(self, chat: ChatRef, state: SummaryState) -> None: ...

    async def mark_summarised(self, chat: ChatRef, at: datetime) -> None: ...

    async def delete(self, chat: ChatRef) -> None: ...

    async def due(
        self, platforms: Iterable[Platform], now: datetime, *, limit: int = 100
    ) -> list[tuple[ChatRef, datetime]]: ...

    async def claim_digest(
        self, chat: ChatRef, due: datetime, next_at: datetime | None
    ) -> bool: ...


class PlaceIndex(Protocol):
    async def named(self, platform: str, prefix: str) -> set[str]:
        """The chat ids of `platform` beginning with `prefix` that anything is stored under."""
        ...


class SummaryUnitOfWork(UnitOfWork, Protocol):
    """What the summary use cases need: preferences plus the chat log and summary state."""

    @property
    def chat_log(self) -> ChatLogStore: ...

    @property
    def summary_states(self) -> SummaryStateStore: ...

    @property
    def usage(self) -> UsageStore:
        """For `/forget`, which deletes the chat's usage of earlier days too."""
        ...

    @property
    def voices(self) -> VoiceStore:
        """For `/forget`, which deletes the chat's own voices and samples too."""
        ...

    @property
    def claims(self) -> ClaimStore:
        """For `/forget`, which deletes the claims on the chat's messages too."""
        ...

    @property
    def places(self) -> PlaceIndex:
        """For finding places that vanished while no process watched (a deleted channel)."""
        ...

    @property
    def transcripts(self) -> TranscriptStore:
        """For `/forget`, which deletes the chat's kept transcripts too."""
        ...

    @property
    def inline_voices(self) -> InlineVoiceStore:
        """For `/forget`, which deletes the renderings made in the chat's voice too."""
        ...

    @property
    def reading(self) -> ReadingStore:
        """For `/forget`, which deletes the channel reader's rules and members' choices too."""
        ...


class ChatLogUnitOfWork(UnitOfWork, Protocol):
    """What the chat log's retention purge (`core.app.retention`) needs."""

    @property
    def chat_log(self) -> ChatLogStore: ...


class TranscriptStore(Protocol):
    """Transcripts kept per recording (`core.app.kept`), keyed by chat and the platform's id of
    the recording; every call but retention's names the chat."""

    async def find(self, chat: ChatRef, recording: str) -> KeptTranscript | None: ...

    async def add_part(
        self,
        chat: ChatRef,
        recording: str,
        *,
        language: str,
        part: TranscriptPart,
        at: datetime,
        whole: float | None = None,
    ) -> None:
        """Keep one heard piece; a piece kept already (the same start) stays as it was. `whole`:
        the recording's length, when this piece is all of it (the transcript is then whole)."""
        ...

    async def newest(self, chat: ChatRef, prefix: str) -> str | None:
        """The chat's most recently begun recording whose key starts with `prefix`."""
        ...

    async def complete(
        self, chat: ChatRef, recording: str, *, language: str, duration: float, at: datetime
    ) -> None: ...

    async def discard(self, chat: ChatRef, recording: str) -> None: ...

    async def delete_chat(self, chat: ChatRef) -> int: ...

    async def delete_made_before(self, cutoff: datetime) -> int: ...


class TranscriptUnitOfWork(UnitOfWork, Protocol):
    """What `core.app.kept` needs: the kept transcripts."""

    @property
    def transcripts(self) -> TranscriptStore: ...


class ClaimStore(Protocol):
    """Claims on incoming work (`core.app.claims`), each held by one process under a lease.

    A claim's lease has lapsed when its time is past, when it has none (claimed before leases),
    or when it is held under `instance` by another process than `owner` (a process of that
    name is gone once another one with the name runs)."""

    async def claim(
        self,
        claim: Claim,
        *,
        instance: str,
        owner: str,
        at: datetime,
        lease_until: datetime,
        payload: str | None = None,
    ) -> bool: ...

    async def renew(self, owner: str, claims: Sequence[Claim], lease_until: datetime) -> int: ...

    async def lapsed(
        self, platform: Platform, *, instance: str, owner: str, at: datetime, limit: int = 100
    ) -> list[Claim]:
        """Unfinished claims on `platform` whose lease has lapsed, oldest first."""
        ...

    async def next_lapse(self, platforms: Sequence[Platform], *, owner: str) -> datetime | None:
        """When the soonest lease that another process holds on an unfinished claim on
        `platforms` runs out; None when no other process holds one."""
        ...

    async def take_over(
        self, claim: Claim, *, instance: str, owner: str, at: datetime, lease_until: datetime
    ) -> TakenOver | None:
        """Hold `claim` under a new lease if its lease has still lapsed; None when another
        process took it first (or it was finished meanwhile)."""
        ...

    async def finish(
        self, claim: Claim, state: ClaimState, *, at: datetime, answer: str | None = None
    ) -> bool:
        """Move a 'started' claim to `state`, noting the id of the message that `answer`ed it;
        False when it was not 'started'."""
        ...

    async def amend(self, claim: Claim, payload: str) -> bool:
        """Replace what an unfinished claim is redone from; False when it is not 'started'."""
        ...

    async def state(self, claim: Claim) -> ClaimState | None: ...

    async def delete_claimed_before(self, cutoff: datetime) -> int: ...

    async def delete_chat(self, chat: ChatRef) -> int: ...


class WorkUnitOfWork(UnitOfWork, Protocol):
    """What `core.app.claims.Claims` needs: the claims."""

    @property
    def claims(self) -> ClaimStore: ...


class UsageStore(Protocol):
    """The limits' state (`core.app.limits`): requests per minute window, usage per chat and day."""

    async def hit(self, platform: str, subject: str, window: datetime) -> int: ...

    async def tell(self, platform: str, subject: str, window: datetime) -> bool: ...

    async def delete_windows_before(self, cutoff: datetime) -> int: ...

    async def day(self, chat: ChatRef, day: date) -> Counts: ...

    async def reserve(self, chat: ChatRef, day: date, amounts: Counts, limits: Counts) -> bool: ...

    async def add(self, chat: ChatRef, day: date, amounts: Counts) -> None: ...

    async def tell_today(self, chat: ChatRef, day: date) -> bool: ...

    async def delete_days_before(self, cutoff: date) -> int: ...

    async def delete_chat(self, chat: ChatRef, *, today: date) -> None: ...

    async def chats(self, platform: str) -> int:
        """The chats of `platform` with usage kept (the retained days), persons' rows aside."""
        ...


class UsageUnitOfWork(UnitOfWork, Protocol):
    """What `core.app.limits.Limiter` needs: the usage store."""

    @property
    def usage(self) -> UsageStore: ...


class VoiceStore(Protocol):
    """A chat's own voices (`core.app.voices`); names match whatever their case."""

    async def in_chat(self, chat: ChatRef) -> list[ChatVoice]: ...

    async def find(self, chat: ChatRef, name: str) -> ChatVoice | None: ...

    async def add(self, chat: ChatRef, voice: ChatVoice) -> bool: ...

    async def delete(self, chat: ChatRef, name: str) -> bool: ...

    async def translating_voice(self, chat: ChatRef, owner_id: str) -> ChatVoice | None: ...

    async def let_speak_translations(self, chat: ChatRef, owner_id: str, allowed: bool) -> int: ...

    async def reading_voice(self, chat: ChatRef, owner_id: str) -> ChatVoice | None: ...

    async def let_read_messages(self, chat: ChatRef, owner_id: str, allowed: bool) -> int: ...

    async def share(self, chat: ChatRef, name: str, owner_id: str, shared: bool) -> str | None: ...

    async def verified_sample(
        self, chat: ChatRef, name: str, owner_id: str, sample: bytes, mime: str
    ) -> bool: ...

    async def delete_chat(self, chat: ChatRef) -> int: ...


class ConsentStore(Protocol):
    """Spoken consent (`core.app.consents`): the sentences asked for, and who first sent each
    recording offered as a reading."""

    async def add(self, challenge: CloneChallenge) -> None: ...

    async def open_on(self, platform: str, now: datetime) -> list[CloneChallenge]:
        """The sentences not expired on `platform`, newest first."""

    async def asked_since(self, platform: str, person_id: str, since: datetime) -> int: ...

    async def close(self, challenge_id: int, at: datetime) -> None:
        """A reading passed: nothing more is taken for this sentence."""

    async def first_sender(self, platform: str, identity: str) -> str | None: ...

    async def note_sender(
        self, platform: str, identity: str, person_id: str, at: datetime
    ) -> None: ...

    async def delete_before(self, cutoff: datetime) -> int: ...


class VoiceUnitOfWork(UnitOfWork, Protocol):
    """What `core.app.voices` needs: preferences (the chosen voice) and the chat's voices."""

    @property
    def voices(self) -> VoiceStore: ...

    @property
    def inline_voices(self) -> InlineVoiceStore:
        """For `/voice delete`, which deletes the renderings made in that voice too."""
        ...

    @property
    def consents(self) -> ConsentStore: ...


class ReadingStore(Protocol):
    """The channel reader's choices (`core.app.reader_choices`): a server's rules and its members'
    own; missing ones read as the defaults."""

    async def rules(self, chat: ChatRef) -> ReaderRules: ...

    async def save_rules(self, chat: ChatRef, rules: ReaderRules) -> None: ...

    async def member(self, chat: ChatRef, member_id: str) -> ReaderMember: ...

    async def save_member(self, chat: ChatRef, member_id: str, member: ReaderMember) -> None: ...

    async def chooser_of(self, chat: ChatRef, voice: str) -> str | None:
        """The member of `chat` who chose `voice` for their messages, if one did."""
        ...

    async def consenting(self, chat: ChatRef) -> set[str]:
        """Listening: the members of `chat` who said yes to being transcribed."""
        ...

    async def save_consent(self, chat: ChatRef, member_id: str, consents: bool) -> None: ...

    async def delete_chat(self, chat: ChatRef) -> None: ...


class ReadingUnitOfWork(UnitOfWork, Protocol):
    """What the channel reader (`core.app.reader_choices`, `core.app.spoken_messages`) and
    listening (`core.app.listening`) need: preferences (voice model, style), the reader's choices,
    and the chat's voices (a member's own, where they allowed it)."""

    @property
    def reading(self) -> ReadingStore: ...

    @property
    def voices(self) -> VoiceStore: ...


class BusinessConnectionStore(Protocol):
    """Telegram Business connections and their owners' choices (`core.app.business`)."""

    async def get(self, connection_id: str) -> BusinessConnection | None: ...

    async def of_owner(self, owner_user_id: str) -> BusinessConnection | None: ...

    async def save(self, connection: BusinessConnection) -> None: ...

    async def delete(self, connection_id: str) -> None: ...


class BusinessUnitOfWork(UnitOfWork, Protocol):
    """What `core.app.business` needs: the connections, and the claims on their messages and the
    transcripts kept of their recordings (which a disconnection deletes)."""

    @property
    def business(self) -> BusinessConnectionStore: ...

    @property
    def claims(self) -> ClaimStore: ...

    @property
    def transcripts(self) -> TranscriptStore: ...


class InlineVoiceStore(Protocol):
    """Inline mode's rendered voice notes, by the key of their text, voice and style; each
    noted with the chat whose voice it was rendered in (its asker's own chat) and that voice's
    name, so `/forget` and `/voice delete` take it."""

    async def get(self, key: str) -> CachedVoice | None: ...

    async def save(
        self, key: str, voice: CachedVoice, *, owner: ChatRef, voice_name: str | None, at: datetime
    ) -> None: ...

    async def delete_chat(self, chat: ChatRef) -> list[CachedVoice]:
        """`/forget`: every rendering made in the chat's voice; returns them."""
        ...

    async def delete_voice(self, chat: ChatRef, name: str) -> list[CachedVoice]:
        """`/voice delete`: the renderings made in the chat's voice `name` (in any case)."""
        ...

    async def delete_made_before(self, cutoff: datetime) -> int: ...


class InlineUnitOfWork(UnitOfWork, Protocol):
    """What `core.app.inline` needs: the rendered voices (and the preferences, for the voice)."""

    @property
    def inline_voices(self) -> InlineVoiceStore: ...


class RetentionUnitOfWork(ChatLogUnitOfWork, TranscriptUnitOfWork, InlineUnitOfWork, Protocol):
    """What the retention purges of what chats said (`core.app.retention`) need."""

    @property
    def consents(self) -> ConsentStore: ...
