"""`voicebridge say` and `voicebridge ask` as a shell user runs them, against MiMo's stand-in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.domain.voices.preset_voices import voices_for
from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.mimo import MIMO_AUDIO_CAPS
from tests.audio_factory import make_audio
from tests.integration.cli.process import clean_env, env, voicebridge
from tests.standins.mimo import FakeMimo
from tests.subtitle_files import parse_srt

probe = FfmpegAudio(processes=FfmpegProcesses(), caps=MIMO_AUDIO_CAPS).probe


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
