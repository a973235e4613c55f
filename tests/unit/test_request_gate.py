"""The process's speech requests in flight (`core.app.rules.request_slots.RequestGate`): never more
than its total, and a live caption's request ahead of the other work waiting when every slot is
taken."""

from __future__ import annotations

import asyncio

import pytest

from core.app.rules.request_slots import RequestGate
from core.domain.shared_values import ChatRef

NOTES = ChatRef("telegram", "1")
CALL = ChatRef("discord", "2")
OTHER_CALL = ChatRef("discord", "3")


async def settled() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_caption_takes_the_next_free_slot_ahead_of_the_voice_notes_waiting() -> None:
    gate = RequestGate(total=2, per_chat=4)
    order: list[str] = []
    await gate.acquire(NOTES)
    await gate.acquire(NOTES)  # every slot taken by a burst of voice notes

    async def request(chat: ChatRef, name: str, *, first: bool = False) -> None:
        await gate.acquire(chat, first=first)
        order.append(name)

    notes = [asyncio.create_task(request(NOTES, f"note {n}")) for n in range(2)]
    await settled()
    caption = asyncio.create_task(request(CALL, "caption", first=True))
    await settled()
    assert order == [] and gate.waiting == 3
    gate.release(NOTES)
    await settled()
    assert order == ["caption"]  # though the notes were waiting before it
    gate.release(NOTES)
    await settled()
    assert order == ["caption", "note 0"]
    await caption
    gate.release(CALL)
    await asyncio.gather(*notes)
    assert order == ["caption", "note 0", "note 1"]


async def test_many_calls_never_take_more_than_the_total() -> None:
    gate = RequestGate(total=3, per_chat=4)
    holding = 0
    most = 0

    async def caption(chat: ChatRef) -> None:
        nonlocal holding, most
        await gate.acquire(chat, first=True)
        holding += 1
        most = max(most, holding)
        await asyncio.sleep(0.001)
        holding -= 1
        gate.release(chat)

    await asyncio.gather(*(caption(c) for c in [CALL, OTHER_CALL] * 10))
    assert most == 3 and gate.waiting == 0


async def test_a_caption_given_up_while_waiting_loses_no_slot() -> None:
    gate = RequestGate(total=1, per_chat=4)
    await gate.acquire(NOTES)
    waiting = asyncio.create_task(gate.acquire(CALL, first=True))
    await settled()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    gate.release(NOTES)
    await asyncio.wait_for(gate.acquire(NOTES), 1)  # the slot is free again
    gate.release(NOTES)
    assert gate.waiting == 0


async def test_a_slot_handed_to_a_request_cancelled_meanwhile_goes_to_the_next() -> None:
    gate = RequestGate(total=1, per_chat=4)
    await gate.acquire(NOTES)
    first = asyncio.create_task(gate.acquire(CALL, first=True))
    second = asyncio.create_task(gate.acquire(OTHER_CALL))
    await settled()
    gate.release(NOTES)  # handed to the caption...
    first.cancel()  # ...which gives up before it runs
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 1)
    gate.release(OTHER_CALL)


async def test_an_import_leaves_a_slot_free_and_live_work_goes_ahead_of_it() -> None:
    gate = RequestGate(total=3, per_chat=1)
    order: list[str] = []

    async def request(chat: ChatRef, name: str, *, last: bool = False) -> None:
        await gate.acquire(chat, last=last)
        order.append(name)

    imported = [asyncio.create_task(request(NOTES, f"past {n}", last=True)) for n in range(4)]
    await settled()
    assert order == ["past 0", "past 1"]  # beyond its chat's one live slot, and one left free
    note = asyncio.create_task(request(NOTES, "note"))  # the same chat's live voice note
    await settled()
    assert order == ["past 0", "past 1", "note"]  # at once: the import left it a slot
    other = asyncio.create_task(request(CALL, "other"))
    await settled()
    gate.release(NOTES, last=True)
    await settled()
    assert order[-1] == "other"  # the live request waiting went before the import's next
    gate.release(NOTES)  # the note done: a slot free, and one more stays free
    await settled()
    assert order[-1] == "other"
    gate.release(CALL)
    await settled()
    assert order[-1] == "past 2"
    for task in imported[3:]:
        task.cancel()
    await asyncio.gather(note, other, *imported[:3])


async def test_a_request_waiting_for_the_minute_sets_its_slot_aside_for_a_caption() -> None:
    gate = RequestGate(total=1, per_chat=4)
    order: list[str] = []
    await gate.acquire(NOTES)  # the only slot, held by a note that waits for the minute
    aside = gate.aside()
    await aside.__aenter__()

    async def caption() -> None:
        await gate.acquire(CALL, first=True)
        order.append("caption")
        gate.release(CALL)

    await caption()  # at once: the note's slot was set aside
    coming_back = asyncio.create_task(aside.__aexit__(None, None, None))
    await coming_back  # its use was given: the slot is free, it takes it back at once
    order.append("note")
    waiting = asyncio.create_task(gate.acquire(OTHER_CALL, first=True))
    await settled()
    assert not waiting.done()  # the note holds the only slot again
    gate.release(NOTES)
    await waiting
    gate.release(OTHER_CALL)
    assert order == ["caption", "note"]


async def test_a_request_taking_its_slot_back_goes_before_the_captions_waiting() -> None:
    gate = RequestGate(total=1, per_chat=4)
    await gate.acquire(NOTES)
    aside = gate.aside()
    await aside.__aenter__()
    await gate.acquire(CALL, first=True)  # the caption holds the slot the note set aside
    coming_back = asyncio.create_task(aside.__aexit__(None, None, None))
    another = asyncio.create_task(gate.acquire(OTHER_CALL, first=True))
    await settled()
    gate.release(CALL)
    await settled()
    assert coming_back.done() and not another.done()  # its use of the minute is counted
    gate.release(NOTES)
    await another
    gate.release(OTHER_CALL)


async def test_a_request_cancelled_while_its_slot_is_set_aside_leaves_the_count_whole() -> None:
    gate = RequestGate(total=1, per_chat=4)
    await gate.acquire(NOTES)

    async def waits_for_the_minute() -> None:
        async with gate.aside():
            await asyncio.Event().wait()

    waiting = asyncio.create_task(waits_for_the_minute())
    await settled()
    await gate.acquire(CALL, first=True)  # the slot it set aside
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    gate.release(NOTES)  # its holder lets go, as it does after any failure
    later = asyncio.create_task(gate.acquire(OTHER_CALL))
    await settled()
    assert not later.done()  # the caption still holds the only slot
    gate.release(CALL)
    await later
    gate.release(OTHER_CALL)
    await gate.acquire(NOTES)  # one slot, free again: never two, never none
    second = asyncio.create_task(gate.acquire(CALL))
    await settled()
    assert not second.done()
    gate.release(NOTES)
    await second
    gate.release(CALL)
