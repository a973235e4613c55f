"""Reading the chat model's gist: every item tied to the piece of the recording it came from."""

from __future__ import annotations

import json

from core.domain.gists import clock, parse_gist, parse_time
from core.domain.transcripts import LongTranscript, TranscriptPart

TRANSCRIPT = LongTranscript(
    parts=(
        TranscriptPart(0.0, 59.4, "hello and welcome"),
        TranscriptPart(59.4, 121.97, None),  # MiMo failed this piece
        TranscriptPart(121.97, 252.5, "we decide to ship on Friday"),
        TranscriptPart(252.5, 3700.0, "Ann will write the notes"),
    ),
    duration=3700.0,
)


def answer(**sections: object) -> str:
    return json.dumps({"gist": "a meeting", **sections})


def test_times_read_as_written_and_are_written_in_whole_seconds() -> None:
    assert [clock(s) for s in (0, 7.9, 252.5, 3725)] == ["00:00", "00:07", "04:12", "1:02:05"]
    assert [parse_time(t) for t in ("04:12", "[01:02:05]", "4:12", "soon", "")] == [
        252.0, 3725.0, 252.0, None, None
    ]  # fmt: skip


def test_each_item_points_at_the_start_of_the_piece_that_holds_its_time() -> None:
    gist = parse_gist(
        answer(
            points=[{"at": "00:05", "text": "welcome"}, {"at": "02:01", "text": "shipping"}],
            decisions=[{"at": "03:10", "text": "ship Friday"}],
            actions=[{"at": "58:00", "text": "Ann: notes"}],
        ),
        TRANSCRIPT,
    )
    assert gist.headline == "a meeting"
    # 02:01 is how a piece from 121.97 s reads: that piece, not the one before it.
    assert [(i.at, i.text) for i in gist.points] == [(0.0, "welcome"), (121.97, "shipping")]
    assert [i.at for i in gist.decisions] == [121.97]
    assert [i.at for i in gist.actions] == [252.5]


def test_a_time_in_a_missing_piece_or_made_up_falls_on_a_heard_piece() -> None:
    gist = parse_gist(
        answer(points=[{"at": "01:30", "text": "a"}, {"at": "later", "text": "b"}]), TRANSCRIPT
    )
    assert [i.at for i in gist.points] == [0.0, 0.0]


def test_fenced_json_is_read_and_an_answer_that_is_not_json_becomes_the_headline() -> None:
    fenced = "```json\n" + answer(points=[{"at": "04:12", "text": "x"}]) + "\n```"
    assert [i.at for i in parse_gist(fenced, TRANSCRIPT).points] == [252.5]
    plain = parse_gist("Just a plain sentence.", TRANSCRIPT)
    assert (plain.headline, plain.points, plain.actions) == ("Just a plain sentence.", (), ())


def test_items_without_text_are_left_out() -> None:
    gist = parse_gist(
        answer(points=[{"at": "00:01"}, {"at": "00:02", "text": " "}, "x"]), TRANSCRIPT
    )
    assert gist.points == ()
