"""In-memory stand-ins for the use cases' ports, for fast use-case tests. Preferences need none:
`core.infra.local_settings.LocalUnitOfWork` keeps them in memory for real. `fake_use_cases`
wires the use cases on them as `core.bootstrap.use_cases` wires them on MiMo.

Integration tests use the real adapters against loopback servers instead (tests/standins).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Self, cast

from core.app.rules.limits import Limiter
from core.app.rules.request_audience import Request
from core.bootstrap import UseCases, use_cases
from core.chat.answer_languages import Audience
from core.domain.mimo import default_models
from core.domain.recordings.transcript_values import AudioFormat, SpeechFile, TranscriptPart
from core.domain.rules.claim_values import Claim, ClaimState, TakenOver, answered_payload
from core.domain.rules.quotas_rules import (
    ANYONE,
    COUNTED,
    MONTHS,
    PERSON_ROW,
    READER_SHARE_ROW,
    Asker,
    Counts,
    RequestLimits,
)
from core.domain.shared_values import (
    Answer,
    AsrPiece,
    ChatRef,
    Platform,
    Transcript,
    VoiceNote,
)
from core.infra.local_settings import LocalUnitOfWork
from core.ports import AudioConverter, ChatApi, SpeechApi, UnderstandingAudio, UnitOfWork

DEFAULT_TTS_MODEL = default_models.TTS


class KeptLines:
    """A call's transcript as its `TranscriptKeeper` keeps it: a line by its start, replaced
    as its turn's words come (`replace`), taken out when its speaker withdrew it."""

    def __init__(self) -> None:
        self.by_start: dict[float, TranscriptPart] = {}

    @property
    def lines(self) -> list[str]:
        """The words of each line, in the order of their starts."""
        return [part.text or "" for _, part in sorted(self.by_start.items())]

    @property
    def parts(self) -> list[TranscriptPart]:
        return [part for _, part in sorted(self.by_start.items())]

    async def keep_part(
        self, server: ChatRef, recording: str, *, language: str, part: TranscriptPart,
        mandate: object = None, replace: bool = False,
    ) -> None:  # fmt: skip
        if replace or part.start not in self.by_start:
            self.by_start[part.start] = part

    async def withdraw_part(self, server: ChatRef, recording: str, *, start: float) -> bool:
        self.by_start.pop(start, None)
        return True


class FakeSpeech:
    def __init__(self) -> None:
        self.transcribed: list[tuple[bytes, str, str]] = []
        self.synthesized: list[dict[str, str | None]] = []
        self.asked: list[tuple[bytes, str, str]] = []

    async def transcribe(
        self,
        audio: bytes,
        *,
        mime: str,
        language: str = "auto",
        on_text: Callable[[str], None] | None = None,
    ) -> Transcript:
        self.transcribed.append((audio, mime, language))
        heard = f"text of {audio.decode()}"
        if on_text is not None:
            on_text(heard)
        return Transcript(text=heard, duration=1.0)

    async def synthesize(
        self,
        text: str,
        *,
        voice: str | None = None,
        style: str | None = None,
        model: str | None = None,
        description: str | None = None,
    ) -> bytes:
        self.synthesized.append({"text": text, "voice": voice, "style": style, "model": model})
        if description is not None:
            self.synthesized[-1]["description"] = description
        return b"RIFF-fake-wav"

    async def speak(
        self,
        text: str,
        *,
        voice: str | None = None,
        style: str | None = None,
        model: str | None = None,
        description: str | None = None,
    ) -> AsyncIterator[bytes]:
        self.synthesized.append({"text": text, "voice": voice, "style": style, "model": model})
        yield b"\x00\x00" * 240

    async def understand_audio(
        self, audio: Path, *, mime: str, question: str, system: str | None = None
    ) -> Answer:
        self.asked.append((audio.read_bytes(), mime, question))
        return Answer(text=f"answer to {question}")

    async def understand_inline(
        self,
        audio: bytes,
        *,
        mime: str,
        question: str,
        system: str | None = None,
        max_tokens: int | None = None,
    ) -> Answer:
        self.asked.append((audio, mime, question))
        return Answer(text=f"answer to {question}")


class NoChat:
    """The chat model of tests that need none: gists and translations must not reach it."""

    async def chat(
        self, prompt: str, *, system: str | None = None, max_tokens: int | None = None
    ) -> Answer:
        raise AssertionError("this test has no chat model")


def fake_use_cases(
    *,
    speech: SpeechApi,
    audio: AudioConverter,
    uow: Callable[[], UnitOfWork],
    limits: RequestLimits | None = None,
    limiter: Limiter | None = None,
    chat_api: ChatApi | None = None,
    default_tts_model: str = DEFAULT_TTS_MODEL,
    max_prompt_chars: int = 30_000,
) -> UseCases:
    """The use cases as `core.bootstrap.use_cases` wires them, on fakes and the request
    limits given (settings cannot say, say, 1000 bytes): nothing limited without `limiter`,
    files at hand only, no chat's own voices, nothing kept."""
    return use_cases(
        speech=speech, chat_api=chat_api or NoChat(), audio=audio, uow=uow,
        limits=limits or RequestLimits(), default_tts_model=default_tts_model,
        max_prompt_chars=max_prompt_chars, limiter=limiter,
    )  # fmt: skip


async def asked(
    cases: UseCases, chat: ChatRef, *, asker: Asker | None = ANYONE, person: str | None = None
) -> Request:
    """The request of `asker` in `chat` as an adapter has the core read it (the chat's
    preferences in it), answered in `person`'s language, else the chat's."""
    return await cases.audiences.request(chat, Audience(person=person), asker=asker)


class FakePieceStream:
    def __init__(self, pieces: list[AsrPiece]) -> None:
        self.pieces = pieces
        self.duration = sum(piece.duration for piece in pieces)

    async def __aiter__(self) -> AsyncIterator[AsrPiece]:
        for piece in self.pieces:
            yield piece


class FakeAudio:
    """Cuts 'audio' (the file's text) into pieces of `piece` characters."""

    def __init__(self, piece: int = 4) -> None:
        self.piece = piece

    @asynccontextmanager
    async def asr_pieces(
        self, path: Path, *, piece_seconds: float, max_seconds: float | None
    ) -> AsyncIterator[FakePieceStream]:
        data = path.read_bytes()
        chunks = [data[i : i + self.piece] for i in range(0, len(data), self.piece)]
        yield FakePieceStream(
            [
                AsrPiece(data=c, mime="audio/mpeg", offset=float(i), duration=1.0)
                for i, c in enumerate(chunks)
            ]
        )

    async def to_voice_note(self, wav: bytes) -> VoiceNote:
        return VoiceNote(data=b"OggS" + wav, duration=2.0)

    async def voice_note_as_it_comes(
        self, samples: AsyncIterable[bytes], *, rate: int, longest: float
    ) -> VoiceNote:
        """The samples as `to_voice_note` makes a note of a WAV of them."""
        pcm = b"".join([sample async for sample in samples])
        return VoiceNote(data=b"OggS" + self.pcm_wav(pcm, rate), duration=len(pcm) / 2 / rate)

    def pcm_wav(self, pcm: bytes, sample_rate: int) -> bytes:
        return b"RIFF" + pcm

    async def join_wavs(self, wavs: list[bytes]) -> bytes:
        return b"+".join(wavs)

    async def to_speech_file(
        self, pieces: Sequence[tuple[str, bytes]], *, fmt: AudioFormat
    ) -> SpeechFile:
        """The pieces joined as `join_wavs` joins them, a second each."""
        parts = tuple(TranscriptPart(float(i), i + 1.0, said) for i, (said, _) in enumerate(pieces))
        data = await self.join_wavs([wav for _, wav in pieces])
        return SpeechFile(data=data, format=fmt, duration=float(len(pieces)), parts=parts)

    @asynccontextmanager
    async def understanding_input(
        self, path: Path, *, max_seconds: float
    ) -> AsyncIterator[UnderstandingAudio]:
        """The file as it is, a second per character."""
        yield UnderstandingAudio(path, "audio/ogg", float(len(path.read_bytes())))


@dataclass(frozen=True)
class FakeClaimRow:
    claim: Claim
    state: ClaimState
    instance: str
    claimed_at: datetime
    owner: str | None = None
    lease_until: datetime | None = None
    payload: str | None = None
    attempts: int = 0

    def lapsed(self, *, instance: str, owner: str, at: datetime) -> bool:
        return (
            self.lease_until is None
            or self.lease_until < at
            or (self.instance == instance and self.owner is not None and self.owner != owner)
        )


ClaimKey = tuple[str, str, str]


def _claim_key(claim: Claim) -> ClaimKey:
    return (claim.platform, claim.chat_id, claim.message_id)


class FakeClaimStore:
    def __init__(self, rows: dict[ClaimKey, FakeClaimRow]) -> None:
        self.rows = rows

    async def claim(
        self,
        claim: Claim,
        *,
        instance: str,
        owner: str,
        at: datetime,
        lease_until: datetime,
        payload: str | None = None,
    ) -> bool:
        if _claim_key(claim) in self.rows:
            return False
        row = FakeClaimRow(claim, "started", instance, at, owner, lease_until, payload)
        self.rows[_claim_key(claim)] = row
        return True

    async def renew(self, owner: str, claims: Sequence[Claim], lease_until: datetime) -> int:
        renewed = 0
        for claim in claims:
            row = self.rows.get(_claim_key(claim))
            if row is not None and row.owner == owner and row.state == "started":
                self.rows[_claim_key(claim)] = replace(row, lease_until=lease_until)
                renewed += 1
        return renewed

    async def lapsed(
        self, platform: Platform, *, instance: str, owner: str, at: datetime, limit: int = 100
    ) -> list[Claim]:
        rows = sorted(self.rows.values(), key=lambda row: row.claimed_at)
        return [
            row.claim
            for row in rows
            if row.claim.platform == platform
            and row.state == "started"
            and row.lapsed(instance=instance, owner=owner, at=at)
        ][:limit]

    async def next_lapse(self, platforms: Sequence[Platform], *, owner: str) -> datetime | None:
        leases = [
            row.lease_until
            for row in self.rows.values()
            if row.claim.platform in platforms
            and row.state == "started"
            and row.owner != owner
            and row.lease_until is not None
        ]
        return min(leases, default=None)

    async def take_over(
        self, claim: Claim, *, instance: str, owner: str, at: datetime, lease_until: datetime
    ) -> TakenOver | None:
        row = self.rows.get(_claim_key(claim))
        if row is None or row.state != "started":
            return None
        if not row.lapsed(instance=instance, owner=owner, at=at):
            return None
        row = replace(
            row, instance=instance, owner=owner, lease_until=lease_until, attempts=row.attempts + 1
        )
        self.rows[_claim_key(claim)] = row
        return TakenOver(claim, row.payload, row.attempts, row.claimed_at)

    async def finish(
        self, claim: Claim, state: ClaimState, *, at: datetime, answer: str | None = None
    ) -> bool:
        row = self.rows.get(_claim_key(claim))
        if row is None or row.state != "started":
            return False
        payload = answered_payload(answer)
        self.rows[_claim_key(claim)] = replace(row, state=state, lease_until=None, payload=payload)
        return True

    async def amend(self, claim: Claim, payload: str) -> bool:
        row = self.rows.get(_claim_key(claim))
        if row is None or row.state != "started":
            return False
        self.rows[_claim_key(claim)] = replace(row, payload=payload)
        return True

    async def state(self, claim: Claim) -> ClaimState | None:
        row = self.rows.get(_claim_key(claim))
        return None if row is None else row.state

    async def delete_claimed_before(self, cutoff: datetime) -> int:
        old = [key for key, row in self.rows.items() if row.claimed_at < cutoff]
        for key in old:
            del self.rows[key]
        return len(old)

    async def delete_chat(self, chat: ChatRef) -> int:
        gone = [key for key in self.rows if key[:2] == (chat.platform, chat.chat_id)]
        for key in gone:
            del self.rows[key]
        return len(gone)


class FakeWorkUnitOfWork(LocalUnitOfWork):
    """Claims too; like preferences, they land in `committed_claims` only on commit."""

    def __init__(self, committed_claims: dict[ClaimKey, FakeClaimRow]) -> None:
        super().__init__({})
        self.committed_claims = committed_claims
        self.claims = FakeClaimStore(dict(committed_claims))

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.claims = FakeClaimStore(dict(self.committed_claims))
        return self

    async def commit(self) -> None:
        await super().commit()
        self.committed_claims.clear()
        self.committed_claims.update(self.claims.rows)


@dataclass
class UsageRows:
    """The limits' committed state: rate windows and chat days."""

    windows: dict[tuple[str, str, datetime], tuple[int, bool]]  # key -> (hits, told)
    days: dict[tuple[ChatRef, date], tuple[Counts, bool]]  # key -> (used, told)

    def copy(self) -> UsageRows:
        return UsageRows(dict(self.windows), dict(self.days))


class FakeUsage:
    """`core.infra.storage.rules.usage_in_database.UsageRepository` in memory, with the same
    rules."""

    def __init__(self, rows: UsageRows) -> None:
        self.rows = rows

    async def hits(
        self, platform: str, subjects: Sequence[str], window: datetime
    ) -> dict[str, int]:
        counted = {}
        for subject in subjects:
            hits, told = self.rows.windows.get((platform, subject, window), (0, False))
            self.rows.windows[(platform, subject, window)] = (hits + 1, told)
            counted[subject] = hits + 1
        return counted

    async def tell(self, platform: str, subject: str, window: datetime) -> bool:
        hits, told = self.rows.windows.get((platform, subject, window), (0, False))
        self.rows.windows[(platform, subject, window)] = (hits, True)
        return not told

    async def delete_windows_before(self, cutoff: datetime) -> int:
        old = [key for key in self.rows.windows if key[2] < cutoff]
        for key in old:
            del self.rows.windows[key]
        return len(old)

    async def day(self, chat: ChatRef, day: date) -> Counts:
        return self.rows.days.get((chat, day), (Counts(), False))[0]

    async def reserve(self, chat: ChatRef, day: date, amounts: Counts, limits: Counts) -> bool:
        if (chat, day) in self.rows.days:
            used = await self.day(chat, day)
            for name in COUNTED:
                amount, limit = getattr(amounts, name), getattr(limits, name)
                if amount > 0 and limit > 0 and getattr(used, name) + amount > limit:
                    return False
        await self.add(chat, day, amounts)
        return True

    async def add(self, chat: ChatRef, day: date, amounts: Counts) -> None:
        used, told = self.rows.days.get((chat, day), (Counts(), False))
        total = {name: max(0, value) for name, value in (used + amounts).as_dict().items()}
        self.rows.days[(chat, day)] = (Counts(**total), told)

    async def tell_today(self, chat: ChatRef, day: date) -> bool:
        used, told = self.rows.days.get((chat, day), (Counts(), False))
        self.rows.days[(chat, day)] = (used, True)
        return not told

    async def delete_days_before(self, cutoff: date) -> int:
        old = [key for key in self.rows.days if key[1] < cutoff and key[0] != MONTH]
        await self._roll_up(old)
        for key in old:
            del self.rows.days[key]
        return len(old)

    async def delete_chat(self, chat: ChatRef, *, today: date) -> None:
        old = [key for key in self.rows.days if key[0] == chat and key[1] < today]
        await self._roll_up(old)
        for key in old:
            del self.rows.days[key]

    async def bot_day(self, day: date) -> Counts:
        return _sum(used for (chat, on), (used, _) in self.rows.days.items()
                    if on == day and _whole_bot(chat))  # fmt: skip

    async def bot_month(self, first: date, last: date) -> Counts:
        kept = _sum(used for (chat, on), (used, _) in self.rows.days.items()
                    if first <= on <= last and _whole_bot(chat))  # fmt: skip
        return kept + await self.day(MONTH, first)

    async def _roll_up(self, keys: list[tuple[ChatRef, date]]) -> None:
        for chat, day in keys:
            if _whole_bot(chat):
                await self.add(MONTH, day.replace(day=1), self.rows.days[(chat, day)][0])

    async def chats(self, platform: str) -> int:
        return len({
            chat for chat, _ in self.rows.days
            if chat.platform == platform
            and not chat.chat_id.startswith(PERSON_ROW) and READER_SHARE_ROW not in chat.chat_id
        })  # fmt: skip


MONTH = ChatRef(cast(Platform, MONTHS[0]), MONTHS[1])


def _whole_bot(chat: ChatRef) -> bool:
    return (
        chat.platform != MONTHS[0]
        and not chat.chat_id.startswith(PERSON_ROW)
        and READER_SHARE_ROW not in chat.chat_id
    )


def _sum(counts: Iterable[Counts]) -> Counts:
    return sum(counts, Counts())


class FakeUsageUnitOfWork:
    """Changes land in `committed` only on commit, like a real transaction."""

    def __init__(self, committed: UsageRows) -> None:
        self.committed = committed
        self.usage = FakeUsage(committed.copy())

    async def __aenter__(self) -> Self:
        self.usage = FakeUsage(self.committed.copy())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        self.committed.windows = self.usage.rows.windows
        self.committed.days = self.usage.rows.days
