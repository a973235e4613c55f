"""`voicebridge run` and `voicebridge db` as a user runs them: a real process configured by its
environment alone. The shell commands (transcribe, say, ask) are tested in cli/."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from core.infra.storage import alembic_config
from core.infra.storage.database_engines import downgrade
from tests.audio_factory import make_audio
from tests.integration.cli.process import clean_env, voicebridge
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi
from tests.voicebridge_process import Started, start

USER = 555


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """A clean environment, the database in the test's folder."""
    return clean_env(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", **settings)


async def _voicebridge(tmp_path: Path, *args: str, **settings: str) -> tuple[int, str, str]:
    done = await voicebridge(*args, cwd=tmp_path, env=_env(tmp_path, **settings))
    return done.code, done.text, done.err


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"}, "MIMO_API_KEY"),
        (
            {"TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ", "MIMO_API_KEY": "changeme"},
            "MIMO_API_KEY",
        ),
        ({"TELEGRAM_BOT_TOKEN": "oops-secret-value", "MIMO_API_KEY": "k-123456"}, "TELEGRAM"),
        ({"TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOP", "MIMO_TIMEOUT_SECONDS": "-1"}, "MIMO"),
    ],
)
async def test_run_fails_fast_with_one_line_naming_the_setting(
    tmp_path: Path, settings: dict[str, str], named: str
) -> None:
    code, _, err = await _voicebridge(tmp_path, "run", **settings)

    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert named in err
    assert "oops-secret-value" not in err
    assert not (tmp_path / "bot.db").exists()  # nothing started


async def test_run_with_no_settings_file_names_the_command_that_writes_one(
    tmp_path: Path,
) -> None:
    """A first `run` in a fresh checkout: no .env, no token. The line says init writes one;
    with a .env there, the setting alone is named."""
    _, _, bare = await _voicebridge(tmp_path, "run")
    (tmp_path / ".env").write_text("LOG_LEVEL=INFO\n")
    _, _, with_file = await _voicebridge(tmp_path, "run")

    assert bare.startswith("voicebridge: no bot to start: set TELEGRAM_BOT_TOKEN or ")
    assert f"; no .env was read in {tmp_path}: " in bare
    # `voicebridge`, or its path where the shell would not find it by name.
    assert bare.endswith(" init writes one\n")
    assert with_file == (
        "voicebridge: no bot to start: set TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN\n"
    )


async def test_a_whole_session_restarts_keeps_preferences_and_never_logs_a_secret(
    tmp_path: Path,
) -> None:
    voice_note = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    async with FakeBotApi() as bot_api, FakeMimo() as mimo:
        settings = {
            "TELEGRAM_BOT_TOKEN": bot_api.token,
            "TELEGRAM_API_URL": bot_api.root,
            "MIMO_API_KEY": mimo.api_key,
            "MIMO_BASE_URL": mimo.base_url,
            "LOG_LEVEL": "DEBUG",
        }
        first = await _start(tmp_path, settings, bot_api)
        bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text="/voice Chloe"))
        await bot_api.wait_for("sendMessage", chat_id=USER)
        first_log = await _stop_run(first)

        second = await _start(tmp_path, settings, bot_api)
        bot_api.push(bot_api.voice_message(chat_id=USER, user_id=USER, data=voice_note))
        await bot_api.wait_until(lambda: bot_api.texts(USER)[-1] == "heard 2.0 seconds")
        bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text="/say Hi there"))
        [voice] = await bot_api.wait_for("sendVoice", chat_id=USER)
        second_log = await _stop_run(second)

    assert mimo.calls("mimo-v2.5-tts")[0]["audio"]["voice"] == "Chloe"
    assert voice.files["voice"].startswith(b"OggS")
    for log in (first_log, second_log):
        assert "DEBUG" in log  # the test really saw verbose output
        assert bot_api.token not in log
        assert bot_api.token.split(":")[1] not in log
        assert mimo.api_key not in log


async def _start(tmp_path: Path, settings: dict[str, str], bot_api: FakeBotApi) -> Started:
    polls = len(bot_api.sent("getUpdates"))
    process = await start(
        "run",
        cwd=tmp_path,
        env=_env(tmp_path, **settings),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    await bot_api.wait_for("getUpdates", count=polls + 1, timeout=60)
    return process


async def _stop_run(process: Started) -> str:
    """SIGTERM, as a service manager stops it; it must exit cleanly. Returns its output."""
    process.send_signal(signal.SIGTERM)
    out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()
    return out.decode() + err.decode()


async def test_db_upgrade_brings_the_schema_to_the_newest_revision_and_says_from_where(
    tmp_path: Path,
) -> None:
    """Each upgrade says what it did: the database made, moved from one revision to the next,
    or left as it was; `db current` prints the revision alone, for scripts."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    scripts = ScriptDirectory.from_config(alembic_config(url))
    head = scripts.get_current_head()
    assert head is not None
    previous = scripts.get_revision(head).down_revision
    every = sum(1 for _ in scripts.walk_revisions())

    code, created, _ = await _voicebridge(tmp_path, "db", "upgrade")
    await downgrade(url, str(previous))
    _, upgraded, _ = await _voicebridge(tmp_path, "db", "upgrade")
    _, current, _ = await _voicebridge(tmp_path, "db", "upgrade")

    assert code == 0
    assert created == f"created at {head} ({every} migrations)\n"
    assert upgraded == f"upgraded from {previous} to {head} (1 migration)\n"
    assert current == f"already up to date at {head}\n"
    assert (await _voicebridge(tmp_path, "db", "current"))[1].strip() == head
