"""SubRip and WebVTT subtitles from a transcript's timed parts."""

from __future__ import annotations

import itertools
import re

from core.chat.transcript_files import CUE_CHARS, LINE_CHARS, to_srt, to_vtt
from core.domain.recordings.transcript_values import TranscriptPart
from tests.subtitle_files import parse_srt, parse_vtt

CUE = re.compile(r"(\d+)\n(\S+) --> (\S+)\n(.+?)\n(?:\n|$)", re.DOTALL)


def cues(srt: str) -> list[tuple[int, str, str, str]]:
    found = [(int(n), a, b, text) for n, a, b, text in CUE.findall(srt)]
    assert "".join(f"{n}\n{a} --> {b}\n{t}\n\n" for n, a, b, t in found).strip() == srt.strip()
    return found


def test_one_short_part_is_one_cue() -> None:
    srt = to_srt([TranscriptPart(0.0, 4.5, "Hello there.")])
    assert srt == "1\n00:00:00,000 --> 00:00:04,500\nHello there.\n"


def test_times_run_past_an_hour_in_srt_format() -> None:
    srt = to_srt([TranscriptPart(3725.25, 3730.0, "Late.")])
    assert "01:02:05,250 --> 01:02:10,000" in srt


def test_cues_are_numbered_in_order_across_parts() -> None:
    parts = [TranscriptPart(0, 10, "First part."), TranscriptPart(10, 20, "Second part.")]
    found = cues(to_srt(parts))
    assert [(n, text) for n, _, _, text in found] == [(1, "First part."), (2, "Second part.")]
    assert found[1][1:3] == ("00:00:10,000", "00:00:20,000")


def test_a_long_part_is_split_into_sentences_sharing_its_time() -> None:
    sentences = [f"This is sentence number {i} of the long part." for i in range(6)]
    srt = to_srt([TranscriptPart(60.0, 120.0, " ".join(sentences))])
    found = cues(srt)
    assert len(found) > 1
    assert found[0][1] == "00:01:00,000" and found[-1][2] == "00:02:00,000"
    for (_, _, end, _), (_, start, _, _) in itertools.pairwise(found):
        assert end == start  # no gap and no overlap inside a part
    for _, _, _, text in found:
        assert len(text.replace("\n", " ")) <= CUE_CHARS
        assert all(len(line) <= LINE_CHARS for line in text.splitlines())


def test_a_missing_part_gets_a_cue_that_says_so() -> None:
    parts = [TranscriptPart(0, 60, "Before."), TranscriptPart(60, 120, None)]
    found = cues(to_srt(parts))
    assert found[1][1:] == ("00:01:00,000", "00:02:00,000", "[1:00–2:00 could not be transcribed]")


def test_a_silent_part_has_no_cue() -> None:
    parts = [TranscriptPart(0, 10, ""), TranscriptPart(10, 20, "Words.")]
    assert [n for n, *_ in cues(to_srt(parts))] == [1]


def test_nothing_said_is_an_empty_file() -> None:
    assert to_srt([]) == ""


def test_webvtt_has_its_header_full_stops_and_escaped_text() -> None:
    parts = [TranscriptPart(0, 4.5, "Tom & Jerry <3"), TranscriptPart(4.5, 9, None)]

    vtt = to_vtt(parts)

    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:04.500\nTom &amp; Jerry &lt;3\n")
    assert [(c.start, c.end, c.text) for c in parse_vtt(vtt)] == [
        (0.0, 4.5, "Tom & Jerry <3"),
        (4.5, 9.0, "[0:04–0:09 could not be transcribed]"),
    ]


def test_srt_and_webvtt_have_the_same_cues() -> None:
    sentences = " ".join(f"Sentence {i} says a little more than the last one." for i in range(5))
    parts = [TranscriptPart(0, 30, sentences), TranscriptPart(30, 40, "The end.")]

    assert parse_srt(to_srt(parts)) == parse_vtt(to_vtt(parts))


def test_a_calls_lines_name_their_speaker_in_every_cue() -> None:
    long = " ".join(f"Point {i} of what Ann had to say today." for i in range(4))
    parts = [
        TranscriptPart(0, 20, long, "Ann", "1"),
        TranscriptPart(21, 23, "Agreed.", "Bob <the> & co", "2"),
    ]

    srt, vtt = parse_srt(to_srt(parts)), parse_vtt(to_vtt(parts))

    assert len(srt) == len(vtt) > 2
    assert all(c.text.startswith("Ann: ") for c in srt[:-1])
    assert srt[-1].text == "Bob <the> & co: Agreed."
    assert [c.voice for c in vtt] == ["Ann"] * (len(vtt) - 1) + ["Bob <the> & co"]
    assert vtt[-1].text == "Agreed."
    assert "\n<v Bob &lt;the&gt; &amp; co>Agreed.\n" in to_vtt(parts)
    assert [(c.start, c.end) for c in srt] == [(c.start, c.end) for c in vtt]


def test_a_recordings_cues_name_nobody() -> None:
    parts = [TranscriptPart(0, 2, "Hello.")]

    assert parse_vtt(to_vtt(parts))[0].voice is None
    assert parse_srt(to_srt(parts))[0].text == "Hello."
