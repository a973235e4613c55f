"""A listened call's captions: a line per speaker turn, its message edited while it goes on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bots.discord.answers.discord_replies import MESSAGE_LIMIT
from bots.discord.listening.caption_messages import Captions, SpokenWords, Update

START = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)


def said(
    member: str, words: str, at: float, length: float = 1.0, translated: str | None = None
) -> SpokenWords:
    begins = START + timedelta(seconds=at)
    ends = begins + timedelta(seconds=length)
    return SpokenWords(member, member.title(), words, begins, ends, translated)


def render(name: str, words: str, translated: str | None) -> str:
    if translated is None:
        return f"**{name}**: {words}"
    return f"**{name}**: {translated}\n-# {words}"


def captions(caption_gap: float = 3.0) -> Captions:
    return Captions(render=render, caption_gap=caption_gap)


def test_a_turn_grows_by_editing_its_message_and_another_speaker_starts_a_new_one() -> None:
    shown = captions()

    first = shown.add([said("ann", "shall we", 0)])
    goes_on = shown.add([said("ann", "start?", 2)])
    other = shown.add([said("bob", "yes", 3.5)])
    back = shown.add([said("ann", "good", 5)])

    assert first == Update(None, ["**Ann**: shall we"])
    assert goes_on == Update("**Ann**: shall we start?", [])
    assert other == Update(None, ["**Bob**: yes"])
    assert back == Update(None, ["**Ann**: good"])


def test_a_translated_turn_grows_in_both_languages_and_an_untranslated_part_shows_as_said() -> None:
    shown = captions()

    first = shown.add([said("ann", "hola a todos", 0, translated="hello everyone")])
    goes_on = shown.add([said("ann", "OK", 2)])  # nothing to translate
    again = shown.add([said("ann", "vamos", 3.5, translated="let's go")])

    assert first == Update(None, ["**Ann**: hello everyone\n-# hola a todos"])
    assert goes_on == Update("**Ann**: hello everyone OK\n-# hola a todos OK", [])
    assert again == Update("**Ann**: hello everyone OK let's go\n-# hola a todos OK vamos", [])


def test_a_translation_without_words_of_its_own_shows_alone() -> None:
    """A part translated from its sound whose last piece was heard with no words: its caption
    brings the translation alone. After another speaker's line it starts a message of its own,
    shown as said, not over an empty line."""
    shown = captions()
    shown.add([said("ann", "okay so that is", 0)])
    shown.add([said("bob", "hm", 1.5)])

    alone = shown.add([said("ann", "", 2, translated="好的，这就是计划")])

    assert alone == Update(None, ["**Ann**: 好的，这就是计划"])


def test_a_pause_longer_than_the_caption_gap_starts_a_new_line() -> None:
    shown = captions(caption_gap=3.0)
    shown.add([said("ann", "one", 0)])

    assert shown.add([said("ann", "two", 5)]) == Update(None, ["**Ann**: two"])


def test_lines_ready_together_share_a_message_and_the_last_turn_there_goes_on() -> None:
    shown = captions()

    together = shown.add([said("ann", "hi", 0), said("ann", "all", 1.2), said("bob", "hey", 1.5)])
    bob_goes_on = shown.add([said("bob", "there", 3)])
    own_line = shown.add(["Today's time is used up.", said("bob", "ok", 3.5)])

    assert together == Update(None, ["**Ann**: hi all\n**Bob**: hey"])
    assert bob_goes_on == Update("**Ann**: hi all\n**Bob**: hey there", [])
    assert own_line == Update(None, ["Today's time is used up.\n**Bob**: ok"])


def test_no_message_grows_past_discords_longest() -> None:
    shown = captions()
    words = "word " * 390  # about 1,950 characters
    shown.add([said("ann", words, 0)])

    update = shown.add([said("ann", words, 1.5), said("ann", "end", 2.5)])

    assert update.edit is None
    assert update.new == [f"**Ann**: {words} end"]
    assert all(len(text) <= MESSAGE_LIMIT for text in update.new)


def said_piece(member: str, words: str, at: float, turn: float) -> SpokenWords:
    """A piece of a turn begun at `turn`, said from `at` for a second."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return SpokenWords(
        member, member.title(), words, start + timedelta(seconds=at),
        start + timedelta(seconds=at + 1), turn=start + timedelta(seconds=turn),
    )  # fmt: skip


def test_the_pieces_of_a_turn_grow_its_caption_the_seams_shown_once() -> None:
    shown = captions()

    first = shown.add([said_piece("ann", "we met on", 0, 0)])
    second = shown.add([said_piece("ann", "on Tuesday. and then", 4, 0)])
    third = shown.add([said_piece("ann", "then we left", 8, 0)])

    assert first == Update(None, ["**Ann**: we met on"])
    assert second == Update("**Ann**: we met on Tuesday. and then", [])
    assert third == Update("**Ann**: we met on Tuesday. and then we left", [])


def test_the_next_piece_of_a_turn_goes_on_whatever_the_caption_gap() -> None:
    shown = Captions(render=lambda name, words, _: f"**{name}**: {words}", caption_gap=0.0)
    shown.add([said_piece("ann", "one", 0, 0)])
    assert shown.add([said_piece("ann", "two", 4.2, 0)]).edit == "**Ann**: one two"
    assert shown.add([said_piece("ann", "three", 9, 9)]).new == ["**Ann**: three"]  # a new turn


def test_a_batch_that_edits_the_newest_message_adds_its_new_lines_there_in_one_request() -> None:
    shown = captions()
    shown.add([said("ann", "shall we", 0)])

    both = shown.add([said("ann", "start?", 1.5), said("bob", "yes", 2)])

    assert both == Update("**Ann**: shall we start?\n**Bob**: yes", [])


def test_someone_posting_in_the_chat_keeps_new_lines_out_of_the_message_above_them() -> None:
    shown = captions()
    shown.add([said("ann", "shall we", 0)])

    shown.interrupted()  # Bob typed in the chat
    both = shown.add([said("ann", "start?", 1.5), said("bob", "yes", 2)])
    after = shown.add([said("bob", "let's", 3), said("cy", "go", 3.5)])

    assert both == Update("**Ann**: shall we start?", ["**Bob**: yes"])  # her turn grows there
    assert after == Update("**Bob**: yes let's\n**Cy**: go", [])


def test_where_the_newest_message_is_not_there_new_lines_go_in_a_new_one() -> None:
    """Its post failed, or its last edit did (deleted): a line merged into it would be lost."""
    shown = captions()
    shown.add([said("ann", "shall we", 0)])

    both = shown.add([said("ann", "start?", 1.5), said("bob", "yes", 2)], grows=False)

    assert both == Update("**Ann**: shall we start?", ["**Bob**: yes"])
