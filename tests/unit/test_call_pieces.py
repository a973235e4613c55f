"""How a listened call cuts its turns (`ListenedCall.pieces`): sooner as `/listen` comes,
the cheaper way where `cheaper:True` was asked, and while every one of its slots at MiMo is
taken (MiMo falls behind), until one is free again; and how its pieces make a turn's line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.app.listening.listened_call import IN_FLIGHT, ListenAsked, ListenedCall
from core.domain.listening.live_speech_rules import CHEAPER, SOONER, Piece
from core.domain.rules.quotas_rules import asked_by
from core.domain.shared_values import ChatRef
from tests.fakes import KeptLines

SERVER = ChatRef("discord", "guild:1")
RATE = 16_000


def call(*, cheaper: bool = False, consenting: frozenset[str] = frozenset()) -> ListenedCall:
    asked = ListenAsked(SERVER, "lounge", "ann", "en", cheaper=cheaper)
    return ListenedCall(SERVER, set(consenting), datetime(2026, 11, 27, tzinfo=UTC), "ann",
                        asked_by("ann"), asked=asked)  # fmt: skip


async def test_a_call_cuts_sooner_unless_asked_cheaper_or_behind_at_mimo() -> None:
    sooner, cheaper = call(), call(cheaper=True)
    assert sooner.pieces == SOONER and cheaper.pieces == CHEAPER
    for _ in range(IN_FLIGHT):
        await sooner.slots.acquire()  # every piece it may have at MiMo is there
    assert sooner.pieces == CHEAPER
    sooner.slots.release()  # one answered: sooner again
    assert sooner.pieces == SOONER


async def test_a_turns_line_spans_its_sound_pauses_between_pieces_included() -> None:
    """Ann says 0.5 s, stops for 0.4 s (her client sends nothing: no piece holds that pause),
    then 0.5 s more: her line lasts 1.4 s, not the 1.0 s of sound sent."""
    listened, kept = call(consenting=frozenset({"ann"})), KeptLines()
    began = listened.started_at + timedelta(seconds=3)
    half_a_second = bytes(2 * RATE // 2)
    for index, (start, words) in enumerate([(0.0, "Shall we"), (0.9, "start?")]):
        piece = Piece("ann", "Ann", half_a_second, RATE, began + timedelta(seconds=start),
                      turn=began, index=index, last=index == 1)  # fmt: skip
        await listened.answered(kept, piece, words)  # type: ignore[arg-type]
    [line] = kept.parts
    assert (line.start, line.end, line.text) == (3.0, 4.4, "Shall we start?")
