"""What the shell commands say when they fail, with which exit code, and what they never print:
log lines without -v."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest

from tests.audio_factory import make_audio, make_text_file
from tests.db_fixtures import migrated_sqlite_at
from tests.integration.cli.process import env, voicebridge
from tests.integration.conftest import free_ports
from tests.standins.mimo import SERVER_ERROR, FakeMimo
from tests.voicebridge_process import start


async def test_no_log_lines_without_verbose(mimo: FakeMimo, cwd: Path, recordings: Path) -> None:
    recording = make_audio(recordings, fmt="ogg", seconds=2)
    settings = env(mimo, LOG_LEVEL="DEBUG")  # the bots' setting does not make the shell talk

    quiet = await voicebridge("transcribe", str(recording), cwd=cwd, env=settings)
    verbose = await voicebridge("transcribe", str(recording), "-vv", cwd=cwd, env=settings)

    assert (quiet.code, quiet.err) == (0, "")
    assert verbose.code == 0
    assert re.search(
        r"INFO core\.app\.recordings\.transcription: transcribed 2\.0 s in 1 piece", verbose.err
    )
    assert "DEBUG" in verbose.err
    assert mimo.api_key not in verbose.err
    assert quiet.text == verbose.text == "heard 2.0 seconds\n"


@pytest.mark.parametrize(
    ("case", "code", "said"),
    [
        ("no key", 2, "MIMO_API_KEY is not set (put it in the environment or in .env)"),
        ("no such file", 3, "nope.ogg: No such file or directory"),
        ("a folder", 3, "recordings: Is a directory"),
        ("not audio", 4, "notes.ogg: The file cannot be read as audio: is it damaged, or in"),
        ("key refused", 5, "MiMo refused the API key: check MIMO_API_KEY"),
        ("balance used up", 5, "The MiMo account's balance is used up"),
        ("MiMo down", 6, "The speech service is not responding right now."),
        (
            "MiMo out of reach",
            6,
            "(ConnectError: All connection attempts failed): check the network and MIMO_BASE_URL.",
        ),
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
    elif case == "MiMo out of reach":
        [port] = free_ports()
        settings["MIMO_BASE_URL"] = f"http://127.0.0.1:{port}/v1"
        said = f"voicebridge: {recording}: cannot reach MiMo at http://127.0.0.1:{port}/v1 {said}"
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


async def test_it_speaks_the_language_of_the_shell_s_locale(
    mimo: FakeMimo, cwd: Path, recordings: Path
) -> None:
    """A Chinese LANG: the command line's own sentences and the bots' read in Chinese. LC_ALL=C
    outranks LANG, as in gettext: English."""
    chinese = env(mimo, LANG="zh_CN.UTF-8")
    not_audio = make_text_file(recordings, name="notes.ogg")

    refused = await voicebridge("say", "Hello", "-o", "hello.flac", cwd=cwd, env=chinese)
    unreadable = await voicebridge("transcribe", str(not_audio), cwd=cwd, env=chinese)
    english = await voicebridge(
        "say", "Hello", "-o", "hello.flac", cwd=cwd, env=chinese | {"LC_ALL": "C"}
    )

    assert refused.err == (
        "voicebridge: hello.flac：格式由扩展名决定：.ogg 或 .opus（OGG/Opus）、.mp3 或 .wav。\n"
    )
    assert unreadable.code == 4
    assert unreadable.err.endswith(
        "notes.ogg: 无法把这个文件当作音频读取：文件是不是损坏了，或者是 ffmpeg 读不了的格式？\n"
    )
    assert english.err.startswith("voicebridge: hello.flac: the extension chooses the format")


async def test_a_reader_that_stops_reading_ends_it_quietly(
    mimo: FakeMimo, cwd: Path, recordings: Path
) -> None:
    recording = make_audio(recordings, fmt="ogg", seconds=2)
    reader, writer = os.pipe()
    os.close(reader)  # `| head` that has had enough
    try:
        process = await start(
            "transcribe", str(recording), cwd=cwd, env=env(mimo),
            stdout=writer, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
    finally:
        os.close(writer)
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)

    assert (process.returncode, err) == (141, b"")


async def test_a_group_s_id_typed_bare_to_find_says_how_to_name_the_chat(
    mimo: FakeMimo, cwd: Path
) -> None:
    """-1001234567890 reads as an option to Click ("No such option '-1'"): the line says to
    write telegram:-1001234567890, as find's help does."""
    done = await voicebridge("find", "-1001234567890", "beta", cwd=cwd, env=env(mimo))
    german = await voicebridge(
        "find", "-1001234567890", "beta", cwd=cwd, env=env(mimo, LANGUAGE="de")
    )
    unknown = await voicebridge(
        "find", "telegram:-1001", "beta", "--colour", cwd=cwd, env=env(mimo)
    )

    assert done.code == 2
    assert done.err == (
        "voicebridge: -1001234567890 is read as an option: name the chat with its platform, "
        "telegram:-1001234567890 (see voicebridge find --help)\n"
    )
    assert german.code == 2
    assert german.err == (  # in the shell's language, as the command line's every sentence
        "voicebridge: -1001234567890 wird als Option gelesen: gib den Chat mit seiner Plattform "
        "an, also telegram:-1001234567890 (siehe voicebridge find --help)\n"
    )
    assert unknown.code == 2 and "No such option '--colour'" in unknown.err  # as before


async def test_a_blank_question_or_search_asks_for_it_as_the_command_line_would(
    mimo: FakeMimo, cwd: Path, recordings: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`ask FILE ""` and `find CHAT " "` say what to give, in the command line's words: the
    core's refusals are the chat's ("There is no text to speak", "/find WORDS, for example
    /find invoice"). Neither reads the recording nor asks MiMo."""
    recording = make_audio(recordings, fmt="ogg", seconds=2)
    database = cwd / "voicebridge.db"
    await migrated_sqlite_at(database, tmp_path_factory)
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{database}")

    question = await voicebridge("ask", str(recording), "  ", cwd=cwd, env=settings)
    words = await voicebridge("find", "telegram:-1001", " ", cwd=cwd, env=settings)
    german = await voicebridge(
        "ask", str(recording), "", cwd=cwd, env=settings | {"LANGUAGE": "de"}
    )

    assert (question.code, question.err) == (
        4, "voicebridge: give the question to ask about the recording.\n"
    )  # fmt: skip
    assert (words.code, words.err) == (
        4, "voicebridge: give the words to find in the chat's kept transcripts.\n"
    )  # fmt: skip
    assert german.err == "voicebridge: gib die Frage an, die zur Aufnahme gestellt werden soll.\n"
    assert mimo.requests == []


async def test_a_style_too_long_is_named_as_the_style_with_its_limit(
    mimo: FakeMimo, cwd: Path
) -> None:
    """`say --style` with 5,000 characters: the line names --style and the limit, not "That
    text", which reads as the text to speak (a short "hi" here). Nothing is asked of MiMo, and
    no file is written."""
    style = "x" * 5000

    english = await voicebridge(
        "say", "--style", style, "hi", "-o", "hi.ogg", cwd=cwd, env=env(mimo)
    )
    german = await voicebridge(
        "say", "--style", style, "hi", "-o", "hi.ogg", cwd=cwd, env=env(mimo, LANGUAGE="de")
    )

    assert (english.code, english.err) == (
        4, "voicebridge: --style is 5,000 characters long; the limit is 200.\n"
    )  # fmt: skip
    assert german.err == "voicebridge: --style ist 5.000 Zeichen lang; das Limit liegt bei 200.\n"
    assert mimo.requests == []
    assert list(cwd.iterdir()) == []


async def test_a_limit_of_the_settings_is_named_where_it_refuses(
    mimo: FakeMimo, cwd: Path, recordings: Path
) -> None:
    """MAX_SAY_CHARS, MAX_AUDIO_SECONDS and MAX_AUDIO_MB each named in the line that refuses
    for it: the command line's user is the one who sets them ("That recording is too large: the
    limit is 2 sec." named none). Nothing is asked of MiMo."""
    note = make_audio(recordings, fmt="ogg", seconds=4)
    big = make_audio(recordings, fmt="wav", seconds=40)  # 16 kHz, 16-bit: 1.3 MB

    said = await voicebridge(
        "say", "Hello there.", "-o", "hi.ogg", cwd=cwd, env=env(mimo, MAX_SAY_CHARS="5")
    )
    heard = await voicebridge(
        "transcribe", str(note), cwd=cwd, env=env(mimo, MAX_AUDIO_SECONDS="2")
    )
    large = await voicebridge("transcribe", str(big), cwd=cwd, env=env(mimo, MAX_AUDIO_MB="1"))
    french = await voicebridge(
        "transcribe", str(note), cwd=cwd, env=env(mimo, MAX_AUDIO_SECONDS="2", LANGUAGE="fr")
    )

    assert (said.code, said.err) == (
        4, "voicebridge: The text is 12 characters long; MAX_SAY_CHARS allows 5.\n"
    )  # fmt: skip
    assert (heard.code, heard.err) == (
        4, f"voicebridge: {note}: The recording is longer than MAX_AUDIO_SECONDS allows (2 sec).\n"
    )  # fmt: skip
    assert (large.code, large.err) == (
        4, f"voicebridge: {big}: The file is larger than MAX_AUDIO_MB allows (1 MB).\n"
    )  # fmt: skip
    assert french.err == (
        f"voicebridge: {note}: L’enregistrement dure plus longtemps que ne le permet "
        "MAX_AUDIO_SECONDS (2\u202fs).\n"
    )
    assert [body for body in mimo.requests if body["model"] != "mimo-v2.5-tts"] == []
    assert mimo.calls("mimo-v2.5-tts") == []


async def test_a_missing_key_where_no_settings_file_was_read_names_init(
    mimo: FakeMimo, cwd: Path, recordings: Path
) -> None:
    """A first command in a fresh checkout: no .env and no MIMO_API_KEY. Each command that needs
    the key says that no .env was read there and that init writes one, as `run` does, and
    `doctor` says it on its MiMo line; with a .env there, the setting alone is named."""
    recording = make_audio(recordings, fmt="ogg", seconds=2)
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{recordings / 'voicebridge.db'}")
    del settings["MIMO_API_KEY"]
    token = {"TELEGRAM_BOT_TOKEN": "123456:" + "A" * 35}

    commands = [
        ("transcribe", str(recording)),
        ("ask", str(recording), "Who speaks?"),
        ("summarise", str(recording)),
        ("say", "hi", "-o", "hi.ogg"),
    ]
    done = [await voicebridge(*args, cwd=cwd, env=settings) for args in commands]
    run = await voicebridge("run", cwd=cwd, env=settings | token)
    doctor = await voicebridge("doctor", cwd=cwd, env=settings)
    (cwd / ".env").write_text("LOG_LEVEL=INFO\n")
    with_file = await voicebridge("transcribe", str(recording), cwd=cwd, env=settings)

    # `voicebridge`, or its path where the shell would not find it by name.
    hint = re.compile(
        rf"MIMO_API_KEY is not set \(put it in the environment or in \.env\); no \.env was read "
        rf"in {re.escape(str(cwd))}: \S*voicebridge init writes one$"
    )
    for args, one in zip(commands, done, strict=True):
        assert one.code == 2, args
        [line] = one.err.splitlines()
        assert hint.search(line), (args, line)
    [line] = run.err.splitlines()
    assert run.code == 2 and hint.search(line), line
    [mimo_line] = [line for line in doctor.text.splitlines() if line.startswith("✗ MiMo: ")]
    assert doctor.code == 1 and hint.search(mimo_line), mimo_line
    assert (with_file.code, with_file.err) == (
        2, "voicebridge: MIMO_API_KEY is not set (put it in the environment or in .env)\n"
    )  # fmt: skip
    assert mimo.requests == []
