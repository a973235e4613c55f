"""A server's voice call (`core.app.voice_calls.seats`): the reading and the listening as two
occupants of one call, each with its seat, and the one rule of who may stop either."""

from __future__ import annotations

import pytest

from core.app.voice_calls.seats import SHARING, AfterLettingGo, CallSeats, Occupant, may_stop
from core.domain.shared_values import ChatRef

SERVER = ChatRef("discord", "guild:1")


@pytest.mark.parametrize(
    ("member", "starter_present", "moderator", "allowed"),
    [
        ("ann", True, False, True),  # the starter
        ("bob", True, False, False),  # someone else while she is there
        ("bob", True, True, True),  # a moderator
        ("bob", False, False, True),  # anyone once she has left
    ],
)
def test_the_starter_a_moderator_or_anyone_once_the_starter_left_may_stop(
    member: str, starter_present: bool, moderator: bool, allowed: bool
) -> None:
    stops = may_stop(member, starter="ann", starter_present=starter_present, moderator=moderator)
    assert stops is allowed


def test_the_reading_joins_deafened_and_the_listening_undeafened() -> None:
    assert Occupant.READING.joins_deaf
    assert not Occupant.LISTENING.joins_deaf


def test_the_other_occupant_comes_along_only_into_its_channel_with_a_client_that_listens() -> None:
    seats = CallSeats()
    assert not seats.may_come_along(SERVER, Occupant.LISTENING, same_channel=True, can_listen=True)
    seats.take(SERVER, Occupant.READING)
    assert seats.may_come_along(SERVER, Occupant.LISTENING, same_channel=True, can_listen=True)
    assert not seats.may_come_along(SERVER, Occupant.LISTENING, same_channel=False, can_listen=True)
    assert not seats.may_come_along(SERVER, Occupant.LISTENING, same_channel=True, can_listen=False)
    assert not seats.may_come_along(SERVER, Occupant.READING, same_channel=True, can_listen=True)


@pytest.mark.parametrize(
    ("first", "after_first", "after_both"),
    [
        (Occupant.LISTENING, AfterLettingGo.DEAFEN, AfterLettingGo.LEAVE),
        (Occupant.READING, AfterLettingGo.STAY, AfterLettingGo.LEAVE),
    ],
)
def test_the_call_is_deafened_again_when_the_reading_goes_on_alone_and_left_once_no_seat_is_taken(
    first: Occupant, after_first: AfterLettingGo, after_both: AfterLettingGo
) -> None:
    seats = CallSeats()
    seats.take(SERVER, Occupant.READING)
    seats.take(SERVER, Occupant.LISTENING)
    assert seats.let_go(SERVER, first) is after_first
    [other] = SHARING - {first}
    assert seats.let_go(SERVER, other) is after_both
    assert seats.occupants(SERVER) == frozenset()


def test_say_in_a_voice_channel_shares_the_call_with_nothing() -> None:
    seats = CallSeats()
    seats.take(SERVER, Occupant.READING)
    assert not seats.may_come_along(SERVER, Occupant.SAYING, same_channel=True, can_listen=True)
    saying = CallSeats()
    saying.take(SERVER, Occupant.SAYING)
    for occupant in SHARING:
        assert not saying.may_come_along(SERVER, occupant, same_channel=True, can_listen=True)
    assert saying.let_go(SERVER, Occupant.SAYING) is AfterLettingGo.LEAVE
