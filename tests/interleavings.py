"""Races tested on purpose, not by luck: a flow run one step at a time, and something injected at
each of its steps one by one (a `/forget`, a no, a deletion), to check a promise once it ends.

A step is a moment the flow waits on the world outside it:
    database  one of its units of work about to open: a write, a read (what an answer is made
              from, the read before a write), or the look at what it read as it leaves
    MiMo      one of its requests, arrived at MiMo's stand-in, which holds it for the step
    fetch     a recording being fetched, where the test's flow says so (`Steps.fetched`)
    platform  the platform's stand-in doing what the flow asked of it, where the test's stand-in
              says so (`Steps.platform`: a clip played in a voice channel)
    send      what the flow made handed to the platform to send, where the test's adapter
              says so (`Steps.sent`): a landing there comes as the message is on its way

`Steps.walk(flow, injections, check)` runs the flow once untouched to count and name its steps,
then once per step and injection: at that step the flow waits while the injection runs to its
end (in a context of its own, so that its own units of work are no steps), then goes on; once
the flow is over, `check` looks at what was kept and what MiMo heard. Every step is tried, not
a sample, and a broken promise names its step and injection:

    steps = Steps(mimo)  # with the `stepped` fixture, which makes units of work steps
    await steps.walk(run_the_import, {"a forget here": forget, ...}, check)

Only the flow's own tasks, and the tasks they start, are paused (a context variable they
inherit). A flow must take the same steps in the same order when nothing is injected: one
request at a time (ASR_MAX_IN_FLIGHT=1), no beat of its own firing meanwhile.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from core.infra.storage import SqlAlchemyUnitOfWork
from tests.standins.mimo import FakeMimo, Json

Injection = Callable[[], Awaitable[None]]

# Reads made again once a cache is some seconds old: taken or not by the clock, they are no
# steps (a step the flow takes only sometimes would shift the count of every step after it).
BY_THE_CLOCK = {"KeptServers.may_have_kept"}

_walking: contextvars.ContextVar[Run | None] = contextvars.ContextVar("walking", default=None)


@dataclass
class Run:
    """One run of a flow: its steps so far, and the injection due at step `at` (None: none)."""

    at: int | None = None
    inject: Injection | None = None
    steps: list[str] = field(default_factory=list)
    requests_before: int | None = None  # MiMo's requests once the injection was over
    mimo: FakeMimo | None = None  # set by `Steps.run`
    holding: Callable[[], bool] | None = None  # set by `Steps.run`
    injecting: asyncio.Task[None] | None = None

    async def step(self, name: str) -> None:
        self.steps.append(name)
        if len(self.steps) != self.at or self.inject is None:
            return
        apart = contextvars.copy_context()  # the injection's own units of work are no steps
        apart.run(_walking.set, None)
        self.injecting = asyncio.get_running_loop().create_task(self._injected(), context=apart)
        if self.holding is not None and self.holding():
            return  # what the injection waits for is the flow's: it lands as the flow lets go
        # Shielded: the injection may cancel the very task it paused (a /forget ends the work
        # it finds running), which then ends as it would have, and the injection goes on.
        await asyncio.shield(self.injecting)

    async def _injected(self) -> None:
        assert self.inject is not None
        await self.inject()
        self.requests_before = len(self.mimo.requests) if self.mimo else 0

    @property
    def injected(self) -> bool:
        return self.requests_before is not None

    def where(self) -> str:
        return f"step {self.at} of {len(self.steps)} ({self.steps[self.at - 1]})" if self.at else ""

    def landed_between(self, read: str, send: str = "send: ") -> bool:
        """Whether the injection landed after the flow's first step named `read...` (a read
        of what it makes an answer from) and before its first `send...` step: what went away
        then must not reach the chat. The injection runs while the flow waits at its step: a
        landing at the read comes before it, one at the send as the message is on its way. A
        run that never read landed before it; one that never sent, before its send."""

        def first(prefix: str) -> int | None:
            return next(
                (n for n, name in enumerate(self.steps, 1) if name.startswith(prefix)), None
            )

        read_at, sent_at = first(read), first(send)
        at = self.at or 0
        return read_at is not None and read_at < at and (sent_at is None or at < sent_at)


@dataclass(frozen=True)
class Outcome:
    """What one run left: its run, and MiMo's requests that arrived after its injection."""

    run: Run
    after: list[Json]


class Steps:
    """Walks flows step by step against MiMo's stand-in `mimo` (module docstring)."""

    def __init__(self, mimo: FakeMimo) -> None:
        self.mimo = mimo
        # A walk runs its flow once per step and injection against this one stand-in, each run
        # on a bot of its own that knows nothing of the runs before it: MiMo's minute would
        # fill with theirs. What is walked is the promises, not the minute: it is raised.
        mimo.minute.asr = mimo.minute.others = (1_000_000, 1_000_000_000)

    async def run(
        self,
        flow: Callable[[], Awaitable[Any]],
        run: Run,
        holding: Callable[[], bool] | None = None,
    ) -> Outcome:
        """`flow` once, stepped by `run`; what MiMo heard after its injection. `holding`: True
        while the flow holds what an injection may wait for (a lock of its own), at a step:
        the flow then goes on at once, and the injection lands once it is let go."""
        run.mimo, run.holding = self.mimo, holding
        token = _walking.set(run)
        self.mimo.before_answer = lambda body: run.step(_named(body))
        try:
            await flow()
        finally:
            self.mimo.before_answer = None
            _walking.reset(token)
            if run.injecting is not None:
                await run.injecting
        after = self.mimo.requests[run.requests_before :] if run.injected else []
        return Outcome(run, after)

    async def walk(
        self,
        flow: Callable[[], Awaitable[Any]],
        injections: Mapping[str, Injection],
        check: Callable[[str, Outcome], Awaitable[None]],
        *,
        ready: Callable[[], Awaitable[None]] | None = None,
        holding: Callable[[], bool] | None = None,
    ) -> list[str]:
        """Every step of `flow` with every one of `injections` (module docstring); `ready`
        sets up each run afresh first (a new chat, say); `holding`: as for `run`. The steps,
        named, of the untouched run."""
        if ready is not None:
            await ready()
        untouched = (await self.run(flow, Run())).run.steps
        assert untouched, "the flow took no step: nothing to inject between"
        for at in range(1, len(untouched) + 1):
            for what, inject in injections.items():
                if ready is not None:
                    await ready()
                outcome = await self.run(flow, Run(at, inject), holding)
                assert outcome.run.injected, f"{what}: the run never reached step {at}"
                try:
                    await check(what, outcome)
                except AssertionError as broken:
                    taken = "\n".join(outcome.run.steps)
                    said = f"{what} at {outcome.run.where()}: {broken}\nits steps:\n{taken}"
                    raise AssertionError(said) from None
        return untouched

    @staticmethod
    async def fetched(name: str) -> None:
        """A step where the flow fetches a recording (its `locate`), named `name`."""
        run = _walking.get()
        if run is not None:
            await run.step(f"fetch: {name}")

    @staticmethod
    async def sent(name: str) -> None:
        """A step where the flow hands what it made (an answer, a summary, a transcript) to
        the platform to send, named `name`: the last of a flow that reads, then sends."""
        run = _walking.get()
        if run is not None:
            await run.step(f"send: {name}")

    @staticmethod
    async def platform(name: str) -> None:
        """A step where the platform's stand-in does what the flow asked of it (plays a clip in
        a voice channel, say), named `name`."""
        run = _walking.get()
        if run is not None:
            await run.step(f"platform: {name}")


@pytest.fixture
def stepped(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Units of work opened by a flow `Steps` walks are steps: each waits, as it is about to
    begin, for whatever is injected there. The unit of work itself runs as it always does."""
    begin = SqlAlchemyUnitOfWork.__aenter__

    async def entered(self: SqlAlchemyUnitOfWork) -> SqlAlchemyUnitOfWork:
        run = _walking.get()
        opener = sys._getframe(1).f_code.co_qualname
        if run is not None and opener not in BY_THE_CLOCK:
            await run.step(f"database: {opener}")
        return await begin(self)

    monkeypatch.setattr(SqlAlchemyUnitOfWork, "__aenter__", entered)
    yield


def _named(body: Json) -> str:
    return f"MiMo: {body.get('model', '?')}"
