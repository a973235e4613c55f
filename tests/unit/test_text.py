"""Splitting long replies, formatting durations, and names shown as typed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.domain.message_splitting import (
    format_duration,
    literal_markdown,
    messages_or_none,
    split_lines,
    split_message,
    tail_within,
    utf16_units,
)


def test_short_text_is_one_piece() -> None:
    assert split_message("  hello  ", 10) == ["hello"]


def test_cuts_prefer_paragraphs_then_sentences() -> None:
    text = "First sentence here. Second one.\n\nNext paragraph is here."
    assert split_message(text, 40) == [
        "First sentence here. Second one.",
        "Next paragraph is here.",
    ]
    assert split_message("One two three. Four five six.", 20) == [
        "One two three.",
        "Four five six.",
    ]


def test_text_without_spaces_is_cut_hard() -> None:
    assert split_message("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


@given(st.text(min_size=0, max_size=600), st.integers(min_value=1, max_value=80))
def test_pieces_fit_and_lose_only_whitespace(text: str, limit: int) -> None:
    pieces = split_message(text, limit)
    assert all(0 < len(p) <= limit for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_durations_read_like_clocks() -> None:
    assert format_duration(5) == "0:05"
    assert format_duration(65.4) == "1:05"
    assert format_duration(3723) == "1:02:03"


def test_a_few_pieces_are_fine_but_a_wall_of_them_is_not() -> None:
    assert messages_or_none("one. two. three.", 6, max_messages=3) == ["one.", "two.", "three."]
    assert messages_or_none("one. two. three. four.", 6, max_messages=3) is None


def test_speech_splits_keep_whole_sentences_even_when_short() -> None:
    text = "Third one is here too. Fourth sentence goes right here."
    assert split_message(text, 50) == ["Third one is here too. Fourth sentence goes right", "here."]
    assert split_message(text, 50, min_fill=0) == [
        "Third one is here too.",
        "Fourth sentence goes right here.",
    ]


def test_telegram_counts_utf16_code_units() -> None:
    assert utf16_units("héllo") == 5
    assert utf16_units("🎙") == 2  # past U+FFFF: a surrogate pair
    # 3,000 emoji are 3,000 characters but 6,000 units: two of Telegram's 4,096-unit messages.
    pieces = split_message("🎙 " * 1500, 4096, measure=utf16_units)
    assert len(pieces) == 2
    assert all(utf16_units(piece) <= 4096 for piece in pieces)
    assert len(split_message("🎙 " * 1500, 4096)) == 1  # as characters, it would fit


@given(st.text(min_size=1, max_size=300), st.integers(min_value=2, max_value=80))
def test_a_tail_fits_and_ends_the_text(text: str, limit: int) -> None:
    tail = tail_within(text, limit, measure=utf16_units)
    assert utf16_units(tail) <= limit
    if utf16_units(text) <= limit:
        assert tail == text
    else:
        assert tail.startswith("…") and text.endswith(tail[1:])


def test_a_tail_starts_at_a_whole_word() -> None:
    assert tail_within("one two three four", 12) == "…three four"
    assert tail_within("one two three four", 11) == "…three four"
    assert tail_within("one two three four", 10) == "…four"  # "hree four" would start mid-word


def test_a_list_splits_between_its_lines_never_inside_one() -> None:
    listing = "Voices:\n• one — a calm narrator\n• two — a pirate\n• three — a sleepy cat"
    assert split_lines(listing, 40) == [
        "Voices:\n• one — a calm narrator",
        "• two — a pirate\n• three — a sleepy cat",
    ]
    assert split_lines(listing, 200) == [listing]


def test_a_line_longer_than_a_message_is_cut_where_messages_are() -> None:
    assert split_lines("short\n" + "word " * 10, 12, measure=utf16_units) == [
        "short", "word word", "word word", "word word", "word word", "word word"
    ]  # fmt: skip


@given(st.lists(st.text(min_size=0, max_size=60), max_size=30), st.integers(2, 120))
def test_list_pieces_fit_and_keep_every_line_whole_that_fits(lines: list[str], limit: int) -> None:
    text = "\n".join(line.replace("\n", " ") for line in lines)
    pieces = split_lines(text, limit, measure=utf16_units)
    assert all(0 < utf16_units(p) <= limit for p in pieces)
    kept = {line for p in pieces for line in p.split("\n")}
    whole = [ln.strip() for ln in text.split("\n") if ln.strip() and utf16_units(ln) <= limit]
    assert all(any(line in k for k in kept) for line in whole)


def test_a_name_like_a_link_is_escaped_to_read_as_typed() -> None:
    assert literal_markdown("x** [Verify](https://x.io) **") == (
        r"x\*\* \[Verify\]\(https://x.io\) \*\*"
    )
    assert literal_markdown("Ann") == "Ann"


@given(st.text())
def test_every_escaped_name_reads_back_as_itself(name: str) -> None:
    """Markdown drops the backslash before punctuation: what shows is the name, and no
    character of it is left to start markup."""
    escaped, shown, at = literal_markdown(name), [], 0
    while at < len(escaped):
        if escaped[at] == "\\":  # an escape: the character after it shows as itself
            shown.append(escaped[at + 1])
            at += 2
            continue
        assert escaped[at] not in "\\*_~`|>[]()#<@-", escaped
        shown.append(escaped[at])
        at += 1
    assert "".join(shown) == name
