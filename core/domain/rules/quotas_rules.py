"""What the owner allows, as plain values: what one request may ask for, the allowlist, the rate
limits, the daily quotas (a chat's), caps (a person's, all chats together) and budget (the whole
bot's), the counts they are measured in, who asked, UTC days and minute windows, and the refusal
that names the quota a request does not fit.

No I/O here; `core.app.rules.limits.Limiter` enforces these against the database, and
`core.chat.usage_wording` says how a chat's usage reads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from core.domain.errors import (
    AskOverQuota,
    AskQuotaShort,
    AskQuotaUsed,
    AudioBudgetSpent,
    AudioFileTooLarge,
    AudioOverQuota,
    AudioQuotaShort,
    AudioQuotaUsed,
    AudioTooLong,
    ListenQuotaUsed,
    ListenStarterQuotaUsed,
    PersonAudioQuotaShort,
    PersonAudioQuotaUsed,
    PersonSpeechQuotaShort,
    PersonSpeechQuotaUsed,
    QuotaUsed,
    SpeechBudgetSpent,
    SpeechOverQuota,
    SpeechQuotaShort,
    SpeechQuotaUsed,
    SummaryQuotaUsed,
)
from core.domain.quantities import Duration, Megabytes
from core.domain.shared_values import Platform, Usage

__all__ = ["ANYONE", "AUTOMATIC", "COUNTED", "LISTEN_ROW", "MONTHS", "PERSON_ROW",
           "READER_SHARE_ROW", "Allowlist", "Asker", "BotUsage", "Counts", "DailyCaps",
           "DailyQuotas", "LimitPolicy", "RateLimits", "RequestLimits", "UsageReport", "Whose",
           "asked_by", "billed_seconds", "capped_part", "pairs", "parse_ids", "refusal",
           "seconds_left", "sent_by", "until_reset", "utc_day", "window_start"]  # fmt: skip

WINDOW = timedelta(minutes=1)  # rate limits count requests per clock minute
_ID = re.compile(r"^(?:(telegram|discord):)?(-?\d+)$")


@dataclass(frozen=True)
class Counts:
    """Amounts of costly work, as kept per chat and UTC day."""

    audio_seconds: int = 0
    tts_chars: int = 0
    summaries: int = 0
    ask_seconds: int = 0  # of recordings asked about (`/ask`)
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self.values(), other.values(), strict=True)))

    def __sub__(self, other: Counts) -> Counts:
        return Counts(*(a - b for a, b in zip(self.values(), other.values(), strict=True)))

    def values(self) -> tuple[int, ...]:
        return tuple(getattr(self, name) for name in COUNTED)

    def as_dict(self) -> dict[str, int]:
        return dict(zip(COUNTED, self.values(), strict=True))

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @classmethod
    def of_tokens(cls, usage: Usage) -> Counts:
        return cls(prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens)


COUNTED: tuple[str, ...] = tuple(f.name for f in fields(Counts))


@dataclass(frozen=True)
class RateLimits:
    """Costly requests a minute; 0: no limit."""

    user_per_minute: int = 6
    chat_per_minute: int = 20
    # `/find` and its pages, a minute of each person's own (not the costly requests' minute).
    searches_per_minute: int = 10


@dataclass(frozen=True)
class DailyQuotas:
    """What one chat may use in a UTC day; 0: unlimited."""

    audio_seconds: int = 7200
    tts_chars: int = 20_000
    summaries: int = 20
    ask_seconds: int = 3600

    def as_counts(self) -> Counts:
        return Counts(
            audio_seconds=self.audio_seconds,
            tts_chars=self.tts_chars,
            summaries=self.summaries,
            ask_seconds=self.ask_seconds,
        )


@dataclass(frozen=True)
class DailyCaps:
    """Transcribed seconds and spoken characters in a UTC day, all chats together: one person's
    (`LimitPolicy.person`) or the whole bot's (`LimitPolicy.budget`); 0: no cap."""

    audio_seconds: int = 0
    tts_chars: int = 0

    def as_counts(self) -> Counts:
        return Counts(audio_seconds=self.audio_seconds, tts_chars=self.tts_chars)

    @property
    def any(self) -> bool:
        return bool(self.audio_seconds or self.tts_chars)


# Rows of the daily usage beside the chats' own (`core.app.rules.limits`): a person's day across
# chats is "person:<user id>", a member's share of a chat's readings "<chat id>/reader:<member>",
# a server's calls listened to "<chat id>/listen".
PERSON_ROW = "person:"
READER_SHARE_ROW = "/reader:"
LISTEN_ROW = "/listen"
# The whole bot's months, under a platform no chat has: what retention (and `/forget`) deleted of
# the chats' days is added to its month's row first, so a month's use outlives the days kept.
MONTHS = ("all", "month")


@dataclass(frozen=True)
class BotUsage:
    """What the whole bot used, every chat and platform together (`voicebridge usage`): the UTC
    day `day`, and its month up to it."""

    day: date
    today: Counts
    month: Counts


def billed_seconds(usage: Usage, sent: float) -> int:
    """The seconds MiMo bills one speech request for, which every way in counts (a call's
    piece, a voice note's or a recording's pieces, an import, a reading): what its answer
    reports (`usage.seconds`), else the `sent` seconds of audio rounded up to MiMo's unit, the
    whole second (a piece of 0.3 s costs 1, one of 1.1 s costs 2; a millisecond of float dust
    is not a second more)."""
    seconds = usage.audio_seconds if usage.audio_seconds > 0 else sent
    return max(0, math.ceil(round(seconds, 3)))


def capped_part(amounts: Counts) -> Counts:
    """What of `amounts` a person's caps and the bot's budget count: transcription and speech."""
    return Counts(audio_seconds=amounts.audio_seconds, tts_chars=amounts.tts_chars)


@dataclass(frozen=True)
class Allowlist:
    """Who may use the bot. Entries are ids, for any platform ("123") or one ("telegram:123").
    With both lists empty everyone may; otherwise a chat on `chats` or a user on `users` may."""

    chats: frozenset[str] = frozenset()
    users: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, chats: str, users: str) -> Allowlist:
        return cls(frozenset(parse_ids(chats)), frozenset(parse_ids(users)))

    @property
    def is_open(self) -> bool:
        return not self.chats and not self.users

    def admits(
        self,
        platform: Platform,
        *,
        chats: Iterable[object],
        user: object | None,
        withdrawal: bool = False,
    ) -> bool:
        """Whether a request from `user` (None: nobody in particular) in the chat known by any
        of `chats` (a Discord server and its channel, say) may be served. A `withdrawal` (a
        member's no to being transcribed) always is: it only ever stops the bot, and a member
        the allowlist leaves out must be able to stop being transcribed all the same."""
        if self.is_open or withdrawal:
            return True
        if any(_listed(self.chats, platform, chat) for chat in chats):
            return True
        return user is not None and _listed(self.users, platform, user)


def _listed(entries: frozenset[str], platform: Platform, value: object) -> bool:
    return str(value) in entries or f"{platform}:{value}" in entries


def parse_ids(value: str) -> list[str]:
    """`-100123, telegram:42,discord:77` as entries; raises ValueError naming a bad one."""
    entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    for entry in entries:
        if not _ID.match(entry):
            raise ValueError(f"{entry!r} is not an id (123, telegram:123 or discord:123)")
    return entries


@dataclass(frozen=True)
class RequestLimits:
    """What one request may ask for, and how its work is cut and spread."""

    max_say_chars: int = 5000  # the longest text /say speaks
    tts_piece_chars: int = 1000  # longer texts are cut at sentence ends into requests of this
    max_audio_seconds: float = 3600
    max_audio_bytes: int = 50 * 1024 * 1024
    asr_piece_seconds: float = 60
    asr_concurrency: int = 4  # speech requests in flight for one chat
    asr_max_in_flight: int = 8  # ...and for all chats together
    max_downloads: int = 4  # recordings downloaded at once, all chats together
    ask_concurrency: int = 2  # questions about recordings worked on at once, all chats together

    def check_audio_size(self, size: int | None) -> None:
        """Refuse a recording of `size` bytes (None: not known) over MAX_AUDIO_MB: asked with
        the size a platform declares, before downloading anything, and with the file's."""
        if size is not None and size > self.max_audio_bytes:
            limit = Megabytes(round(self.max_audio_bytes / (1024 * 1024)))
            raise AudioFileTooLarge(limit=limit, setting="MAX_AUDIO_MB")

    def check_declared_length(self, seconds: float | None) -> None:
        """Refuse a recording a platform declares longer than MAX_AUDIO_SECONDS (None: not
        declared), before downloading it. What it really holds is measured afterwards."""
        if seconds is not None and round(seconds) > self.max_audio_seconds:
            limit = Duration(round(self.max_audio_seconds))
            raise AudioTooLong(limit=limit, setting="MAX_AUDIO_SECONDS")


@dataclass(frozen=True)
class LimitPolicy:
    rates: RateLimits = RateLimits()
    quotas: DailyQuotas = DailyQuotas()
    allowlist: Allowlist = Allowlist()
    # The most of a chat's daily speech one member's messages may take in channel readings.
    reader_member_share: float = 0.25
    person: DailyCaps = DailyCaps(audio_seconds=3600, tts_chars=10_000)  # each person's share
    budget: DailyCaps = DailyCaps()  # the whole bot's day; past it, the bot rests till midnight
    # Seconds of speech a server's calls listened to may have transcribed in a day (0: no
    # limit): counted instead of its transcription quota, so a long call leaves voice notes be;
    # and in the day of the member who started the listening (their `person` cap) too.
    listen_seconds: int = 7200


@dataclass(frozen=True)
class Asker:
    """Who costly work is for, as the rate limits see it: the person who asked (None: not
    known). `automatic`: a recording transcribed because the chat has auto-transcribe on, not
    because anyone asked; it counts against the chat and, when its sender is known, against the
    sender's rate and caps, and is refused aloud once a window (or a day), never silently."""

    user_id: str | None = None
    automatic: bool = False


ANYONE = Asker()
AUTOMATIC = Asker(automatic=True)


def asked_by(user_id: object) -> Asker:
    return Asker(user_id=str(user_id))


def sent_by(user_id: object) -> Asker:
    """A recording transcribed automatically, counted against the person who sent it."""
    return Asker(user_id=str(user_id), automatic=True)


# Time: minute windows and UTC days


def window_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(second=0, microsecond=0)


def seconds_left(window: datetime, now: datetime) -> int:
    """Whole seconds until the window that started at `window` ends (at least 1)."""
    return max(1, math.ceil((window + WINDOW - now).total_seconds()))


def utc_day(now: datetime) -> date:
    return now.astimezone(UTC).date()


def until_reset(now: datetime) -> timedelta:
    """Time until the next UTC midnight, when the daily quotas start again."""
    midnight = datetime.combine(utc_day(now) + timedelta(days=1), time(), tzinfo=UTC)
    return midnight - now


@dataclass(frozen=True)
class UsageReport:
    """A chat's usage today, with the limits it is measured against (`/usage`); and, for the
    person asking, their own share of the day, all chats together (None: not counted)."""

    used: Counts
    quotas: DailyQuotas
    rates: RateLimits
    resets_in: timedelta
    person_used: Counts | None = None
    person_caps: DailyCaps = DailyCaps()


def pairs(one: Counts, other: Counts) -> zip[tuple[int, int]]:
    """Each count of `one` beside the same count of `other`."""
    return zip(one.values(), other.values(), strict=True)


_QUOTA_ERRORS: dict[str, tuple[type[QuotaUsed], ...]] = {
    # name: (used up, not enough left for this one, more than a whole day's)
    "audio_seconds": (AudioQuotaUsed, AudioQuotaShort, AudioOverQuota),
    "tts_chars": (SpeechQuotaUsed, SpeechQuotaShort, SpeechOverQuota),
    "summaries": (SummaryQuotaUsed,) * 3,
    "ask_seconds": (AskQuotaUsed, AskQuotaShort, AskOverQuota),
}


_PERSON_ERRORS: dict[str, tuple[type[QuotaUsed], ...]] = {
    # name: (used up, not enough left for this one); more than a whole day's reads as the latter
    "audio_seconds": (PersonAudioQuotaUsed, PersonAudioQuotaShort, PersonAudioQuotaShort),
    "tts_chars": (PersonSpeechQuotaUsed, PersonSpeechQuotaShort, PersonSpeechQuotaShort),
}
_BUDGET_ERRORS: dict[str, tuple[type[QuotaUsed], ...]] = {
    # whatever is left of the bot's day, the bot rests till midnight once a request does not fit
    "audio_seconds": (AudioBudgetSpent,) * 3,
    "tts_chars": (SpeechBudgetSpent,) * 3,
}
_LISTEN_ERRORS: dict[str, tuple[type[QuotaUsed], ...]] = {"audio_seconds": (ListenQuotaUsed,) * 3}
_STARTER_ERRORS: dict[str, tuple[type[QuotaUsed], ...]] = {
    "audio_seconds": (ListenStarterQuotaUsed,) * 3
}
# Whose day a quota counts (see `LimitPolicy`): a chat's, a person's, the bot's, a server's calls,
# and the day of the person who started a call's listening (their own, as "person").
Whose = Literal["chat", "person", "budget", "listen", "starter"]
_REFUSALS: dict[Whose, dict[str, tuple[type[QuotaUsed], ...]]] = {
    "chat": _QUOTA_ERRORS,
    "person": _PERSON_ERRORS,
    "budget": _BUDGET_ERRORS,
    "listen": _LISTEN_ERRORS,
    "starter": _STARTER_ERRORS,
}


def refusal(
    amounts: Counts, limits: Counts, used: Counts, *, reset: Duration, of: Whose = "chat"
) -> QuotaUsed:
    """The refusal of `amounts` when the chat (or the person, or the whole bot: `of`) had `used`
    this much: the first quota they do not fit. Read with the refused reservation, one of them
    never fits; should none be over, the first quota they draw on answers all the same, so a race
    never ends in an internal error."""
    drawn = [
        (name, amount, limit, spent)
        for name, amount, limit, spent in zip(
            COUNTED, amounts.values(), limits.values(), used.values(), strict=True
        )
        if amount > 0 and limit > 0
    ]
    name, amount, limit, spent = next((q for q in drawn if q[3] + q[1] > q[2]), drawn[0])
    left = max(0, limit - spent)
    return _quota_error(_REFUSALS[of], name, needed=amount, left=left, limit=limit, reset=reset)


def _quota_error(
    errors: dict[str, tuple[type[QuotaUsed], ...]],
    name: str,
    *,
    needed: int,
    left: int,
    limit: int,
    reset: Duration,
) -> QuotaUsed:
    used_up, short, over = errors[name]
    shown = (
        Duration if name.endswith("_seconds") else int
    )  # seconds read as time, the rest as counts
    kind = over if needed > limit else short if left > 0 else used_up
    return kind(
        f"{name}: {needed} asked, {left} of {limit} left",
        needed=shown(needed),
        left=shown(left),
        limit=shown(limit),
        reset=reset,
    )
