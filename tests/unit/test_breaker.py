"""The MiMo circuit breaker: opens after consecutive unwell calls, fails fast while open, lets one
trial through after the cooldown. Time is a clock the tests move by hand; nothing sleeps."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from core.chat.message_catalogue import text
from core.domain.errors import (
    MimoAuthError,
    MimoBadRequest,
    MimoBadResponse,
    MimoBalanceError,
    MimoCircuitOpen,
    MimoRateLimited,
    MimoUnavailable,
)
from core.domain.quantities import Duration
from core.infra.mimo import RetryPolicy
from core.infra.mimo.circuit_breaker import CircuitBreaker, State
from core.infra.mimo.http_transport import MimoWire

BREAKER_LOG = "core.infra.mimo.circuit_breaker"


class FakeClock:
    """Monotonic seconds that move only when a test (or the client's fake sleep) says so."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def breaker(fake_clock: FakeClock) -> CircuitBreaker:
    return CircuitBreaker(failures=3, cooldown=30.0, clock=fake_clock)


def fail(breaker: CircuitBreaker, error: Exception) -> None:
    """One call through the breaker that ends with `error`."""
    with pytest.raises(type(error)), breaker.call():
        raise error


def succeed(breaker: CircuitBreaker) -> bool:
    """One call through the breaker that gets an answer; whether it was let through."""
    ran = False
    with breaker.call():
        ran = True
    return ran


def open_it(breaker: CircuitBreaker) -> None:
    for _ in range(breaker.failures):
        fail(breaker, MimoUnavailable("MiMo answered 503"))
    assert breaker.state is State.OPEN


# --- closed --------------------------------------------------------------------------------------


def test_it_opens_after_the_threshold_of_consecutive_unwell_calls(breaker: CircuitBreaker) -> None:
    fail(breaker, MimoUnavailable("MiMo answered 500"))
    fail(breaker, MimoBadResponse("not JSON"))
    assert breaker.state is State.CLOSED
    fail(breaker, MimoUnavailable("MiMo did not answer in time"))

    assert breaker.state is State.OPEN


def test_an_answer_in_between_starts_the_count_again(breaker: CircuitBreaker) -> None:
    fail(breaker, MimoUnavailable("503"))
    fail(breaker, MimoUnavailable("503"))
    assert succeed(breaker)
    fail(breaker, MimoUnavailable("503"))
    fail(breaker, MimoUnavailable("503"))

    assert breaker.state is State.CLOSED


@pytest.mark.parametrize(
    "refusal",
    [
        MimoBadRequest("400", status=400),
        MimoAuthError("401", status=401),
        MimoBalanceError("402", status=402),
        MimoAuthError("403", status=403),
        MimoRateLimited("429", status=429),
    ],
)
def test_refusals_are_answers_not_faults(breaker: CircuitBreaker, refusal: Exception) -> None:
    for _ in range(breaker.failures * 2):
        fail(breaker, refusal)
    fail(breaker, MimoUnavailable("503"))
    fail(breaker, MimoUnavailable("503"))
    fail(breaker, refusal)  # MiMo answered: the two failures before it no longer count
    fail(breaker, MimoUnavailable("503"))
    fail(breaker, MimoUnavailable("503"))

    assert breaker.state is State.CLOSED


def test_a_cancelled_call_counts_for_nothing(breaker: CircuitBreaker) -> None:
    fail(breaker, MimoUnavailable("503"))
    fail(breaker, MimoUnavailable("503"))
    fail(breaker, asyncio.CancelledError())
    assert breaker.state is State.CLOSED
    fail(breaker, MimoUnavailable("503"))

    assert breaker.state is State.OPEN


def test_zero_failures_turns_the_breaker_off(fake_clock: FakeClock) -> None:
    breaker = CircuitBreaker(failures=0, cooldown=30.0, clock=fake_clock)
    for _ in range(20):
        fail(breaker, MimoUnavailable("503"))

    assert breaker.state is State.CLOSED
    assert succeed(breaker)


# --- open ----------------------------------------------------------------------------------------


def test_while_open_calls_fail_at_once_saying_when_to_try_again(
    breaker: CircuitBreaker, fake_clock: FakeClock
) -> None:
    open_it(breaker)
    fake_clock.now += 10.2
    ran = False
    with pytest.raises(MimoCircuitOpen) as refused, breaker.call():
        ran = True

    assert not ran
    assert isinstance(refused.value, MimoUnavailable)  # the adapters' existing handling applies
    assert refused.value.params == {"wait": Duration(20)}
    assert text(refused.value.key, "en", **refused.value.params) == (
        "The speech service (MiMo) is having trouble right now, so I am giving it a short "
        "break. Please try again in about 20 sec."
    )


def test_a_call_that_started_before_it_opened_does_not_close_it(
    breaker: CircuitBreaker, fake_clock: FakeClock
) -> None:
    with breaker.call():  # slow, still running while the others fail
        open_it(breaker)

    assert breaker.state is State.OPEN


# --- half-open -----------------------------------------------------------------------------------


def test_after_the_cooldown_one_trial_goes_through_and_its_answer_closes_it(
    breaker: CircuitBreaker, fake_clock: FakeClock
) -> None:
    open_it(breaker)
    fake_clock.now += 30.0
    assert breaker.state is State.HALF_OPEN

    # The trial (first), and while it runs, another call that must not go through.
    with breaker.call(), pytest.raises(MimoCircuitOpen), breaker.call():
        pytest.fail("a second call went through during the trial")

    assert breaker.state is State.CLOSED
    assert succeed(breaker)
    fail(breaker, MimoUnavailable("503"))
    assert breaker.state is State.CLOSED  # the count starts from zero again


def test_a_failed_trial_opens_it_for_another_cooldown(
    breaker: CircuitBreaker, fake_clock: FakeClock
) -> None:
    open_it(breaker)
    fake_clock.now += 31.0
    fail(breaker, MimoUnavailable("still 503"))

    assert breaker.state is State.OPEN
    fake_clock.now += 29.0
    with pytest.raises(MimoCircuitOpen) as refused, breaker.call():
        pass
    assert refused.value.params == {"wait": Duration(1)}
    fake_clock.now += 1.0
    assert succeed(breaker)
    assert breaker.state is State.CLOSED


def test_a_trial_that_ends_by_itself_lets_the_next_call_be_the_trial(
    breaker: CircuitBreaker, fake_clock: FakeClock
) -> None:
    open_it(breaker)
    fake_clock.now += 30.0
    fail(breaker, asyncio.CancelledError())

    assert breaker.state is State.HALF_OPEN
    assert succeed(breaker)
    assert breaker.state is State.CLOSED


def test_a_refusal_from_the_trial_closes_it(breaker: CircuitBreaker, fake_clock: FakeClock) -> None:
    open_it(breaker)
    fake_clock.now += 30.0
    fail(breaker, MimoAuthError("401", status=401))  # MiMo is up; the key is another matter

    assert breaker.state is State.CLOSED


# --- logging -------------------------------------------------------------------------------------


def test_state_changes_are_logged_once(
    breaker: CircuitBreaker, fake_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=BREAKER_LOG)
    open_it(breaker)
    for _ in range(5):
        with pytest.raises(MimoCircuitOpen), breaker.call():
            pass
    fake_clock.now += 30.0
    assert succeed(breaker)
    assert succeed(breaker)

    changes = [
        (r.levelname, r.getMessage())
        for r in caplog.records
        if r.name == BREAKER_LOG and r.levelno >= logging.INFO
    ]
    assert changes == [
        (
            "WARNING",
            "MiMo failed 3 calls in a row (last: MiMo answered 503); not calling it for 30 s",
        ),
        ("INFO", "MiMo answers again; calls go through as usual"),
    ]


# --- through the wire ---------------------------------------------------------------------------

BODY = {"model": "mimo-v2.6-flash", "messages": [{"role": "user", "content": "?"}]}


class Far:
    """MiMo at the far end of an httpx MockTransport: down (503) until `up` is set."""

    def __init__(self) -> None:
        self.up = False
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if not self.up:
            error = {"message": "overloaded", "code": "503"}
            return httpx.Response(503, json={"error": error})
        if json.loads(request.content).get("stream"):
            chunk = {"choices": [{"index": 0, "delta": {"content": "back"}}]}
            body = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n"
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, text=body)
        return httpx.Response(200, json={"choices": [{"index": 0, "message": {"content": "back"}}]})


Connect = Callable[[Callable[[httpx.Request], httpx.Response]], MimoWire]


@pytest.fixture
async def connect_wire(fake_clock: FakeClock) -> AsyncIterator[Connect]:
    """A wire (two retries, a breaker of 3 failures and 30 s) to the given far end."""
    clients: list[httpx.AsyncClient] = []

    def connect(far: Callable[[httpx.Request], httpx.Response]) -> MimoWire:
        http = httpx.AsyncClient(transport=httpx.MockTransport(far))
        clients.append(http)
        return MimoWire(
            http=http,
            api_key="sk-test",
            base_url="https://mimo.test/v1",
            max_retries=2,
            retry_policy=RetryPolicy(sleep=fake_clock.sleep, clock=fake_clock),
            breaker=CircuitBreaker(failures=3, cooldown=30.0, clock=fake_clock),
        )

    yield connect
    for http in clients:
        await http.aclose()


async def streamed(wire: MimoWire) -> list[Any]:
    return [chunk async for chunk in wire.stream({**BODY, "stream": True})]


async def test_mimo_down_costs_the_threshold_of_calls_then_nothing_until_the_cooldown(
    connect_wire: Connect, fake_clock: FakeClock
) -> None:
    far = Far()
    wire = connect_wire(far)
    for _ in range(3):
        with pytest.raises(MimoUnavailable) as failed:
            await wire.post(BODY)
        assert not isinstance(failed.value, MimoCircuitOpen)
    assert far.requests == 3 * 3  # each call: the first try and two retries

    for _ in range(10):
        with pytest.raises(MimoCircuitOpen):
            await wire.post(BODY)
        with pytest.raises(MimoCircuitOpen):
            await streamed(wire)
    assert far.requests == 9  # nothing sent while open

    far.up = True
    fake_clock.now += (
        31.0  # past the cooldown: exactly 30 s on top of jittered waits can round short
    )
    assert (await wire.post(BODY))["choices"]  # the trial
    assert len(await streamed(wire)) == 1
    assert far.requests == 11


async def test_a_stream_that_breaks_counts_as_unwell(connect_wire: Connect) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("peer closed connection")

    wire = connect_wire(broken)
    for _ in range(3):
        with pytest.raises(MimoUnavailable):
            await streamed(wire)

    assert wire.breaker.state is State.OPEN


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, json={"choices": []}),
        httpx.Response(200, content=b""),
        httpx.Response(200, headers={"content-type": "text/event-stream"}, text=""),
        httpx.Response(
            200,
            headers={"content-type": "text/event-stream"},
            text='data: {"choices": [], "usage": {}}\n\ndata: [DONE]\n\n',
        ),
    ],
    ids=["no-choices", "empty-body", "empty-stream", "stream-without-choices"],
)
async def test_empty_answers_are_bad_responses_that_count_as_unwell(
    connect_wire: Connect, answer: httpx.Response
) -> None:
    wire = connect_wire(lambda request: answer)
    call = streamed if answer.headers.get("content-type") == "text/event-stream" else None
    for _ in range(3):
        with pytest.raises(MimoBadResponse):
            await (call(wire) if call else wire.post(BODY))

    with pytest.raises(MimoCircuitOpen):
        await wire.post(BODY)
