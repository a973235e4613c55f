"""How a listened call cuts its turns (`ListenedCall.pieces`): sooner as `/listen` comes,
the cheaper way where `cheaper:True` was asked, and while every one of its slots at MiMo is
taken (MiMo falls behind), until one is free again."""

from __future__ import annotations

from datetime import UTC, datetime

from core.app.calls.call import IN_FLIGHT, ListenAsked, ListenedCall
from core.domain.limits import asked_by
from core.domain.live_speech import CHEAPER, SOONER
from core.domain.values import ChatRef

SERVER = ChatRef("discord", "guild:1")


def call(*, cheaper: bool = False) -> ListenedCall:
    listened = ListenedCall(SERVER, set(), datetime(2026, 11, 27, tzinfo=UTC), "ann",
                            asked_by("ann"))  # fmt: skip
    listened.asked = ListenAsked(SERVER, "lounge", "ann", "en", cheaper=cheaper)
    return listened


async def test_a_call_cuts_sooner_unless_asked_cheaper_or_behind_at_mimo() -> None:
    sooner, cheaper = call(), call(cheaper=True)
    assert sooner.pieces == SOONER and cheaper.pieces == CHEAPER
    for _ in range(IN_FLIGHT):
        await sooner.slots.acquire()  # every piece it may have at MiMo is there
    assert sooner.pieces == CHEAPER
    sooner.slots.release()  # one answered: sooner again
    assert sooner.pieces == SOONER
