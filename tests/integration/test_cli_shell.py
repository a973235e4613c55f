"""`voicebridge transcribe`, `say` and `ask` as a shell user runs them: the real command in an
empty working folder, MiMo's stand-in at the far end, audio made by ffmpeg."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from core.domain.tts import voices_for
from core.infra.audio.converter import FfmpegAudio
from core.infra.audio.processes import FfmpegProcesses
from tests.audio_factory import make_audio, make_speech_like, make_text_file
from tests.integration.cli_process import clean_env, command, voicebridge, voicebridge_on_terminal
from tests.standins.mimo import SERVER_ERROR, FakeMimo
from tests.subtitle_files import parse_srt, parse_vtt

probe = FfmpegAudio(processes=FfmpegProcesses()).probe
PIECE_SECONDS = "10"  # the smallest ASR_PIECE_SECONDS: several pieces from a short recording


@pytest_asyncio.fixture
async def mimo() -> AsyncIterator[FakeMimo]:
    async with FakeMimo(answer_text="Two people talk about the weather.") as server:
        yield server


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    """The empty folder the command runs in: whatever it leaves there, the test sees."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    return folder


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    folder = tmp_path / "recordings"
    folder.mkdir()
    return folder


def env(mimo: FakeMimo, **settings: str) -> dict[str, str]:
    """What a user exports: the key and MiMo's address, and no database anywhere."""
    return clean_env(MIMO_API_KEY=mimo.api_key, MIMO_BASE_URL=mimo.base_url, **settings)


def long_recording(folder: Path, name: str, *, bursts: int = 4) -> Path:
    """Speech-like bursts of 8 s with pauses between: several pieces at PIECE_SECONDS."""
    fmt = name.rsplit(".", 1)[1]
    return make_speech_like(folder / name, fmt=fmt, bursts=bursts, burst_seconds=8, pause_seconds=1)


# Transcripts


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


async def test_a_recording_that_fails_leaves_the_others_done(
    mimo: FakeMimo, cwd: Path, recordings: Path
) -> None:
    broken = make_text_file(recordings, name="notes.ogg")
    good = make_audio(recordings, fmt="mp3", seconds=2)

    done = await voicebridge("transcribe", str(broken), str(good), cwd=cwd, env=env(mimo))

    assert done.code == 4
    assert done.err.splitlines() == [
        f"voicebridge: {broken}: I could not read that file as audio. Is it corrupt or in an "
        "unusual format?"
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


# Speech


@pytest.mark.parametrize(
    ("name", "codec"), [("hi.mp3", "mp3"), ("hi.wav", "pcm_s16le"), ("hi.ogg", "opus")]
)
async def test_say_writes_the_format_its_extension_names(
    mimo: FakeMimo, cwd: Path, name: str, codec: str
) -> None:
    done = await voicebridge(
        "say", "晚上好", "--voice", "茉莉", "--style", "happy", "-o", name, cwd=cwd, env=env(mimo)
    )

    assert (done.code, done.text, done.err) == (0, "", "")
    assert [p.name for p in cwd.iterdir()] == [name]
    audio = await probe(cwd / name)
    assert audio.codec == codec
    assert audio.duration == pytest.approx(0.5, abs=0.1)  # the stand-in's clip of 3 characters
    [request] = mimo.calls("mimo-v2.5-tts")
    assert request["audio"]["voice"] == "茉莉"
    assert request["messages"] == [{"role": "assistant", "content": "(happy)晚上好"}]


@pytest.mark.parametrize(
    ("options", "model", "messages"),
    [
        (
            ["--model", "mimo-v2-tts", "--style", "Whisper"],
            "mimo-v2-tts",
            [{"role": "assistant", "content": "<style>Whisper</style>Good night."}],
        ),
        (
            ["--style", "faster"],
            "mimo-v2.5-tts",
            [{"role": "assistant", "content": "(speed up)Good night."}],
        ),
        (
            ["--style", "slowly and softly, like a bedtime story"],
            "mimo-v2.5-tts",
            [
                {"role": "user", "content": "slowly and softly, like a bedtime story"},
                {"role": "assistant", "content": "Good night."},
            ],
        ),
    ],
)
async def test_a_styled_say_asks_for_the_style_in_the_models_syntax(
    mimo: FakeMimo, cwd: Path, options: list[str], model: str, messages: list[dict[str, str]]
) -> None:
    done = await voicebridge("say", "Good night.", *options, "-o", "n.ogg", cwd=cwd, env=env(mimo))

    assert (done.code, done.err) == (0, "")
    [request] = mimo.calls("mimo-")
    assert (request["model"], request["messages"]) == (model, messages)


async def test_a_long_text_is_spoken_in_pieces_and_subtitled_where_each_is_heard(
    mimo: FakeMimo, cwd: Path, tmp_path: Path
) -> None:
    sentences = [f"This is sentence number {n}, which is spoken on its own." for n in range(1, 7)]
    out = tmp_path / "out"

    done = await voicebridge(
        "say", " ".join(sentences), "-o", str(out / "story.mp3"),
        "--subtitles", str(out / "story.srt"), cwd=cwd, env=env(mimo, TTS_PIECE_CHARS="120"),
    )  # fmt: skip

    assert (done.code, done.err) == (0, "")
    spoken = [call["messages"][-1]["content"] for call in mimo.calls("mimo-v2.5-tts")]
    assert sorted(spoken) == sorted(" ".join(sentences[i : i + 2]) for i in range(0, 6, 2))
    cues = parse_srt((out / "story.srt").read_text())
    assert " ".join(cue.text.replace("\n", " ") for cue in cues) == " ".join(sentences)
    # Each piece lasts as long as the stand-in speaks it (0.05 s a character), a 0.3 s pause
    # between pieces: the cues' times are exact where one piece ends and the next begins.
    pieces = [" ".join(sentences[i : i + 2]) for i in range(0, 6, 2)]
    starts = [sum(len(piece) * 0.05 + 0.3 for piece in pieces[:i]) for i in range(3)]
    firsts = tuple(sentences[i] for i in range(0, 6, 2))
    piece_starts = [cue.start for cue in cues if cue.text.replace("\n", " ").startswith(firsts)]
    assert piece_starts == [pytest.approx(start, abs=0.01) for start in starts]
    duration = (await probe(out / "story.mp3")).duration
    assert cues[-1].end == pytest.approx(duration, abs=0.1)
    assert list(cwd.iterdir()) == []


async def test_list_voices_shows_the_models_voices_without_a_key(cwd: Path) -> None:
    default = await voicebridge("say", "--list-voices", cwd=cwd, env=clean_env())
    older = await voicebridge(
        "say", "--list-voices", "--model", "mimo-v2-tts", cwd=cwd, env=clean_env()
    )

    assert (default.code, default.err) == (0, "")
    assert default.text.splitlines() == [v.description for v in voices_for("mimo-v2.5-tts")]
    assert "茉莉 — Chinese, female, gentle and mature" in default.text.splitlines()
    assert older.text.splitlines() == [v.description for v in voices_for("mimo-v2-tts")]


# Questions


async def test_ask_prints_the_answer_or_json(mimo: FakeMimo, cwd: Path, recordings: Path) -> None:
    recording = make_audio(recordings, fmt="m4a", seconds=4)

    plain = await voicebridge("ask", str(recording), "What is it about?", cwd=cwd, env=env(mimo))
    scripted = await voicebridge(
        "ask", str(recording), "Who speaks?", "--json", cwd=cwd, env=env(mimo)
    )

    assert (plain.code, plain.text, plain.err) == (0, "Two people talk about the weather.\n", "")
    answer = json.loads(scripted.text)
    assert answer["answer"] == "Two people talk about the weather."
    assert (answer["file"], answer["question"]) == (str(recording), "Who speaks?")
    assert answer["usage"]["prompt_tokens"] > 0


# Quiet, and the exit codes


async def test_no_log_lines_without_verbose(mimo: FakeMimo, cwd: Path, recordings: Path) -> None:
    recording = make_audio(recordings, fmt="ogg", seconds=2)
    settings = env(mimo, LOG_LEVEL="DEBUG")  # the bots' setting does not make the shell talk

    quiet = await voicebridge("transcribe", str(recording), cwd=cwd, env=settings)
    verbose = await voicebridge("transcribe", str(recording), "-vv", cwd=cwd, env=settings)

    assert (quiet.code, quiet.err) == (0, "")
    assert verbose.code == 0
    assert re.search(r"INFO core\.app\.transcription: transcribed 2\.0 s in 1 piece", verbose.err)
    assert "DEBUG" in verbose.err
    assert mimo.api_key not in verbose.err
    assert quiet.text == verbose.text == "heard 2.0 seconds\n"


@pytest.mark.parametrize(
    ("case", "code", "said"),
    [
        ("no key", 2, "MIMO_API_KEY is not set (put it in the environment or in .env)"),
        ("no such file", 3, "nope.ogg: No such file or directory"),
        ("a folder", 3, "recordings: Is a directory"),
        ("not audio", 4, "notes.ogg: I could not read that file as audio."),
        ("key refused", 5, "MiMo refused the API key: check MIMO_API_KEY"),
        ("balance used up", 5, "The MiMo account's balance is used up"),
        ("MiMo down", 6, "The speech service is not responding right now."),
        ("unknown option", 2, "No such option '--colour'"),
    ],
)
async def test_each_failure_is_one_line_and_its_exit_code(
    mimo: FakeMimo, cwd: Path, recordings: Path, case: str, code: int, said: str
) -> None:
    recording = make_audio(recordings, fmt="ogg", seconds=2)
    settings = env(mimo, MIMO_MAX_RETRIES="0")
    args = ["transcribe", str(recording)]
    if case == "no key":
        del settings["MIMO_API_KEY"]
    elif case == "no such file":
        args = ["transcribe", "nope.ogg"]
    elif case == "a folder":
        args = ["ask", str(recordings), "What?"]
    elif case == "not audio":
        args = ["transcribe", str(make_text_file(recordings, name="notes.ogg"))]
    elif case == "key refused":
        settings["MIMO_API_KEY"] = "not-the-key"
    elif case == "balance used up":
        mimo.fail_next(402)
    elif case == "MiMo down":
        mimo.fail_always(SERVER_ERROR)
    elif case == "unknown option":
        args.append("--colour")

    done = await voicebridge(*args, cwd=cwd, env=settings)

    assert done.code == code
    [line] = done.err.splitlines()
    assert line.startswith("voicebridge: ") and said in line
    assert done.text == ""
    assert list(cwd.iterdir()) == []


async def test_say_refuses_a_format_it_cannot_write_before_asking_mimo(
    mimo: FakeMimo, cwd: Path
) -> None:
    done = await voicebridge("say", "Hello", "-o", "hello.flac", cwd=cwd, env=env(mimo))

    assert done.code == 2
    assert done.err == (
        "voicebridge: hello.flac: the extension chooses the format: .ogg or .opus (OGG/Opus), "
        ".mp3 or .wav.\n"
    )
    assert mimo.requests == []


async def test_ctrl_c_stops_with_130_and_leaves_nothing_behind(
    cwd: Path, recordings: Path, tmp_path: Path
) -> None:
    recording = long_recording(recordings, "talk.m4a")
    async with FakeMimo(delay=5) as slow:  # the first pieces are still on their way
        process = await asyncio.create_subprocess_exec(
            *command(), "transcribe", str(recording), "-f", "srt", "-o", str(tmp_path / "subs"),
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


async def test_a_reader_that_stops_reading_ends_it_quietly(
    mimo: FakeMimo, cwd: Path, recordings: Path
) -> None:
    recording = make_audio(recordings, fmt="ogg", seconds=2)
    reader, writer = os.pipe()
    os.close(reader)  # `| head` that has had enough
    try:
        process = await asyncio.create_subprocess_exec(
            *command(), "transcribe", str(recording), cwd=cwd, env=env(mimo),
            stdout=writer, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
    finally:
        os.close(writer)
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)

    assert (process.returncode, err) == (141, b"")
