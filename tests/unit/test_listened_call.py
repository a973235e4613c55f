"""A listened call's life (`ListenedCall`): each change of its state made by its own methods and
logged once, at INFO, with why where it ends; a second way that asks for its end is noted, not
logged as a change again."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from core.app.calls.listened_call import CallState, ListenedCall
from core.domain.limits import asked_by
from core.domain.mandates import Mandate
from core.domain.values import ChatRef
from tests.fakes import KeptLines

SERVER = ChatRef("discord", "guild:1")
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def changes(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "core.app.calls.listened_call" and record.levelno == logging.INFO
    ]


async def test_each_change_of_a_calls_state_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="core.app.calls.listened_call")
    call = ListenedCall(SERVER, set(), T0, "ann", asked_by("ann"))
    call.begin({"ann"}, Mandate(SERVER), language="en", present=["ann", "bob"], now=T0)
    call.joined()
    call.joined()  # live already: no change
    assert call.goes(CallState.ENDING, "stopped by a command")
    assert not call.goes(CallState.SUSPENDING, "the bot is stopping")  # noted, not taken
    assert call.closing()
    await call.close(KeptLines(), at=T0, whole=True)  # type: ignore[arg-type]

    assert changes(caplog) == [
        f"the call in {SERVER} is starting",
        f"the call in {SERVER} is live (was starting)",
        f"the call in {SERVER} is ending (was live): stopped by a command",
        f"the call in {SERVER} is closing (was ending)",
        f"the call in {SERVER} is gone (was closing)",
    ]
    assert call.state is CallState.GONE
    assert call.why_ended == ["stopped by a command", "the bot is stopping"]
    assert call.whole.is_set()
