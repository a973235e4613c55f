"""What a Discord claim stores to redo an interaction, and when a redone answer can still reach
the person (`bots.discord.claims_and_redo.crash_redo`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import discord

from bots.discord.claims_and_redo.crash_redo import (
    RawInteractions,
    can_redo,
    modal_target,
    redo_payload,
    stored_interaction,
)

SENT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
_numbers = count()


def event(kind: int, **data: Any) -> dict[str, Any]:
    """An interaction sent at SENT, with an id of its own."""
    return {
        "id": str(discord.utils.time_snowflake(SENT) + next(_numbers)),
        "type": kind,
        "data": data,
    }


def test_commands_and_modal_submissions_are_kept_until_claimed_and_others_are_not() -> None:
    parsed: list[dict[str, Any]] = []
    parsers: dict[str, Any] = {"INTERACTION_CREATE": parsed.append}
    raws = RawInteractions()
    raws.install(parsers)
    command, modal, autocomplete = event(2, name="say"), event(5), event(4, name="voice")
    for each in (command, modal, autocomplete):
        parsers["INTERACTION_CREATE"](each)

    assert parsed == [command, modal, autocomplete]  # discord.py still gets every event
    assert raws.take(int(command["id"])) == command
    assert raws.take(int(command["id"])) is None  # taken once, by its claim
    assert raws.take(int(modal["id"])) == modal
    assert raws.take(int(autocomplete["id"])) is None


def test_the_keep_is_bounded_so_interactions_never_claimed_do_not_pile_up() -> None:
    parsers: dict[str, Any] = {"INTERACTION_CREATE": lambda data: None}
    raws = RawInteractions(limit=3)
    raws.install(parsers)
    for number in range(1, 6):
        parsers["INTERACTION_CREATE"]({"id": str(number), "type": 2})

    assert [raws.take(number) is not None for number in range(1, 6)] == [
        False, False, True, True, True,
    ]  # fmt: skip


def test_a_stored_interaction_comes_back_with_its_privacy() -> None:
    data = event(2, name="usage")
    assert stored_interaction(redo_payload(data, private=True)) == (data, True)
    assert stored_interaction(redo_payload(data, private=False)) == (data, False)
    assert stored_interaction("message") is None  # a voice message's claim
    assert stored_interaction('{"update_id": 1}') is None


def test_a_public_answer_is_always_redone_a_private_one_only_while_its_token_lasts() -> None:
    data = event(2, name="say")
    hour_later = SENT + timedelta(hours=1)
    assert can_redo(data, private=False, now=hour_later)  # the channel hears it, as a reply
    assert can_redo(data, private=True, now=SENT + timedelta(minutes=5))
    assert not can_redo(data, private=True, now=SENT + timedelta(minutes=11))


def test_a_modal_submission_names_the_message_it_is_about() -> None:
    ours = event(5, custom_id="voicebridge:ask:111:222:333")
    assert modal_target(ours) == ("ask", 111, 222)
    assert modal_target(event(5, custom_id="3f2a9c1b")) is None  # discord.py's random ids
    assert modal_target(event(5, custom_id="voicebridge:ask:111:x:333")) is None
