"""Cutting a long text for translation: parts within the bound, cut between sentences, nothing
lost or reordered."""

from __future__ import annotations

from core.app.recordings.translations import _parts


def test_a_long_text_is_cut_after_sentences_and_keeps_every_word_in_order() -> None:
    sentences = [f"Sentence number {n} says something." for n in range(200)]
    words = " ".join(sentences)

    parts = _parts(words, 500)

    assert len(parts) > 10 and all(len(part) <= 500 for part in parts)
    assert all(part.endswith(".") for part in parts)  # never in the middle of a sentence
    assert " ".join(parts) == words


def test_text_without_a_place_to_cut_is_cut_at_the_bound_and_short_text_is_one_part() -> None:
    assert _parts("x" * 1200, 500) == ["x" * 500, "x" * 500, "x" * 200]
    assert _parts("我们明天见。", 500) == ["我们明天见。"]
    assert _parts("   ", 500) == []
