"""The channel reader's rules (`core.domain.channel_reader.spoken_text_rules`,
`core.domain.channel_reader.reader_rules`): what of a message is said, whose messages are read,
which voice reads each member, when names are said, and the queue's policy."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.app.channel_reader.message_speech import spoken_marks
from core.domain.channel_reader.reader_rules import (
    ChannelMessage,
    Narration,
    ReaderRules,
    ReadingQueue,
    VoiceCast,
    assignable_voices,
    is_command,
    passed_over,
    ranked_voices,
)
from core.domain.channel_reader.spoken_text_rules import SpokenMarks, sayable, spoken_name

MARKS = spoken_marks("en")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
VOICES = assignable_voices("mimo-v2.5-tts")


def sayable_of(text: str, *, limit: int = 300, **names: str) -> str | None:
    return sayable(text, marks=MARKS, limit=limit, names=names)


# --- what is said ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "heard"),
    [
        ("Hello there", "Hello there"),
        ("look https://www.Example.com/a?b=1 now", "look a link to example.com now"),
        ("[the docs](https://docs.python.org/3/) say so", "the docs say so"),
        ("<https://github.com/x>", "a link to github.com"),
        ("nice <:party_parrot:123456> <a:dance:42>", "nice party parrot dance"),
        ("before ```py\nprint('x')\n``` after", "before a code block. after"),
        ("it was ||Bruce Willis|| all along", "it was a spoiler all along"),
        ("**bold** and *it* and __under__ ~~gone~~ `x`", "bold and it and under gone x"),
        ("snake_case_name stays, _this_ loses them", "snake_case_name stays, this loses them"),
        ("# Title\n> quoted\n- item one\n- item two!", "Title. quoted. item one. item two!"),
        ("noooooooo!!!!!!!", "nooo!!!"),
        ("meet at <t:1700000000:R>", "meet at"),
        ("try </say:123>", "try say"),
        ("hi @everyone", "hi everyone"),
    ],
)
def test_markup_is_made_sayable_or_skipped(typed: str, heard: str) -> None:
    assert sayable_of(typed) == heard


def test_mentions_read_as_the_names_they_mention_and_unknown_ones_are_left_out() -> None:
    heard = sayable_of("<@1> and <@!2> see <#3> with <@&4>, not <@5>", **{
        "1": "Ann", "2": "Bob", "3": "general", "4": "Mods",
    })  # fmt: skip
    assert heard == "Ann and Bob see general with Mods, not"


def test_a_long_message_is_cut_at_a_word_and_says_so() -> None:
    heard = sayable_of("word " * 100, limit=42)
    assert heard is not None
    assert heard.endswith("… and so on")
    assert len(heard) <= 42 + len("… and so on")
    assert "wor…" not in heard  # cut after a whole word


def test_attachments_are_named_and_alone_they_are_what_is_said() -> None:
    assert sayable("see this", marks=MARKS, limit=300, attachments=2) == "see this. 2 attachments"
    assert sayable("", marks=MARKS, limit=300, attachments=1) == "an attachment"


@pytest.mark.parametrize("typed", ["", "   ", "<@9>", "***", "<t:1:R>", "\u200b\u200b"])
def test_nothing_sayable_is_not_read(typed: str) -> None:
    assert sayable_of(typed) is None


@given(st.text(max_size=400), st.integers(min_value=10, max_value=300))
def test_whatever_is_typed_comes_out_short_and_sayable_or_not_at_all(
    typed: str, limit: int
) -> None:
    marks = SpokenMarks(
        code="C", spoiler="S", link=lambda site: "L", attachments=lambda n: "A", cut="CUT"
    )
    heard = sayable(typed, marks=marks, limit=limit)
    assert heard is None or (heard.strip() and len(heard) <= limit + len("… CUT"))


def test_names_are_said_without_their_markup() -> None:
    assert spoken_name("**Ann** <:star:1>") == "Ann star"
    assert spoken_name("___") == ""


# --- whose messages are read -----------------------------------------------------------------


def heard_message(author: str = "1", text: str = "hi", **kinds: bool) -> ChannelMessage:
    return ChannelMessage(id=text + author, author_id=author, author_name="Ann", text=text, at=NOW,
                        **kinds)  # fmt: skip


@pytest.mark.parametrize("typed", ["!play song", ".help", "?rank", "-skip", "$balance", "/roll"])
def test_another_bots_commands_are_commands(typed: str) -> None:
    assert is_command(typed)


@pytest.mark.parametrize("typed", ["hello", "...", "-1 degrees", "! wow", "?", ":)", "<@1> hi"])
def test_ordinary_messages_are_not_commands(typed: str) -> None:
    assert not is_command(typed)


def test_bots_webhooks_and_commands_are_read_only_where_the_server_turned_them_on() -> None:
    kinds = [
        heard_message(bot=True),
        heard_message(bot=True, webhook=True),
        heard_message(text="!play x"),
        heard_message(),
    ]
    assert [passed_over(m, ReaderRules()) for m in kinds] == [True, True, True, False]
    everything = ReaderRules(bots=True, webhooks=True, commands=True)
    assert [passed_over(m, everything) for m in kinds] == [False, False, False, False]
    # A webhook's message is a webhook's, even though Discord marks its author a bot.
    assert not passed_over(heard_message(bot=True, webhook=True), ReaderRules(webhooks=True))


# --- which voice ---------------------------------------------------------------------------


def test_the_default_voice_is_never_assigned_it_is_another_voice_twice() -> None:
    assert "mimo_default" not in VOICES
    assert len(VOICES) == 8


def test_each_member_ranks_the_voices_in_an_order_of_their_own_the_same_every_time() -> None:
    assert ranked_voices("42", VOICES) == ranked_voices("42", list(reversed(VOICES)))
    assert len({tuple(ranked_voices(str(m), VOICES)) for m in range(20)}) > 1


def test_two_members_never_sound_alike_while_there_are_voices_enough() -> None:
    cast = VoiceCast()
    members = [str(m) for m in range(len(VOICES))]
    first = [cast.voice_of(m, VOICES) for m in members]
    again = [cast.voice_of(m, VOICES) for m in reversed(members)]
    assert sorted(first) == sorted(VOICES)  # all different
    assert again == list(reversed(first))  # and each keeps theirs
    assert cast.voice_of("one too many", VOICES) in VOICES  # then someone is shared


def test_a_member_sounds_the_same_in_every_reading_with_the_same_people() -> None:
    one, other = VoiceCast(), VoiceCast()
    assert [one.voice_of(m, VOICES) for m in "abc"] == [other.voice_of(m, VOICES) for m in "abc"]
    assert VoiceCast().voice_of("a", VOICES) == ranked_voices("a", VOICES)[0]


def test_a_chosen_voice_is_its_choosers_and_whoever_was_given_it_gets_another() -> None:
    cast = VoiceCast()
    given_one = cast.voice_of("ann", VOICES)
    assert cast.voice_of("bob", VOICES, chosen=given_one) == given_one
    assert cast.voice_of("ann", VOICES) != given_one


# --- names -----------------------------------------------------------------------------------


def test_the_name_is_said_when_the_speaker_changes_or_after_a_silence() -> None:
    narration = Narration()
    plan = [("ann", 0), ("ann", 10), ("bob", 20), ("ann", 30), ("ann", 30 + 121)]
    named = []
    for author, seconds in plan:
        at = NOW + timedelta(seconds=seconds)
        named.append(narration.names(author, at))
        narration.read(author, at)
    assert named == [True, False, True, True, True]


# --- the queue -------------------------------------------------------------------------------


def test_a_full_queue_drops_the_oldest_and_says_so_once_until_it_runs_empty() -> None:
    queue = ReadingQueue(2)
    overflows = [queue.push(heard_message(text=str(n))) for n in range(5)]
    assert overflows[:2] == [None, None]
    assert [o.dropped.text for o in overflows[2:] if o] == ["0", "1", "2"]
    assert [o.tell for o in overflows[2:] if o] == [True, False, False]
    assert [m.text for m in (queue.pop(), queue.pop(), queue.pop()) if m] == ["3", "4"]
    queue.push(heard_message(text="5"))
    queue.push(heard_message(text="6"))
    overflow = queue.push(heard_message(text="7"))
    assert overflow is not None and overflow.tell  # a new flood is told again


def test_a_message_delivered_twice_waits_once() -> None:
    queue = ReadingQueue(5)
    queue.push(heard_message(text="same"))
    queue.push(heard_message(text="same"))
    assert len(queue) == 1


def test_a_message_is_read_as_it_stands_when_it_comes_up_and_never_once_deleted() -> None:
    queue = ReadingQueue(5)
    first, second, third = (heard_message(text=word) for word in ("one", "two", "three"))
    for message in (first, second, third):
        queue.push(message)
    edited = replace(second, text="two, edited")
    assert queue.edit(edited) and queue.delete(third.id)
    assert queue.pop() == first
    assert queue.edit(replace(first, text="one, edited"))  # taken: being made into speech
    assert queue.latest(first.id) == replace(first, text="one, edited")
    assert queue.pop() == edited and queue.pop() is None  # the deleted one never comes
    assert queue.delete(edited.id) and queue.latest(edited.id) is None
    assert not queue.edit(replace(edited, text="back again"))  # deleted stays deleted
    queue.done(first.id)
    assert not queue.edit(first) and not queue.delete(first.id)  # read: nothing to change
    assert not queue.edit(heard_message(text="never heard"))


def test_messages_let_go_unfinished_are_forgotten() -> None:
    queue = ReadingQueue(100)
    for n in range(50):
        queue.push(heard_message(text=str(n)))
        queue.pop()
    assert queue.latest(heard_message(text="0").id) is None and queue.latest(
        heard_message(text="49").id
    )
