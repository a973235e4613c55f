"""`voicebridge summarise` as a shell user runs it, against MiMo's stand-in (which condenses by
rule: one point per transcript line, at that line's time)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from core.domain.recordings.gist_format import clock
from tests.audio_factory import make_text_file
from tests.integration.cli.process import PIECE_SECONDS, env, long_recording, voicebridge
from tests.standins.mimo import FakeMimo


def numbered_pieces(mimo: FakeMimo) -> None:
    """Each piece heard says something of its own, so a point names the piece it came from."""
    said = itertools.count(1)
    mimo.asr_text = lambda seconds, body: f"we will meet, part {next(said)}"


async def test_summarise_prints_the_card_with_the_times_of_the_pieces(
    mimo: FakeMimo, cwd: Path, recordings: Path
) -> None:
    numbered_pieces(mimo)
    meeting = long_recording(recordings, "meeting.m4a")

    done = await voicebridge(
        "summarise", str(meeting), "--json",
        cwd=cwd, env=env(mimo, ASR_PIECE_SECONDS=PIECE_SECONDS),
    )  # fmt: skip

    assert (done.code, done.err) == (0, "")
    gist = json.loads(done.text)
    parts = {part["text"]: part["start"] for part in gist["transcript"]}
    assert len(parts) == len(mimo.calls("mimo-v2.5-asr")) >= 3
    assert gist["gist"] == f"gist of {len(parts)} lines in English"
    assert len(gist["points"]) == len(gist["actions"]) == len(parts)
    for point in gist["points"]:
        start = parts[point["text"].removeprefix("point: ")]
        assert (point["seconds"], point["at"]) == (start, clock(start))
    [request] = [body for body in mimo.requests if body["model"] == "mimo-v2.6-flash"]
    lines = request["messages"][1]["content"]
    assert all(f"[{clock(start)}] {said}" in lines for said, start in parts.items())
    assert list(cwd.iterdir()) == []  # nothing left behind


async def test_summarise_writes_in_the_shells_language_or_the_one_asked_for(
    mimo: FakeMimo, cwd: Path, recordings: Path
) -> None:
    numbered_pieces(mimo)
    memo = long_recording(recordings, "memo.ogg", bursts=2)
    settings = env(mimo, ASR_PIECE_SECONDS=PIECE_SECONDS)

    german = await voicebridge(
        "summarise", str(memo), cwd=cwd, env=settings | {"LANG": "de_DE.UTF-8"}
    )
    japanese = await voicebridge("summarise", str(memo), "--in", "日本語", cwd=cwd, env=settings)

    pieces = len(mimo.calls("mimo-v2.5-asr")) // 2  # each run heard the memo once
    assert (german.code, german.err) == (0, "")
    card = german.text.splitlines()
    assert card[0] == f"Kurz gesagt: gist of {pieces} lines in German"
    assert "Punkte" in card and "Aufgaben" in card
    assert card[card.index("Punkte") + 1].startswith("• [00:00] point: we will meet, part ")
    assert japanese.text.startswith(f"要点：gist of {pieces} lines in Japanese")


async def test_a_piece_mimo_could_not_hear_is_said_and_ends_in_exit_code_6(
    mimo: FakeMimo, cwd: Path, recordings: Path
) -> None:
    numbered_pieces(mimo)
    meeting = long_recording(recordings, "meeting.ogg")
    mimo.fail_next(400)  # the first request, a piece: refused, so it is missing

    done = await voicebridge(
        "summarise", str(meeting), cwd=cwd, env=env(mimo, ASR_PIECE_SECONDS=PIECE_SECONDS)
    )

    assert done.code == 6
    assert done.text.startswith("In short: gist of ")  # the gist of what was heard
    assert done.err.startswith(f"voicebridge: {meeting}: ")
    assert done.err.endswith("could not be transcribed; the transcript marks where.\n")


async def test_summarise_exit_codes(mimo: FakeMimo, cwd: Path, recordings: Path) -> None:
    text = make_text_file(recordings)

    missing = await voicebridge("summarise", "nowhere.ogg", cwd=cwd, env=env(mimo))
    not_audio = await voicebridge("summarise", str(text), cwd=cwd, env=env(mimo))
    unknown = await voicebridge("summarise", str(text), "--in", "Klingon", cwd=cwd, env=env(mimo))
    mimo.asr_text = ""
    silent = long_recording(recordings, "silent.ogg", bursts=1)
    nothing = await voicebridge("summarise", str(silent), cwd=cwd, env=env(mimo))

    assert missing.code == 3 and missing.err.startswith("voicebridge: ")
    assert not_audio.code == 4 and not_audio.text == ""
    assert unknown.code == 2 and "Klingon" in unknown.err
    assert (nothing.code, nothing.err) == (
        4, "voicebridge: No speech was heard in the recording.\n"
    )  # fmt: skip
    assert [body["model"] for body in mimo.requests] == ["mimo-v2.5-asr"]  # no gist of nothing


async def test_summarise_writes_times_as_transcribe_does(
    mimo: FakeMimo, cwd: Path, recordings: Path, tmp_path: Path
) -> None:
    """Both JSON documents give a recording's pieces the same start and end, to the millisecond
    (summarise wrote 4.2131875 where transcribe wrote 4.213)."""
    meeting = long_recording(recordings, "meeting.m4a")
    settings = env(mimo, ASR_PIECE_SECONDS=PIECE_SECONDS)
    folder = tmp_path / "out"

    summarised = await voicebridge("summarise", str(meeting), "--json", cwd=cwd, env=settings)
    transcribed = await voicebridge(
        "transcribe", str(meeting), "-f", "json", "-f", "txt", "-o", str(folder), cwd=cwd,
        env=settings,
    )  # fmt: skip

    assert (summarised.code, transcribed.code) == (0, 0), summarised.err + transcribed.err
    gist = json.loads(summarised.text)
    pieces = json.loads((folder / "meeting.json").read_text())["pieces"]
    times = [(part["start"], part["end"]) for part in gist["transcript"]]
    assert times == [(piece["start"], piece["end"]) for piece in pieces]
    seconds = [t for pair in times for t in pair] + [i["seconds"] for i in gist["points"]]
    assert any(t != int(t) for t in seconds)  # times between whole seconds, to compare
    assert all(round(t, 3) == t for t in seconds)
