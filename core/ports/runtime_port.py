"""What every use case may ask of the running process: `Metrics` (counted by
`core.infra.prometheus_metrics.PrometheusMetrics`) and the `Clock`. Their plain versions,
`NoMetrics` and `SystemClock`, need only the standard library, so they live beside their ports.

Time is a `Clock`: the summaries, the digest scheduler and retention all ask it. Tests hand in a
manual clock and move it forward instead of sleeping, so "the digest fires at 18:00" and
"messages older than 7 days are deleted" are tested without waiting for either."""

from __future__ import annotations

import asyncio
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import Literal, Protocol

__all__ = [
    "CAPABILITIES",
    "NO_METRICS",
    "READING_OUTCOMES",
    "Capability",
    "Clock",
    "Metrics",
    "NoMetrics",
    "ReadingOutcome",
    "SystemClock",
]

Capability = Literal["transcribe", "say", "ask", "summary"]
CAPABILITIES: tuple[Capability, ...] = ("transcribe", "say", "ask", "summary")
# What became of a message a channel reading heard: read aloud, dropped from a full queue,
# withheld because someone listening may not read it, or deleted by its author before it came up.
ReadingOutcome = Literal["read", "dropped", "withheld", "deleted"]
READING_OUTCOMES: tuple[ReadingOutcome, ...] = ("read", "dropped", "withheld", "deleted")


class Metrics(Protocol):
    """What the bot did, for `/metrics` (`core.infra.prometheus_metrics.PrometheusMetrics`):
    requests of each capability and how they ended, audio heard, MiMo calls and how they failed."""

    def request(self, capability: Capability) -> AbstractContextManager[None]:
        """Count one request of `capability` and how it ended, while it is in progress."""
        ...

    def transcribed(self, seconds: float) -> None:
        """`seconds` of audio were transcribed."""
        ...

    def mimo_call(self) -> AbstractContextManager[None]:
        """Time one MiMo call (all its attempts) and count how it failed, if it did."""
        ...

    def readings_running(self, change: int) -> None:
        """A channel reading started (+1) or ended (-1)."""
        ...

    def reading_message(self, outcome: ReadingOutcome, *, seconds: float = 0.0) -> None:
        """A message a reading heard, and what became of it (`seconds` of it spoken)."""
        ...

    def background_failed(self, task: str) -> None:
        """A task the process ran on its own (`core.ports.background_tasks`), named `task`,
        failed."""
        ...


class NoMetrics:
    """Metrics that count nothing: for parts built without a runtime (unit tests, the command
    line)."""

    def request(self, capability: Capability) -> AbstractContextManager[None]:
        return nullcontext()

    def transcribed(self, seconds: float) -> None:
        return None

    def mimo_call(self) -> AbstractContextManager[None]:
        return nullcontext()

    def readings_running(self, change: int) -> None:
        return None

    def reading_message(self, outcome: ReadingOutcome, *, seconds: float = 0.0) -> None:
        return None

    def background_failed(self, task: str) -> None:
        return None


NO_METRICS: Metrics = NoMetrics()


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait until `seconds` of this clock's time have passed."""
        ...


class SystemClock:
    """The machine's clock, in UTC: the real `Clock`. The standard library is all it needs, so it
    lives beside its port, where a use case built without a clock (`Limiter.off()`) finds it."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
