"""Reading the chat model's gist: every item tied to the piece of the recording it came from."""

from __future__ import annotations

import json

from core.app.recordings.gists import condense
from core.domain.recordings.gist_format import clock, parse_gist, parse_time
from core.domain.recordings.transcript_values import LongTranscript, TranscriptPart
from core.domain.shared_values import Answer

TRANSCRIPT = LongTranscript(
    parts=(
        TranscriptPart(0.0, 59.4, "hello and welcome"),
        TranscriptPart(59.4, 121.97, None),  # MiMo failed this piece
        TranscriptPart(121.97, 252.5, "we decide to ship on Friday"),
        TranscriptPart(252.5, 3700.0, "Ann will write the notes"),
    ),
    duration=3700.0,
)


def gist_answer(**sections: object) -> str:
    return json.dumps({"gist": "a meeting", **sections})


def test_times_read_as_written_and_are_written_in_whole_seconds() -> None:
    assert [clock(s) for s in (0, 7.9, 252.5, 3725)] == ["00:00", "00:07", "04:12", "1:02:05"]
    assert [parse_time(t) for t in ("04:12", "[01:02:05]", "4:12", "soon", "")] == [
        252.0, 3725.0, 252.0, None, None
    ]  # fmt: skip


def test_each_item_points_at_the_start_of_the_part_that_holds_its_time() -> None:
    gist = parse_gist(
        gist_answer(
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
        gist_answer(points=[{"at": "01:30", "text": "a"}, {"at": "later", "text": "b"}]), TRANSCRIPT
    )
    assert [i.at for i in gist.points] == [0.0, 0.0]


def test_fenced_json_is_read_and_an_answer_that_is_not_json_becomes_the_headline() -> None:
    fenced = "```json\n" + gist_answer(points=[{"at": "04:12", "text": "x"}]) + "\n```"
    assert [i.at for i in parse_gist(fenced, TRANSCRIPT).points] == [252.5]
    plain = parse_gist("Just a plain sentence.", TRANSCRIPT)
    assert (plain.headline, plain.points, plain.actions) == ("Just a plain sentence.", (), ())


def test_items_without_text_are_left_out() -> None:
    gist = parse_gist(
        gist_answer(points=[{"at": "00:01"}, {"at": "00:02", "text": " "}, "x"]), TRANSCRIPT
    )
    assert gist.points == ()


class PromptsSeen:
    """A chat model that answers one decision and one action, and keeps the prompts it saw."""

    def __init__(self) -> None:
        self.prompts: list[tuple[str | None, str]] = []

    async def chat(
        self, prompt: str, *, system: str | None = None, max_tokens: int | None = None
    ) -> Answer:
        self.prompts.append((system, prompt))
        return Answer(gist_answer(decisions=[{"at": "00:04", "text": "Ann: ship on Friday"}]))


async def test_a_calls_lines_name_their_speakers_and_the_model_is_asked_who_decided() -> None:
    call = LongTranscript(
        parts=(
            TranscriptPart(1.2, 3.0, "hello", "Ann", "11"),
            TranscriptPart(4.5, 6.0, "we  decide\nto ship on Friday", "Ann", "11"),
            TranscriptPart(7.0, 9.0, "I will write the notes", "Cleo", "12"),
        ),
        duration=9.0,
    )
    model = PromptsSeen()

    gist = await condense(call, api=model, language="en", budget=30_000)

    [(system, prompt)] = model.prompts
    assert system is not None and "Name who decided each decision" in system
    assert "[00:01] Ann: hello\n[00:04] Ann: we decide to ship on Friday\n" in prompt
    assert "[00:07] Cleo: I will write the notes" in prompt
    assert [(item.at, item.text) for item in gist.decisions] == [(4.5, "Ann: ship on Friday")]


async def test_a_recordings_prompt_names_no_speaker() -> None:
    model = PromptsSeen()

    await condense(TRANSCRIPT, api=model, language="en", budget=30_000)

    [(system, prompt)] = model.prompts
    assert system is not None and "who said it" not in system
    assert "[02:01] we decide to ship on Friday" in prompt
