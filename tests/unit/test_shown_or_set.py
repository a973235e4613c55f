"""A setting's command on every platform (`core.app.rules.chat_settings.shown_or_set`): without a
value it shows what holds and asks nobody's permission (on Telegram that is a request); with
one it is set, by whoever is allowed."""

from __future__ import annotations

import pytest

from core.app.rules.chat_settings import shown_or_set
from core.domain import errors
from core.domain.shared_values import ChatRef

CHAT = ChatRef("telegram", "-100")


async def test_without_a_value_it_shows_what_holds_and_asks_no_permission() -> None:
    asked: list[str] = []

    async def allowed() -> bool:
        asked.append("asked")
        return False

    async def change(chat: ChatRef, value: str, *, can_manage: bool) -> str:
        raise AssertionError("nothing is set")

    assert await shown_or_set(CHAT, "", shown="en", change=change, allowed=allowed) == "en"
    assert await shown_or_set(CHAT, None, shown="en", change=change, allowed=allowed) == "en"
    assert asked == []


async def test_with_a_value_it_is_set_by_whoever_is_allowed() -> None:
    async def change(chat: ChatRef, value: str, *, can_manage: bool) -> str:
        if not can_manage:
            raise errors.AdminsOnly()
        return value.upper()

    async def allowed() -> bool:
        return True

    assert await shown_or_set(CHAT, "de", shown="en", change=change, allowed=allowed) == "DE"
    assert await shown_or_set(CHAT, "de", shown="en", change=change, allowed=True) == "DE"
    with pytest.raises(errors.AdminsOnly):
        await shown_or_set(CHAT, "de", shown="en", change=change, allowed=False)
