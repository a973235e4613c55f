"""The rules of spoken consent (`core.domain.consent`): what the platform declares rules a note
out before anything is downloaded; what was heard must hold every random word, exactly and in
order, while the fixed part forgives a speech recogniser's slips."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from core.domain import errors
from core.domain.consent import (
    CloneChallenge,
    DeclaredReading,
    challenge_words,
    declared_refusal,
    reading_refusal,
)

ASKED = datetime(2026, 11, 25, 20, 0, 0, 700_000, tzinfo=UTC)


def challenge(sentence: str, words: tuple[str, ...]) -> CloneChallenge:
    return CloneChallenge(
        platform="telegram", person_id="1", chat_id="-100", asked_in="-100", private_chat="1",
        name="Alice", sentence=sentence, words=words, locale="en", asked_at=ASKED,
        expires_at=ASKED + timedelta(minutes=5),
    )  # fmt: skip


ENGLISH = challenge(
    "I am Alice, and I agree that voicebridge speaks in my voice in this chat. "
    "rocket puzzle marble",
    ("rocket", "puzzle", "marble"),
)
CHINESE = challenge(
    "我是小红，我同意 voicebridge 在这个聊天里用我的声音说话。火箭 拼图 弹珠",
    ("火箭", "拼图", "弹珠"),
)


@pytest.mark.parametrize(
    "heard",
    [
        "I am Alice, and I agree that voicebridge speaks in my voice in this chat. "
        "Rocket, puzzle, marble.",
        "I'm Alicia and I agree that voice bridge speaks in my voice in this chat rocket puzzle "
        "marble",  # a name and a brand heard differently, a word run together
        "我是小洪，我同意 voice bridge 在这个聊天里用我的声音说话。火箭，拼图，弹珠。",
    ],
)
def test_slips_in_the_fixed_part_are_forgiven(heard: str) -> None:
    said = CHINESE if "我" in heard else ENGLISH
    assert reading_refusal(heard, said) is None


@pytest.mark.parametrize(
    "heard",
    [
        "I am Alice, and I agree that voicebridge speaks in my voice in this chat. "
        "puzzle rocket marble",  # out of order
        "I am Alice, and I agree that voicebridge speaks in my voice in this chat. "
        "rocket puzzle",  # one missing
        "I am Alice, and I agree that voicebridge speaks in my voice in this chat. "
        "pocket puzzle marble",  # one heard wrong: the random words are strict
    ],
)
def test_the_random_words_must_all_be_there_in_order(heard: str) -> None:
    assert isinstance(reading_refusal(heard, ENGLISH), errors.RandomWordsWrong)


def test_a_random_word_the_fixed_part_also_holds_is_looked_for_where_it_is_said() -> None:
    named = challenge("I am Marble, and I agree. rocket marble", ("rocket", "marble"))
    assert reading_refusal("I am Marble, and I agree. rocket", named) is not None
    assert reading_refusal("I am Marble, and I agree. rocket marble", named) is None


def test_the_random_words_alone_are_not_the_sentence() -> None:
    assert isinstance(reading_refusal("rocket puzzle marble", ENGLISH), errors.SentenceWrong)


def declared(**changes: object) -> DeclaredReading:
    base: dict[str, object] = {
        "person_id": "1", "chat_id": "-100", "identity": "file-1",
        "sent_at": ASKED.replace(microsecond=0),  # Telegram dates in whole seconds
    }  # fmt: skip
    return DeclaredReading(**(base | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("note", "first_sender", "refusal"),
    [
        (declared(forwarded=True), None, errors.ReadingForwarded),
        (declared(via_bot=True), None, errors.ReadingViaBot),
        (declared(), "2", errors.ReadingCopied),
        (declared(sent_at=ASKED - timedelta(seconds=2)), None, errors.ReadingTooOld),
    ],
)
def test_what_the_platform_declares_rules_a_note_out(
    note: DeclaredReading, first_sender: str | None, refusal: type[errors.ConsentRefused]
) -> None:
    assert isinstance(declared_refusal(note, ENGLISH, first_sender=first_sender), refusal)


def test_a_fresh_note_of_ones_own_passes_even_in_the_requests_second() -> None:
    assert declared_refusal(declared(), ENGLISH, first_sender="1") is None
    assert declared_refusal(declared(), ENGLISH, first_sender=None) is None


def test_the_random_words_are_three_different_ones_of_the_vocabulary() -> None:
    vocabulary = ["apple", "river", "candle", "window", "garden", "pepper"]
    picked = {challenge_words(vocabulary, random.Random(seed)) for seed in range(50)}
    assert all(len(set(words)) == 3 and set(words) <= set(vocabulary) for words in picked)
    assert len(picked) > 10  # not the same three every time
