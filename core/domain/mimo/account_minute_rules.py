"""The account's minute: what MiMo lets one account send in a minute, and who asks to use it.

MiMo sets its limits per account and per model, every key of the account together: requests a
minute and tokens a minute, over a sliding minute (its rate-limit page, updated 2026-06-11).

    model                                          requests   tokens a minute
    speech recognition (mimo-v2.5-asr)             100        10,000
    each speech model (-tts, -voicedesign, ...)    100        10,000,000
    each text and audio model (mimo-v2.6-flash)    100        10,000,000

Every request takes a use of its model's minute (`core.infra.mimo.minute_pacing`), in the order of
who asks (`Asking`): live work first (a call's captions and interpreter, a reading's next clip),
then a person waiting (a voice note, `/say`, `/ask`), then the background (imports,
`/remember`, digests); within one urgency, the chats alternate. The use cases say who asks
(`asking`); a request nobody placed is a person's, of no chat in particular.

Replicas sharing a key share the minute
(`core.infra.storage.mimo_minute.shared_ledger_in_database`): each says what waits in its queue
(`Waiting`), and a replica's less urgent work leaves the minute to another's more urgent work.
`MinuteNow` is one model's minute as the operator sees it (`voicebridge usage`).

While a request waits for its use of the minute, whoever asked may hear how many go before it
(`PlaceListener`: a status message says so), and it may set aside what it holds that others need
meanwhile (`setting_aside`: the process's in-flight slot, so that a request waiting for the
minute never keeps more urgent work out of one).

What a request counts in tokens, before MiMo says, is estimated in
`core.domain.mimo.token_estimates`.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = [
    "ASR_MINUTE",
    "NOTHING_WAITS",
    "TRANSIT_SECONDS",
    "UNANSWERED_KEPT_SECONDS",
    "AccountLimits",
    "Asking",
    "MinuteNow",
    "ModelMinute",
    "NotWanted",
    "PlaceListener",
    "Seen",
    "Urgency",
    "Waiting",
    "asking",
    "asking_now",
    "room",
    "setting_aside",
    "still_wanted",
]

WINDOW_SECONDS = 60.0  # MiMo's minute: a sliding one
TRANSIT_SECONDS = 0.5  # a use not yet answered counts this much past the minute (`ModelMinute`)
# A use whose request has not ended counts no longer than `ModelMinute.counted_seconds`, but is
# kept this long (longer than any request lasts), so that its answer, however late, counts it a
# minute from then: MiMo counts it from its arrival.
UNANSWERED_KEPT_SECONDS = 900.0


class Urgency(enum.IntEnum):
    """Who waits for an answer: the lower, the sooner it is sent."""

    LIVE = 0  # people listening now: a call's captions and interpreter, a reading's clip
    PERSON = 1  # a person waiting for their answer: a voice note, /say, /ask, /translate
    BACKGROUND = 2  # nobody waits: an import, /remember, a digest


PlaceListener = Callable[[int | None], None]
"""Hears, while requests wait for their use of the minute, how many go before the first of them
(0: it goes next, once the minute has room), whenever that changes; and None once none of them
waits any more. Told only of requests that waited at all (`core.infra.mimo.minute_pacing`); a
listener of several requests at once (a recording's pieces) hears of them together."""

Aside = Callable[[], AbstractAsyncContextManager[object]]
"""What a request gives up while it waits for its use of the minute, and takes back once it was
given, before it is sent: entered as it starts to wait, left as its use is given."""


@dataclass(frozen=True)
class Asking:
    """Who a request is for: its urgency, the chat whose queue it waits in (None: nobody's), who
    hears how many requests wait ahead of it while it waits (a status message), and what it
    sets aside meanwhile (its in-flight slot)."""

    urgency: Urgency = Urgency.PERSON
    chat: str | None = None
    waiting: PlaceListener | None = None
    aside: Aside | None = None
    # Whether the request is still wanted once its use is given (a member's no meanwhile): if
    # not, it is not sent (`NotWanted`).
    still: Callable[[], bool] | None = None


class NotWanted(Exception):
    """A request no longer wanted when its use was given (`Asking.still`): never sent. Its use
    stays counted in the minute, as one sent would."""


_ASKING: ContextVar[Asking | None] = ContextVar("asking", default=None)
_NOBODY_IN_PARTICULAR = Asking()


def asking_now() -> Asking:
    """Who the requests sent from here are for (`asking` says it)."""
    return _ASKING.get() or _NOBODY_IN_PARTICULAR


@contextmanager
def asking(
    urgency: Urgency, chat: object = None, *, waiting: PlaceListener | None = None
) -> Iterator[None]:
    """The MiMo requests sent inside the block (and from the tasks it starts) are `chat`'s, in
    `urgency`'s queue; `waiting` hears how many requests are ahead while they wait for their
    use of the minute (`PlaceListener`). A chat is told apart by its `str()`."""
    with _asked(Asking(urgency, None if chat is None else str(chat), waiting)):
        yield


@contextmanager
def setting_aside(aside: Aside) -> Iterator[None]:
    """The MiMo requests sent inside the block, asked as they are around it, set `aside` aside
    while they wait for their use of the minute (`Aside`)."""
    now = asking_now()
    with _asked(Asking(now.urgency, now.chat, now.waiting, aside, now.still)):
        yield


@contextmanager
def still_wanted(still: Callable[[], bool]) -> Iterator[None]:
    """The MiMo requests sent inside the block, asked as they are around it, are sent only if
    `still()` holds once their use is given: what a wait for the minute let change (a no) is
    looked at again before MiMo hears anything (`NotWanted`)."""
    now = asking_now()
    with _asked(Asking(now.urgency, now.chat, now.waiting, now.aside, still)):
        yield


@contextmanager
def _asked(asked: Asking) -> Iterator[None]:
    token = _ASKING.set(asked)
    try:
        yield
    finally:
        _ASKING.reset(token)


@dataclass(frozen=True)
class ModelMinute:
    """What one model takes in a minute: requests and tokens (`seconds`: MiMo's minute; a
    benchmark's stand-in may keep a shorter one, its ratios kept).

    MiMo counts a request from when it reaches it, a moment after its use was taken, and a
    request whose use came later may reach it sooner (a smaller body, a quicker connection, a
    busy process). Counted from the taking alone, the minute would free a use before MiMo's did,
    and the next request could meet a 429. So a use counts from MiMo's answer, when one comes
    (MiMo had the request by then, however long its way was), and until then `transit` seconds
    longer than the minute from its taking (a request that never got an answer)."""

    requests: int
    tokens: int
    seconds: float = WINDOW_SECONDS
    transit: float = TRANSIT_SECONDS

    @property
    def counted_seconds(self) -> float:
        """How long a use counts in its model's minute until MiMo answers its request."""
        return self.seconds + self.transit

    @property
    def pace_seconds(self) -> float:
        """The stretch over which work that is not live is spread: a sixth of the minute."""
        return self.seconds / 6

    def halved(self) -> ModelMinute:
        """The minute a model runs at for a while after MiMo answered 429 all the same."""
        return ModelMinute(
            max(1, self.requests // 2), max(1, self.tokens // 2), self.seconds, self.transit
        )


ASR_MINUTE = ModelMinute(requests=100, tokens=10_000)
OTHER_MINUTE = ModelMinute(requests=100, tokens=10_000_000)


@dataclass(frozen=True)
class AccountLimits:
    """The account's minute per model: MiMo's published figures unless the account's were
    raised (`MIMO_ASR_REQUESTS_PER_MINUTE` and its siblings). `paced=False` sends at once."""

    asr: ModelMinute = ASR_MINUTE
    others: ModelMinute = OTHER_MINUTE
    overrides: Mapping[str, ModelMinute] | None = None  # by model id
    paced: bool = True

    def of(self, model: str) -> ModelMinute:
        if self.overrides and model in self.overrides:
            return self.overrides[model]
        return self.asr if "asr" in model else self.others


HEADROOM = 0.05  # the share of the minute left to live work beyond its pace while it is live


@dataclass(frozen=True)
class Seen:
    """What a model's minute holds now, every replica's uses together: all of them, the uses
    of work that is not live in the last sixth of the minute (`paced_`), and live work's uses,
    in the minute and in its last sixth (`live_`, `live_recent_`), with the seconds of speech
    they carry."""

    requests: int = 0
    tokens: int = 0
    paced_requests: int = 0
    paced_tokens: int = 0
    live_requests: int = 0
    live_tokens: int = 0
    live_recent_requests: int = 0
    live_recent_tokens: int = 0
    live_speech: float = 0.0  # seconds of speech in live work's uses
    live_recent_speech: float = 0.0
    live_age: float = 0.0  # seconds since live work's oldest use in the minute was taken

    def live_speech_a_minute(self, minute: ModelMinute) -> float:
        """The seconds of speech live work sends a minute: the last sixth's pace, or the last
        minute's, whichever is more (every replica's calls:
        `core.app.listening.piece_stretching`)."""
        sixths = minute.seconds / minute.pace_seconds
        return max(self.live_recent_speech * sixths, self.live_speech)

    @property
    def live(self) -> bool:
        """Whether live work took a use within the minute."""
        return self.live_requests > 0

    def live_part(self, minute: ModelMinute) -> tuple[int, int]:
        """The requests and tokens of the minute that live work is to find free: what it would
        hold in a whole minute at its pace (since its first use in the minute, or in the last
        sixth, whichever is more: a call that began twenty seconds ago holds a third of its
        minute), and a twentieth of the minute more (`HEADROOM`). Never all of the minute: a
        twentieth of it stays for the rest, so that a voice note waiting while calls talk goes,
        more slowly, rather than for as long as they talk."""
        if not self.live:
            return 0, 0
        sixths = minute.seconds / minute.pace_seconds
        since = minute.seconds / max(minute.pace_seconds, min(self.live_age, minute.seconds))
        requests = max(self.live_requests * since, self.live_recent_requests * sixths)
        tokens = max(self.live_tokens * since, self.live_recent_tokens * sixths)
        reserved_requests = math.ceil(minute.requests * HEADROOM)
        reserved_tokens = math.ceil(minute.tokens * HEADROOM)
        return (
            min(math.ceil(requests) + reserved_requests, minute.requests - reserved_requests),
            min(math.ceil(tokens) + reserved_tokens, minute.tokens - reserved_tokens),
        )


@dataclass(frozen=True)
class Waiting:
    """What waits for a use in one process's queue for a model: requests of each urgency, and
    how long the one waiting longest has waited (seconds)."""

    live: int = 0
    person: int = 0
    background: int = 0
    longest: float = 0.0

    def of(self, urgency: Urgency) -> int:
        return (self.live, self.person, self.background)[urgency]

    @property
    def urgencies(self) -> frozenset[Urgency]:
        """The urgencies of which anything waits."""
        return frozenset(u for u in Urgency if self.of(u))

    def before(self, urgency: Urgency) -> bool:
        """Whether anything more urgent than `urgency` waits: across replicas, the minute goes to
        the most urgent work first, whichever replica holds it."""
        return any(self.of(u) for u in Urgency if u < urgency)


NOTHING_WAITS = Waiting()


@dataclass(frozen=True)
class MinuteNow:
    """One model's minute as the operator sees it (`voicebridge usage`): what it holds of its
    limit, what waits for a use, the 429s MiMo answered today all the same. `slowed_for`:
    seconds left at half the minute after a 429; `age`: seconds since it was seen (a snapshot
    a bot wrote), 0 when read from the minute itself."""

    model: str
    minute: ModelMinute
    requests: int = 0
    tokens: int = 0
    waiting: Waiting = NOTHING_WAITS
    refused_today: int = 0
    slowed_for: float = 0.0
    age: float = 0.0

    @property
    def idle(self) -> bool:
        """Nothing in the minute and nothing waiting for it."""
        return not self.requests and not self.waiting.urgencies


def room(minute: ModelMinute, seen: Seen, urgency: Urgency, tokens: int) -> bool:
    """Whether a request of `urgency` counting `tokens` may go now.

    Every request fits the minute (a request larger than a whole minute's tokens goes alone,
    into an empty one). Live work has nothing else to wait for. The rest is spread over the
    minute, at most a sixth of it in any ten seconds, so that a burst of notes or an import
    never takes a whole minute at once; and while a call is live it leaves the call the part
    the call uses (`Seen.live_part`: what it took in the last sixth, kept for a whole minute),
    so that the call's next pieces find the minute free rather than wait for the import's uses
    to leave it."""
    if not _fits(seen.requests, 1, minute.requests) or not _fits(
        seen.tokens, tokens, minute.tokens
    ):
        return False
    if urgency is Urgency.LIVE:
        return True
    sixth = ModelMinute(math.ceil(minute.requests / 6), math.ceil(minute.tokens / 6), 0)
    if not _fits(seen.paced_requests, 1, sixth.requests) or not _fits(
        seen.paced_tokens, tokens, sixth.tokens
    ):
        return False
    if seen.live:
        live_requests, live_tokens = seen.live_part(minute)
        others = seen.requests - seen.live_requests
        others_tokens = seen.tokens - seen.live_tokens
        return others + 1 + live_requests <= minute.requests and (
            others_tokens + tokens + live_tokens <= minute.tokens or seen.tokens == 0
        )
    return True


def _fits(used: int, more: int, limit: int) -> bool:
    return used + more <= limit or used == 0
