"""Cutting a long text for translation: pieces within the bound, cut between sentences, nothing
lost or reordered."""

from __future__ import annotations

from core.app.recordings.translations import _pieces


def test_a_long_text_is_cut_after_sentences_and_keeps_every_word_in_order() -> None:
    sentences = [f"Sentence number {n} says something." for n in range(200)]
    words = " ".join(sentences)

    pieces = _pieces(words, 500)

    assert len(pieces) > 10 and all(len(piece) <= 500 for piece in pieces)
    assert all(piece.endswith(".") for piece in pieces)  # never in the middle of a sentence
    assert " ".join(pieces) == words


def test_text_without_a_place_to_cut_is_cut_at_the_bound_and_short_text_is_one_piece() -> None:
    assert _pieces("x" * 1200, 500) == ["x" * 500, "x" * 500, "x" * 200]
    assert _pieces("我们明天见。", 500) == ["我们明天见。"]
    assert _pieces("   ", 500) == []
