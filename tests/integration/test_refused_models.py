"""A model MiMo refuses while the bot runs (model ids move: the chat ids `mimo-v2.5` were reported
routed to a newer family, then refused): the chat hears one sentence naming the setting to
change, and the log has one line naming it too, never a traceback."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from core.chat.messages import text
from tests.audio_factory import make_audio
from tests.integration.conftest import discord_settings, running, running_discord, settings_for
from tests.integration.test_faults import answers, eventually
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

USER = 1001


def logged_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_refused_speech_recognition_model_is_one_line_in_the_chat_and_the_log(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    sqlite_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    mimo.refused_models.add("mimo-v2.5-asr")
    note_audio = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url)
    with caplog.at_level(logging.INFO):
        async with running(settings, bot_api):
            note = bot_api.voice_message(chat_id=USER, user_id=USER, data=note_audio, duration=2)
            bot_api.push(note)
            await eventually(lambda: answers(bot_api, note), what="an answer")

    expected = text(
        "error.mimo_model_refused", "en", model="mimo-v2.5-asr", setting="MIMO_ASR_MODEL"
    )
    assert answers(bot_api, note) == [expected]
    [logged] = logged_errors(caplog)
    assert logged.exc_info is None and "Traceback" not in caplog.text
    assert logged.getMessage().startswith("MiMo refused mimo-v2.5-asr, the model MIMO_ASR_MODEL")
    assert "set MIMO_ASR_MODEL to a model MiMo offers" in logged.getMessage()


async def test_a_refused_speech_model_is_one_private_line_on_discord(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    mimo.refused_models.add("mimo-v2.5-tts")
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    with caplog.at_level(logging.INFO):
        async with running_discord(settings, discord_api):
            said = await discord_api.slash(server.general, alice, "say", text="Hello there.")
            [told] = await said.wait_for_messages()

    assert told.ephemeral
    assert told.content == text(
        "error.mimo_model_refused", "en", model="mimo-v2.5-tts", setting="MIMO_TTS_MODEL"
    )
    [logged] = logged_errors(caplog)
    assert logged.exc_info is None and "MIMO_TTS_MODEL" in logged.getMessage()
