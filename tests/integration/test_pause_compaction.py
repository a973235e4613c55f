"""Long pauses shortened before audio goes to MiMo (COMPACT_PAUSES): less billed, timings still
those of the recording. Real ffmpeg, the real MimoClient, MiMo's stand-in measuring what it
receives."""

from __future__ import annotations

import array
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import imageio_ffmpeg
import pytest

from core.app.recordings.piece_transcriber import Transcriber
from core.app.rules.request_slots import RequestGate
from core.bootstrap import standalone
from core.chat.transcript_files import to_srt
from core.config import Settings
from core.domain.errors import ConfigError
from core.domain.recordings.transcript_values import LongTranscript
from core.domain.shared_values import ChatRef
from core.infra.audio.ffmpeg_binary import choose_ffmpeg, ffmpeg_exe
from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.mimo import MIMO_AUDIO_CAPS, MimoClient
from tests.audio_factory import make_audio, make_speech_like
from tests.standins.mimo import FakeMimo

PROCESSES = FfmpegProcesses()
PLAIN = FfmpegAudio(processes=PROCESSES, caps=MIMO_AUDIO_CAPS)
COMPACT = FfmpegAudio(processes=PROCESSES, caps=MIMO_AUDIO_CAPS, compact_pauses=True)
CHAT = ChatRef("telegram", "17")

# A voice note's rhythm: 2 s of speech, then 3 s of dead air, five times (22 s), over room noise.
BURST, PAUSE, BURSTS = 2.0, 3.0, 5
LENGTH = BURSTS * BURST + (BURSTS - 1) * PAUSE
# What is left of each pause: about half a second, more where the room noise (the same in
# every run: `audio_factory.NOISE_SEED`) pokes over the threshold at the pause's edges.
KEPT, KEPT_AT_MOST = 0.5, 0.8
SPEECH = BURSTS * BURST


@pytest.fixture(scope="module")
def note(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pauses")
    return make_speech_like(
        folder, bursts=BURSTS, burst_seconds=BURST, pause_seconds=PAUSE, noise=0.01
    )


async def transcribe_note(
    audio: FfmpegAudio,
    path: Path,
    mimo: FakeMimo,
    http: httpx.AsyncClient,
    *,
    piece_seconds: float = 10,
) -> LongTranscript:
    client = MimoClient(http=http, api_key=mimo.api_key, base_url=mimo.base_url)
    transcriber = Transcriber(
        speech=client, gate=RequestGate(total=8, per_chat=4), piece_seconds=piece_seconds
    )
    async with audio.asr_pieces(path, piece_seconds=piece_seconds) as pieces:
        return await transcriber.transcribe(pieces, chat=CHAT, language="en")


def decoded_seconds(data: bytes) -> float:
    return len(pcm(data)) / 16_000


def pcm(data: bytes) -> array.array[int]:
    done = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", "16000",
         "pipe:1"],
        input=data, capture_output=True, check=True,
    )  # fmt: skip
    return array.array("h", done.stdout)


async def test_the_pauses_are_not_billed(
    note: Path, mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    plain = await transcribe_note(PLAIN, note, mimo, http, piece_seconds=60)
    compact = await transcribe_note(COMPACT, note, mimo, http, piece_seconds=60)

    # The stand-in bills the seconds it hears: each of the four pauses lost about 2.5 s.
    assert plain.usage.audio_seconds == 22
    saved = plain.usage.audio_seconds - compact.usage.audio_seconds
    assert (BURSTS - 1) * (PAUSE - KEPT_AT_MOST) - 1 <= saved <= (BURSTS - 1) * (PAUSE - KEPT) + 1
    assert compact.usage.audio_seconds >= SPEECH  # no speech was cut
    # what the stand-in heard: the speech and about half a second of each pause
    assert compact.parts[0].text is not None
    heard = float(compact.parts[0].text.split()[1])
    assert SPEECH + (BURSTS - 1) * (KEPT - 0.2) <= heard <= SPEECH + (BURSTS - 1) * KEPT_AT_MOST


async def test_the_pieces_and_subtitles_keep_the_recordings_time(
    note: Path, mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    plain = await transcribe_note(PLAIN, note, mimo, http)
    compact = await transcribe_note(COMPACT, note, mimo, http)

    assert len(compact.parts) == len(plain.parts) == 3
    assert compact.usage.audio_seconds < plain.usage.audio_seconds
    # Same pieces, same places: every cue starts and ends where it did in the recording.
    assert compact.parts[-1].end == pytest.approx(LENGTH, abs=0.05)
    assert cue_times(to_srt(compact.parts)) == pytest.approx(
        cue_times(to_srt(plain.parts)), abs=0.08
    )


def cue_times(srt: str) -> list[float]:
    """Every cue's start and end in an .srt, in seconds, in order."""
    times = []
    for line in srt.splitlines():
        if " --> " in line:
            for stamp in line.split(" --> "):
                hours, minutes, rest = stamp.split(":")
                seconds, millis = rest.split(",")
                times.append(
                    int(hours) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000
                )
    return times


@pytest.mark.parametrize("suffix", [".ogg", ".webm"], ids=["voice note", "long pipeline"])
async def test_each_piece_is_shorter_but_keeps_a_break_where_a_pause_was(
    note: Path, suffix: str
) -> None:
    # An Ogg voice note is decoded by one ffmpeg and compacted in Python (`short_voice_notes`); the
    # same sound in WebM goes through the long pipeline's silenceremove: the same rule either way.
    pieces = await COMPACT.to_asr_pieces(converted(note, suffix), piece_seconds=60)

    (piece,) = pieces
    assert (piece.offset, piece.duration) == pytest.approx((0.0, LENGTH), abs=0.05)
    heard = decoded_seconds(piece.data)
    assert SPEECH + (BURSTS - 1) * (KEPT - 0.2) <= heard <= SPEECH + (BURSTS - 1) * KEPT_AT_MOST


async def test_short_pauses_and_pauseless_sound_are_left_alone(tmp_path: Path) -> None:
    chatty = make_speech_like(tmp_path, bursts=6, burst_seconds=1.0, pause_seconds=0.3)
    hum = make_audio(tmp_path, fmt="ogg", seconds=8, noise=0.05)
    for path in (chatty, hum):
        (plain,) = await PLAIN.to_asr_pieces(path)
        (compact,) = await COMPACT.to_asr_pieces(path)
        assert decoded_seconds(compact.data) == pytest.approx(decoded_seconds(plain.data), abs=0.1)


async def test_the_setting_off_sends_the_pauses_as_they_are(note: Path) -> None:
    (piece,) = await PLAIN.to_asr_pieces(note, piece_seconds=60)
    assert decoded_seconds(piece.data) == pytest.approx(LENGTH, abs=0.15)


async def test_a_clone_sample_is_speech_not_the_silence_after_it(tmp_path: Path) -> None:
    # 2 s of voice, 3 s of nothing, 2 s of voice...: a 6 s sample of the plain recording ends
    # in the second pause; compacted, it reaches the third stretch of speech.
    clip = make_speech_like(tmp_path, bursts=BURSTS, burst_seconds=BURST, pause_seconds=PAUSE)
    plain, _ = await PLAIN.to_clone_sample(clip, max_seconds=6)
    compact, mime = await COMPACT.to_clone_sample(clip, max_seconds=6)

    assert mime == "audio/mpeg"
    assert decoded_seconds(compact) <= 6.2
    assert voiced_seconds(compact) > voiced_seconds(plain) + 1.5


async def test_a_question_about_a_converted_recording_sends_less_silence(note: Path) -> None:
    webm = converted(note, ".webm")  # not a format MiMo takes as it is: converted to MP3

    async with PLAIN.understanding_input(webm, max_seconds=60) as plain:
        plain_seconds = decoded_seconds(plain.path.read_bytes())
    async with COMPACT.understanding_input(webm, max_seconds=60) as compact:
        assert compact.mime == "audio/mpeg"
        assert compact.seconds == pytest.approx(LENGTH, abs=0.05)  # the quota counts the recording
        compact_seconds = decoded_seconds(compact.path.read_bytes())

    assert compact_seconds < plain_seconds - 8


def converted(note: Path, suffix: str) -> Path:
    """`note` as it is (".ogg"), or its Opus in another container (".webm")."""
    if suffix == note.suffix:
        return note
    other = note.with_suffix(suffix)
    if not other.exists():
        subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(note), "-c:a", "copy",
                        str(other)], check=True)  # fmt: skip
    return other


def voiced_seconds(data: bytes) -> float:
    """Seconds of 50 ms blocks louder than a tenth of full scale (the bursts, not the room)."""
    samples = pcm(data)
    block = 800
    loud = [max(map(abs, samples[i : i + block]), default=0) > 3276
            for i in range(0, len(samples), block)]  # fmt: skip
    return sum(loud) * block / 16_000


@pytest.fixture
def ffmpeg_before_6_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An ffmpeg on PATH whose silenceremove has no `timestamp` option, as before 6.1 (Debian
    12's 5.1): the real binary, except that its help for that filter says what 5.1's says."""
    real = ffmpeg_exe()
    folder = tmp_path / "old-ffmpeg"
    folder.mkdir()
    script = folder / "ffmpeg"
    script.write_text(
        "#!/bin/sh\n"
        'for arg in "$@"; do [ "$arg" = filter=silenceremove ] && echo '
        "'silenceremove AVOptions: stop_periods stop_duration stop_threshold' && exit 0; done\n"
        f'exec "{real}" "$@"\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    yield script
    monkeypatch.undo()


async def started_with(settings: Settings, caplog: pytest.LogCaptureFixture) -> str:
    """The line the start says which ffmpeg runs in, and why."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="core.infra.audio.ffmpeg_binary"):
        async with standalone(settings):
            pass
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("ffmpeg: ")]
    return line


async def test_an_ffmpeg_on_path_runs_only_when_ffmpeg_binary_names_it(
    ffmpeg_before_6_1: Path, note: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(_env_file=None, mimo_api_key="sk-test")  # type: ignore[call-arg]
    bundled = await started_with(settings, caplog)
    named = await started_with(settings.model_copy(update={"ffmpeg_binary": "ffmpeg"}), caplog)

    assert bundled == (
        f"ffmpeg: {imageio_ffmpeg.get_ffmpeg_exe()} "
        "(bundled: the imageio-ffmpeg wheel's static build)"
    )
    assert named == (
        f"ffmpeg: {ffmpeg_before_6_1} (FFMPEG_BINARY; it cannot compact the pauses of long "
        "recordings (ffmpeg before 6.1))"
    )
    # It runs, and a voice note is still compacted (in Python, whatever the build); a long
    # recording, converted by the long pipeline, keeps its pauses rather than shift a time.
    named_processes = FfmpegProcesses(executable=choose_ffmpeg("ffmpeg"))  # as the start does
    compact = FfmpegAudio(processes=named_processes, caps=MIMO_AUDIO_CAPS, compact_pauses=True)
    (short,) = await compact.to_asr_pieces(note, piece_seconds=60)
    heard = decoded_seconds(short.data)
    assert SPEECH + (BURSTS - 1) * (KEPT - 0.2) <= heard <= SPEECH + (BURSTS - 1) * KEPT_AT_MOST
    webm = converted(note, ".webm")  # not an Ogg voice note: the long pipeline takes it
    (long,) = await compact.to_asr_pieces(webm, piece_seconds=60)
    assert decoded_seconds(long.data) == pytest.approx(LENGTH, abs=0.15)


async def test_an_ffmpeg_binary_that_is_not_there_stops_the_start_with_one_line() -> None:
    settings = Settings(_env_file=None, mimo_api_key="sk-test", ffmpeg_binary="no-such-ffmpeg")  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match=r"^FFMPEG_BINARY=no-such-ffmpeg: no such program"):
        async with standalone(settings):
            pass
