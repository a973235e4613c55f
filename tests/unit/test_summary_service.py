"""Rules of the summary service that need no database: window bounds and what is never logged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.app.memory.forgetting import ForgetRequest, Forgetting
from core.app.rules.outgoing_check import Leaving
from core.app.summaries.chat_summaries import SummaryService
from core.domain import errors
from core.domain.shared_values import ChatRef
from core.domain.summaries.summary_values import ChatMessage
from core.domain.summaries.summary_windows import (
    LastDuration,
    LastMessages,
    SinceLastSummary,
    window_bounds,
)

NOW = datetime(2026, 11, 21, 18, 0, tzinfo=UTC)
CHAT = ChatRef("telegram", "-100")


def test_window_bounds() -> None:
    last = NOW - timedelta(hours=3)
    assert window_bounds(SinceLastSummary(), last, NOW) == (last, None)
    assert window_bounds(SinceLastSummary(), None, NOW) == (NOW - timedelta(hours=24), None)
    assert window_bounds(LastDuration(timedelta(hours=2)), last, NOW) == (
        NOW - timedelta(hours=2),
        None,
    )
    assert window_bounds(LastMessages(200), last, NOW) == (None, 200)


class BrokenUnitOfWork:
    """A database that fails on first use."""

    entered = 0

    async def __aenter__(self) -> Any:
        BrokenUnitOfWork.entered += 1
        raise ConnectionError("database unreachable")

    async def __aexit__(self, *exc: object) -> None:
        return None


def service() -> SummaryService:
    return SummaryService(
        uow=BrokenUnitOfWork,  # type: ignore[arg-type]
        chat_api=None,  # type: ignore[arg-type]
        limiter=None,  # type: ignore[arg-type]
        speech=None,  # type: ignore[arg-type]
        clock=None,  # type: ignore[arg-type]
        leaving=Leaving(None),
    )


def message_saying(text: str) -> ChatMessage:
    return ChatMessage(chat=CHAT, message_id="1", author="A", sent_at=NOW, text=text)


@pytest.mark.parametrize("text", ["", "   ", "/summary 2h", "  /forget"])
async def test_commands_and_empty_text_are_never_logged(text: str) -> None:
    BrokenUnitOfWork.entered = 0
    assert await service().record(message_saying(text)) is False
    assert BrokenUnitOfWork.entered == 0  # not even looked up


async def test_a_storage_failure_while_logging_is_not_an_error_for_the_chat(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert await service().record(message_saying("hello")) is False
    assert "could not log a message" in caplog.text


async def test_only_administrators_forget_or_switch_logging() -> None:
    with pytest.raises(errors.AdminsOnly) as forget:
        await Forgetting(uow=BrokenUnitOfWork, clock=None).forget(  # type: ignore[arg-type]
            ForgetRequest(CHAT, can_manage=False)
        )
    with pytest.raises(errors.AdminsOnly) as off:
        await service().set_logging(CHAT, False, can_manage=False)
    assert (forget.value.params, off.value.params) == (
        {"command": "forget"},
        {"command": "summary off"},
    )
