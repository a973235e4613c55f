"""A no said while `/listen` starts (`core.app.listening.live_transcription.Listening`, on the real
database): it holds for the whole call, whichever moment of the start it lands at. The moments are
made to happen in order by holding the database's answers (`Held`), never by waiting for a while.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from core.app.listening.live_transcription import Listening
from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.app.rules.chat_settings import ChatPreferences
from core.app.rules.limits import Limiter
from core.app.rules.request_slots import RequestGate
from core.domain.rules.quotas_rules import RequestLimits
from core.domain.shared_values import ChatRef
from core.infra.storage import SqlAlchemyUnitOfWork
from core.ports import SystemClock
from tests.fakes import DEFAULT_TTS_MODEL, FakeAudio, FakeSpeech, NoChat

SERVER = ChatRef("discord", "guild:1")
LIMITS = RequestLimits()  # the gate's, as the bot's defaults


class Held:
    """The real units of work, one of them held until the test lets it go on: the next one to
    be opened, before it begins (`save`: a no on its way to the database), or the next that
    reads the server's consents, once it is closed (`read`: the consents read, not yet
    followed by the call)."""

    def __init__(self, real: Callable[[], SqlAlchemyUnitOfWork], what: str) -> None:
        self._real, self.what = real, what
        self.reached, self.go = asyncio.Event(), asyncio.Event()

    def __call__(self) -> _HeldUnit:
        return _HeldUnit(self._real(), self)

    async def hold(self) -> None:
        self.what = ""  # once
        self.reached.set()
        await self.go.wait()


class _HeldUnit:
    def __init__(self, real: SqlAlchemyUnitOfWork, held: Held) -> None:
        self._real, self._held = real, held
        self.read = False

    async def __aenter__(self) -> _HeldUnit:
        if self._held.what == "save":
            await self._held.hold()
        await self._real.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._real.__aexit__(*exc)
        if self.read and self._held.what == "read":
            await self._held.hold()

    async def commit(self) -> None:
        await self._real.commit()

    @property
    def listening_consents(self) -> _HeldConsents:
        return _HeldConsents(self._real.listening_consents, self)

    @property
    def mandates(self) -> Any:
        return self._real.mandates


class _HeldConsents:
    def __init__(self, real: Any, unit: _HeldUnit) -> None:
        self._real, self._unit = real, unit

    async def consenting(self, chat: ChatRef) -> set[str]:
        self._unit.read = True
        found: set[str] = await self._real.consenting(chat)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def listening_on(uow: Callable[[], Any], real: Callable[[], SqlAlchemyUnitOfWork]) -> Listening:
    clock = SystemClock()
    return Listening(
        uow=uow, speech=FakeSpeech(), chat_api=NoChat(), audio=FakeAudio(),
        preferences=ChatPreferences(uow=real, default_tts_model=DEFAULT_TTS_MODEL),
        limiter=Limiter.off(), keeper=TranscriptKeeper(uow=real, clock=clock), clock=clock,
        gate=RequestGate(total=LIMITS.asr_max_in_flight, per_chat=LIMITS.asr_concurrency),
    )  # fmt: skip


async def test_a_no_said_after_listening_read_the_consents_holds_for_the_call(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
) -> None:
    held = Held(uow_factory, "read")
    await listening_on(uow_factory, uow_factory).consents.decide(SERVER, "ann", True)
    listening = listening_on(held, uow_factory)
    starting = asyncio.create_task(listening.begin(SERVER, ["ann"], channel="7", starter="ann"))
    await held.reached.wait()  # her yes read, the call's live set not filled yet
    said = await listening.consents.decide(SERVER, "ann", False)
    held.go.set()
    roll = await starting

    assert said is False
    assert (roll.transcribed, roll.not_transcribed) == ([], ["ann"])
    assert not listening.admits(SERVER, "ann")


async def test_a_no_being_stored_as_listening_starts_holds_for_the_call(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
) -> None:
    await listening_on(uow_factory, uow_factory).consents.decide(SERVER, "ann", True)
    held = Held(uow_factory, "save")
    listening = listening_on(held, uow_factory)
    saying_no = asyncio.create_task(listening.consents.decide(SERVER, "ann", False))
    await held.reached.wait()  # her no on its way: the call reads her yes
    roll = await listening.begin(SERVER, ["ann"], channel="7", starter="ann")
    transcribed_at_start = listening.admits(SERVER, "ann")
    held.go.set()
    await saying_no

    assert roll.transcribed == ["ann"]  # as the database said when the call started
    assert transcribed_at_start
    assert not listening.admits(SERVER, "ann")  # and no more once her no is stored


async def test_a_no_said_while_a_yes_is_being_stored_wins_in_the_call_and_in_the_database(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
) -> None:
    """Two clicks a moment apart: the yes still on its way to the database when the no lands
    must not bring her back into the call, nor be what the database keeps."""
    held = Held(uow_factory, "")
    listening = listening_on(held, uow_factory)
    await listening.begin(SERVER, ["ann"], channel="7", starter="ann")
    held.what = "save"
    saying_yes = asyncio.create_task(listening.consents.decide(SERVER, "ann", True))
    await held.reached.wait()  # her yes on its way
    said = await listening.consents.decide(SERVER, "ann", False)
    held.go.set()
    await saying_yes

    async with uow_factory() as uow:
        kept = await uow.listening_consents.consenting(SERVER)
    assert said is False
    assert not listening.admits(SERVER, "ann")
    assert "ann" not in kept
