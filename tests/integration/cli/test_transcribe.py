"""`voicebridge transcribe` as a shell user runs it: the real command in an empty working folder,
MiMo's stand-in at the far end, recordings made by ffmpeg."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.mimo import MIMO_AUDIO_CAPS
from tests.audio_factory import make_audio, make_text_file
from tests.integration.cli.process import (
    PIECE_SECONDS,
    env,
    long_recording,
    voicebridge,
    voicebridge_on_terminal,
)
from tests.standins.mimo import FakeMimo
from tests.subtitle_files import parse_srt, parse_vtt
from tests.voicebridge_process import start

probe = FfmpegAudio(processes=FfmpegProcesses(), caps=MIMO_AUDIO_CAPS).probe


async def test_several_recordings_into_several_formats_line_up_with_their_pieces(
    mimo: FakeMimo, cwd: Path, recordings: Path, tmp_path: Path
) -> None:
    first = long_recording(recordings, "meeting.m4a")
    second = long_recording(recordings, "call.ogg", bursts=3)
    subs = tmp_path / "subs"
    formats = ["-f", "srt", "-f", "vtt", "-f", "json", "-f", "txt"]

    done = await voicebridge(
        "transcribe", str(first), str(second), *formats, "--output-dir", str(subs),
        cwd=cwd, env=env(mimo, ASR_PIECE_SECONDS=PIECE_SECONDS),
    )  # fmt: skip

    assert (done.code, done.text, done.err) == (0, "", "")
    assert sorted(p.name for p in subs.iterdir()) == sorted(
        f"{stem}.{fmt}" for stem in ("meeting", "call") for fmt in ("srt", "vtt", "json", "txt")
    )
    assert list(cwd.iterdir()) == []
    pieces_in_all = 0
    for recording in (first, second):
        stem = subs / recording.stem
        document = (stem.with_suffix(".json")).read_text()
        transcript = json.loads(document)
        assert json.dumps(transcript, ensure_ascii=False, indent=2) + "\n" == document
        pieces = transcript["pieces"]
        assert len(pieces) > 1
        assert pieces[0]["start"] == 0
        assert pieces[-1]["end"] == pytest.approx((await probe(recording)).duration, abs=0.05)
        assert all(a["end"] == b["start"] for a, b in itertools.pairwise(pieces))
        assert transcript["text"] == " ".join(piece["text"] for piece in pieces)
        assert stem.with_suffix(".txt").read_text() == transcript["text"] + "\n"
        for cues in (
            parse_srt(stem.with_suffix(".srt").read_text()),
            parse_vtt(stem.with_suffix(".vtt").read_text()),
        ):
            # Within the millisecond both formats round to.
            times = [pytest.approx((p["start"], p["end"]), abs=0.0015) for p in pieces]
            assert [(c.start, c.end) for c in cues] == times
            assert [c.text for c in cues] == [p["text"] for p in pieces]
        pieces_in_all += len(pieces)
    assert len(mimo.calls("mimo-v2.5-asr")) == pieces_in_all


async def test_one_recording_in_one_format_goes_to_standard_output(
    mimo: FakeMimo, cwd: Path, recordings: Path
) -> None:
    recording = make_audio(recordings, fmt="m4a", seconds=4)

    done = await voicebridge(
        "transcribe", str(recording), "--language", "en", cwd=cwd, env=env(mimo)
    )

    assert (done.code, done.text, done.err) == (0, "heard 4.0 seconds\n", "")
    assert mimo.calls("mimo-v2.5-asr")[0]["asr_options"] == {"language": "en"}
    assert list(recordings.iterdir()) == [recording]


@pytest.mark.parametrize("language", ["ja", "de", "ZH"])
async def test_any_language_the_bot_speaks_can_be_named(
    mimo: FakeMimo, cwd: Path, recordings: Path, language: str
) -> None:
    """MiMo's recognition is told zh or en; a language it is not told is recognised as with
    auto, and the JSON says which the user named."""
    recording = make_audio(recordings, fmt="ogg", seconds=2)

    done = await voicebridge(
        "transcribe", str(recording), "-l", language, "-f", "json", cwd=cwd, env=env(mimo)
    )

    assert (done.code, done.err) == (0, "")
    [asked] = mimo.calls("mimo-v2.5-asr")
    told = "zh" if language == "ZH" else "auto"
    assert asked["asr_options"] == {"language": told}
    assert json.loads(done.text)["language"] == language.lower()


async def test_standard_input_in_and_standard_output_out(mimo: FakeMimo, cwd: Path) -> None:
    recording = make_audio(cwd.parent, fmt="ogg", seconds=3).read_bytes()

    transcribed = await voicebridge(
        "transcribe", "-", "--format", "json", cwd=cwd, env=env(mimo), stdin=recording
    )
    spoken = await voicebridge("say", "-", cwd=cwd, env=env(mimo), stdin=b"Read from a pipe.")

    assert (transcribed.code, transcribed.err) == (0, "")
    transcript = json.loads(transcribed.text)
    assert (transcript["file"], transcript["text"]) == ("-", "heard 3.0 seconds")
    assert transcript["duration"] == pytest.approx(3.0, abs=0.05)
    assert (spoken.code, spoken.err) == (0, "")
    assert spoken.out.startswith(b"OggS")
    assert mimo.calls("mimo-v2.5-tts")[0]["messages"][-1]["content"] == "Read from a pipe."
    assert list(cwd.iterdir()) == []


async def test_a_progress_bar_is_drawn_on_a_terminal_and_absent_in_a_pipe(
    mimo: FakeMimo, cwd: Path, recordings: Path
) -> None:
    recording = long_recording(recordings, "lecture.m4a")
    settings = env(mimo, ASR_PIECE_SECONDS=PIECE_SECONDS)

    shown = await voicebridge_on_terminal("transcribe", str(recording), cwd=cwd, env=settings)
    piped = await voicebridge("transcribe", str(recording), cwd=cwd, env=settings)

    pieces = len(piped.text.split("heard")) - 1
    assert (shown.code, shown.text) == (0, piped.text)
    bars = [line for line in shown.err.split("\r") if "lecture.m4a" in line]
    assert re.search(r"lecture\.m4a +\[-+\] +0%", bars[0])
    assert re.search(rf"\[#+\] +100% +0:35 of 0:35 · pieces done: {pieces}\b", bars[-1])
    assert len(bars) > pieces  # it moved as the pieces came in
    assert piped.code == 0 and piped.err == ""


async def test_the_progress_bar_ends_full_when_the_work_is_done(
    mimo: FakeMimo, cwd: Path, recordings: Path
) -> None:
    """An MP3 of 4 s (4.03 s as ffmpeg counts it, its encoder's delay included): the bar used
    to count to the length's next whole second and end at 80 %, the transcript written."""
    note = make_audio(recordings, fmt="mp3", seconds=4)

    shown = await voicebridge_on_terminal("transcribe", str(note), cwd=cwd, env=env(mimo))

    bars = [line for line in shown.err.split("\r") if note.name in line]
    assert (shown.code, shown.text) == (0, "heard 4.0 seconds\n")
    assert re.search(r"\[#+\] +100% +0:04 of 0:04 · pieces done: 1\b", bars[-1]), bars[-1]


async def test_a_recording_that_fails_leaves_the_others_done(
    mimo: FakeMimo, cwd: Path, recordings: Path
) -> None:
    broken = make_text_file(recordings, name="notes.ogg")
    good = make_audio(recordings, fmt="mp3", seconds=2)

    done = await voicebridge("transcribe", str(broken), str(good), cwd=cwd, env=env(mimo))

    assert done.code == 4
    assert done.err.splitlines() == [
        f"voicebridge: {broken}: The file cannot be read as audio: is it damaged, or in a format "
        "ffmpeg does not read?"
    ]
    assert sorted(p.name for p in recordings.iterdir()) == ["mp3-2s.mp3", "mp3-2s.txt", "notes.ogg"]
    assert (recordings / "mp3-2s.txt").read_text() == "heard 2.0 seconds\n"


async def test_pieces_lost_to_mimo_are_marked_and_said(
    mimo: FakeMimo, cwd: Path, recordings: Path
) -> None:
    recording = long_recording(recordings, "talk.m4a")
    mimo.fail_next(500)  # one piece, with no retries left

    done = await voicebridge(
        "transcribe", str(recording), "-f", "txt",
        cwd=cwd, env=env(mimo, ASR_PIECE_SECONDS=PIECE_SECONDS, MIMO_MAX_RETRIES="0"),
    )  # fmt: skip

    assert done.code == 6
    [marker] = re.findall(r"\[(\d:\d\d–\d:\d\d) could not be transcribed\]", done.text)
    assert done.err == (
        f"voicebridge: {recording}: {marker} could not be transcribed; the transcript marks "
        "where.\n"
    )


@pytest.fixture
def ctrl_c_as_at_a_terminal() -> Iterator[None]:
    """Children started while this process ignores SIGINT ignore it too, as POSIX has every
    program started in the background by a non-interactive shell (`pytest &`), and Ctrl-C could
    not stop them: the command line is started as from a terminal instead."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


@pytest.mark.usefixtures("ctrl_c_as_at_a_terminal")
async def test_ctrl_c_stops_with_130_and_leaves_nothing_behind(
    cwd: Path, recordings: Path, tmp_path: Path
) -> None:
    recording = long_recording(recordings, "talk.m4a")
    async with FakeMimo() as slow:
        slow.release = asyncio.Event()  # the first pieces are still on their way
        process = await start(
            "transcribe", str(recording), "-f", "srt", "-o", str(tmp_path / "subs"),
            cwd=cwd, env=env(slow, ASR_PIECE_SECONDS=PIECE_SECONDS),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        while not slow.requests:
            await asyncio.sleep(0.05)
        process.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)

    assert (process.returncode, out, err) == (130, b"", b"")
    assert not (tmp_path / "subs").exists()
    assert list(cwd.iterdir()) == []


async def test_sigterm_stops_as_ctrl_c_does_and_leaves_no_copy_of_standard_input(
    cwd: Path, recordings: Path, tmp_path: Path
) -> None:
    """A service manager or `timeout` stops the command with SIGTERM: its copy of standard input
    goes, and the exit code is the documented one, whether it was still reading or already
    waiting for MiMo."""
    data = long_recording(recordings, "talk.ogg").read_bytes()
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    async with FakeMimo() as slow:
        slow.release = asyncio.Event()  # MiMo never answers: the stop comes first
        codes = []
        for still_reading in (True, False):
            process = await start(
                "transcribe", "-", "-f", "txt",
                cwd=cwd, env=env(slow, ASR_PIECE_SECONDS=PIECE_SECONDS, TMPDIR=str(temporary)),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            assert process.stdin is not None
            process.stdin.write(data[: len(data) // 2] if still_reading else data)
            await process.stdin.drain()
            if not still_reading:
                process.stdin.close()
            requests = len(slow.requests)
            # Until the copy is being written (still reading) or MiMo is asked (done reading).
            while not (
                any(temporary.iterdir()) and (still_reading or len(slow.requests) > requests)
            ):
                await asyncio.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(process.communicate(), timeout=60)
            codes.append((process.returncode, out, err))

    assert codes == [(143, b"", b""), (143, b"", b"")]
    assert list(temporary.iterdir()) == []
    assert list(cwd.iterdir()) == []


async def test_an_output_that_cannot_be_written_does_not_stop_the_others(
    mimo: FakeMimo, cwd: Path, recordings: Path, tmp_path: Path
) -> None:
    first = make_audio(recordings / "first.ogg", fmt="ogg", seconds=2)
    second = make_audio(recordings / "second.ogg", fmt="ogg", seconds=3)
    subs = tmp_path / "subs"
    (subs / "first.txt").mkdir(parents=True)  # a folder where a transcript should go

    done = await voicebridge(
        "transcribe", str(first), str(second), "-f", "txt", "-f", "srt", "-o", str(subs),
        cwd=cwd, env=env(mimo),
    )  # fmt: skip

    assert done.code == 3
    assert done.err.startswith("voicebridge: ") and "first.txt" in done.err
    assert len(done.err.splitlines()) == 1
    assert (subs / "first.srt").read_text().startswith("1\n")
    assert (subs / "second.txt").read_text() == "heard 3.0 seconds\n"
    assert (subs / "second.srt").exists()
