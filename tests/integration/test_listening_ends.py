"""When a listened call ends, decided in the core (`core.app.listening.live_transcription`,
`core.app.listening.listened_call`, on the real database): through the adapter's own end (`on_end`)
once the last member it transcribes leaves, once nobody is left, once nothing is heard for
`idle_seconds`; and who may stop it, the reading's rule (`core.app.voice_calls.seats.may_stop`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from core.app.listening.live_transcription import Listening
from core.app.rules.request_slots import RequestGate
from core.domain import errors
from core.infra.storage import SqlAlchemyUnitOfWork
from tests.integration.test_listening_pieces import SERVER, HeldSpeech, listening_held


class Ends:
    """The adapter's end: counted, and the core's `end` called as the adapter's does."""

    def __init__(self, listening: Listening) -> None:
        self.listening = listening
        self.count = 0
        self.done = asyncio.Event()

    async def __call__(self, why: str) -> None:
        self.count += 1
        await self.listening.end(SERVER)
        self.done.set()


async def listening_begun(
    uow: Callable[[], SqlAlchemyUnitOfWork], present: list[str], *, idle: float = 600.0
) -> tuple[Listening, Ends]:
    listening = listening_held(uow, HeldSpeech(), RequestGate(total=8, per_chat=4))
    listening.idle_seconds = idle
    await listening.consents.decide(SERVER, "ann", True)
    ends = Ends(listening)
    await listening.begin(SERVER, present, channel="5", starter="ann", on_end=ends)
    listening.joined(SERVER)
    return listening, ends


async def test_the_call_ends_once_the_last_member_it_transcribes_leaves(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
) -> None:
    listening, ends = await listening_begun(uow_factory, ["ann", "bob"])
    await listening.changed(SERVER, ["ann"], left=True)  # Bob left: Ann, transcribed, stays
    assert listening.listening(SERVER)
    await listening.changed(SERVER, ["bob"], left=True)  # Ann left: Bob never said yes
    assert ends.count == 1
    assert not listening.listening(SERVER)


async def test_the_call_ends_once_nobody_is_left_and_only_once(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
) -> None:
    listening, ends = await listening_begun(uow_factory, ["ann"])
    await asyncio.gather(listening.changed(SERVER, [], left=True), listening.taken_out(SERVER))
    assert ends.count == 1
    assert not listening.listening(SERVER)


async def test_the_call_ends_once_nothing_is_heard_for_the_idle_time(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
) -> None:
    listening, ends = await listening_begun(uow_factory, ["ann"], idle=0.05)
    await asyncio.wait_for(ends.done.wait(), 10)
    assert ends.count == 1
    assert not listening.listening(SERVER)


@pytest.mark.parametrize(
    ("member", "present", "moderator", "allowed"),
    [
        ("ann", ["ann", "bob"], False, True),
        ("bob", ["ann", "bob"], False, False),
        ("bob", ["ann", "bob"], True, True),
        ("bob", ["bob"], False, True),
    ],
)
async def test_the_starter_a_moderator_or_anyone_once_she_left_may_stop_it(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
    member: str,
    present: list[str],
    moderator: bool,
    allowed: bool,
) -> None:
    listening, _ = await listening_begun(uow_factory, ["ann", "bob"])
    try:
        listening.stoppable_by(SERVER, member, present=present, moderator=moderator)
    except errors.NotYourListening:
        assert not allowed
    else:
        assert allowed
    await listening.end(SERVER)
    with pytest.raises(errors.NotListening):
        listening.stoppable_by(SERVER, member, present=present, moderator=moderator)
