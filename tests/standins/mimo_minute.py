"""MiMo's minute, as the stand-in holds it: per model, requests and tokens in a sliding minute,
every key of the account together (MiMo's rate-limit page, updated 2026-06-11).

    speech recognition (mimo-v2.5-asr)     100 requests and 10,000 tokens a minute
    every other model                      100 requests and 10,000,000 tokens a minute

A request that arrives with its model's minute already full (its requests, or its tokens) is
answered 429 with `Retry-After`, the seconds until the minute's oldest request leaves it (whole
seconds, at least one; in a shortened minute, its sixtieths), and counts for nothing; one let
through counts at once, and its tokens once its answer says what they are (as MiMo's usage
counts them). On by default at the published figures; a test may set
others (`FakeMimo.minute.limits`), and a benchmark a shorter minute whose ratios it keeps
(`FakeMimo.minute.seconds`).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

PUBLISHED_ASR = (100, 10_000)
PUBLISHED_OTHERS = (100, 10_000_000)


@dataclass
class Admitted:
    """One request let through: when it came, and the tokens its answer said it counted."""

    model: str
    at: float
    tokens: int = 0


@dataclass
class MinuteRule:
    """The account's minute (module docstring). `enforced=False`: every request is let
    through and still counted, to see what an unpaced client would have met."""

    seconds: float = 60.0
    asr: tuple[int, int] = PUBLISHED_ASR  # (requests, tokens) a minute of speech recognition
    others: tuple[int, int] = PUBLISHED_OTHERS  # ...and of each other model
    limits: dict[str, tuple[int, int]] = field(default_factory=dict)  # by model id
    enforced: bool = True
    clock: Callable[[], float] = time.monotonic
    refused: int = 0  # 429s answered for the minute
    would_refuse: int = 0  # requests over the minute let through because `enforced` is off
    counted: list[Admitted] = field(default_factory=list)  # every request let through, in order
    _recent: dict[str, deque[Admitted]] = field(default_factory=dict)

    def limit_of(self, model: str) -> tuple[int, int]:
        if model in self.limits:
            return self.limits[model]
        return self.asr if "asr" in model else self.others

    def admit(self, model: str) -> Admitted | float:
        """The request counted, or the seconds to wait (`Retry-After`) when its minute is full."""
        now = self.clock()
        recent = self._recent.setdefault(model, deque())
        while recent and recent[0].at <= now - self.seconds:
            recent.popleft()
        requests, tokens = self.limit_of(model)
        full = len(recent) >= requests or sum(c.tokens for c in recent) >= tokens
        if full and self.enforced:
            self.refused += 1
            # Whole seconds of MiMo's minute: of a shortened one's, shortened with it.
            second = self.seconds / 60
            left = recent[0].at + self.seconds - now if recent else 0.0
            return max(1, math.ceil(left / second)) * second
        self.would_refuse += full
        counted = Admitted(model, now)
        recent.append(counted)
        self.counted.append(counted)
        return counted

    def used(self, model: str) -> tuple[int, int]:
        """Requests and tokens in `model`'s minute now."""
        now = self.clock()
        recent = [c for c in self._recent.get(model, ()) if c.at > now - self.seconds]
        return len(recent), sum(c.tokens for c in recent)
