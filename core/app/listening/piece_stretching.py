"""The calls' speech against the account's minute of speech recognition: how far their pieces
are lengthened (`Stretching`, one per process, which every call listened to here shares).

Live work goes first in the minute (`core.domain.mimo.account_minute_rules`), so what may run short
of it is the calls' own demand: each piece's seconds are counted as it goes to MiMo, and the pieces
are cut longer while that speech, at their length, would take more of the minute than it holds
(`core.domain.listening.live_speech_rules.stretch`): fewer requests, captions a little later, rather
than pieces that wait for the minute ever longer. The requests are counted at the length the pieces
would have in the turns of the last minute: a turn's end cuts its last piece short, so pieces are on
average shorter than their rules' middle, the more so the longer the rules
(`core.domain.listening.live_speech_rules.cut_length`). The speech is read over the last sixth of
the minute (a call that starts is felt within seconds) and over the whole of it (the pieces shorten
again only once the speech of the last minute allows it); the length follows the speech, not the
requests, so longer pieces do not make the demand look smaller.

Each process counts its own calls' speech as it sends it, and reads every replica's from the
minute itself (`shared`: each live turn carries its seconds of speech, and the minute that
replicas share holds all of theirs), so that calls spread over replicas are lengthened for all
of them together; whichever says more counts. Where the minute is not paced
(`MIMO_PACED=false`), nothing is lengthened.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from core.domain.listening.live_speech_rules import stretch
from core.domain.mimo.account_minute_rules import ModelMinute, Seen

__all__ = ["Stretching"]


class Stretching:
    """The calls' speech sent to MiMo in the last minute, and how far their pieces are
    lengthened for it (module docstring). `minute`: the speech recognition model's (None: not
    paced, never lengthened); `shared`: what that model's minute held when last looked at,
    every replica's turns (it says None when not lately; no `shared`: this process alone)."""

    def __init__(
        self,
        minute: ModelMinute | None,
        *,
        shared: Callable[[], Seen | None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.minute = minute
        self._shared = shared
        self._clock = clock
        self._sent: deque[tuple[float, float]] = deque()  # (when, seconds of speech)
        self._turns: deque[tuple[float, float]] = deque()  # (when it ended, its seconds)
        self._step = 0

    def sent(self, seconds: float, *, turn: float | None = None) -> None:
        """A piece of `seconds` of speech goes to MiMo; `turn`: the seconds of the member's
        turn it ends, if it ends one (its end cut the piece short)."""
        if self.minute is not None:
            now = self._clock()
            self._sent.append((now, seconds))
            if turn is not None:
                self._turns.append((now, turn))

    def step(self) -> int:
        """How far the pieces are lengthened now (an index of
        `core.domain.listening.live_speech_rules. STRETCHES`: 0, as each call asked)."""
        if self.minute is None:
            return 0
        speech, turns = self.speech_a_minute(), [seconds for _, seconds in self._turns]
        step = stretch(speech, self.minute, now=self._step, turns=turns)
        # Shorter again only on every replica's speech where there are replicas to hear of:
        # this process's own says too little.
        unheard = self._shared is not None and self._shared() is None
        self._step = max(step, self._step) if unheard else step
        return self._step

    def speech_a_minute(self) -> float:
        """The calls' seconds of speech a minute: the last sixth's pace, or the last minute's,
        whichever is more; this process's, or every replica's as the minute holds it, whichever
        is more."""
        assert self.minute is not None
        now, length = self._clock(), self.minute.seconds
        for kept in (self._sent, self._turns):
            while kept and kept[0][0] <= now - length:
                kept.popleft()
        sixth = self.minute.pace_seconds
        recent = sum(seconds for at, seconds in self._sent if at > now - sixth)
        own = max(recent * length / sixth, sum(seconds for _, seconds in self._sent))
        shared = None if self._shared is None else self._shared()
        return own if shared is None else max(own, shared.live_speech_a_minute(self.minute))
