"""A model MiMo refuses while the bot runs (model ids move: the chat ids `mimo-v2.5` were routed
to V2.6, then retired on 2026-10-21): the chat hears one sentence naming the setting to change,
and the log has one line naming it too (and the model to set it to, where MiMo names one), never
a traceback."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from core.chat.message_catalogue import text
from core.domain.shared_values import ChatRef
from tests.audio_factory import make_audio
from tests.integration.conftest import (
    discord_settings,
    free_listens,
    running,
    running_discord,
    settings_for,
)
from tests.integration.test_faults import answers, eventually
from tests.integration.test_operations import _samples, _value
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


async def test_a_retired_model_is_asked_once_and_its_log_line_names_the_successor(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    sqlite_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An `.env` written before V2.6 still says MIMO_AUDIO_MODEL=mimo-v2.5, which MiMo retired:
    /ask is answered with the one refusal sentence, MiMo is asked once (no retry, retries are
    on), the log has one line naming the setting, the model and its successor, and the metrics
    count a refused model."""
    [listen] = free_listens()
    note_audio = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url,
                            mimo_audio_model="mimo-v2.5", ops_listen=listen)  # fmt: skip
    with caplog.at_level(logging.INFO):
        async with running(settings, bot_api):
            note = bot_api.voice_message(chat_id=USER, user_id=USER, data=note_audio, duration=2)
            bot_api.push(note)
            await eventually(lambda: answers(bot_api, note), what="the transcript")
            ask = bot_api.text_message(chat_id=USER, user_id=USER, text="/ask Who?", reply_to=note)
            bot_api.push(ask)
            await eventually(lambda: answers(bot_api, ask), what="the refusal")
            samples = await _samples(listen)

    assert answers(bot_api, ask) == [
        text("error.mimo_model_refused", "en", model="mimo-v2.5", setting="MIMO_AUDIO_MODEL")
    ]
    assert [body["model"] for body in mimo.requests if body["model"] != "mimo-v2.5-asr"] == [
        "mimo-v2.5"
    ]
    [logged] = logged_errors(caplog)
    assert logged.exc_info is None and "Traceback" not in caplog.text
    line = logged.getMessage()
    assert "\n" not in line
    assert line.startswith("MiMo refused mimo-v2.5, the model MIMO_AUDIO_MODEL names (MiMo "
                           "answered 404: The model mimo-v2.5 has been retired; use "
                           "mimo-v2.6-flash)")  # fmt: skip
    assert "set MIMO_AUDIO_MODEL to mimo-v2.6-flash, the model MiMo names instead" in line
    assert _value(samples, "voicebridge_mimo_errors_total", kind="model_refused") == 1
    assert _value(samples, "voicebridge_mimo_errors_total", kind="bad_request") == 0


async def test_a_long_recording_stops_at_its_first_refused_piece(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    sqlite_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Cut into pieces of 10 s, sent one at a time: the first piece refused, the others would be
    refused alike, so none is sent; one answer, one line in the log."""
    mimo.refused_models.add("mimo-v2.5-asr")
    note_audio = make_audio(tmp_path, fmt="ogg", seconds=35).read_bytes()
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url,
                            asr_piece_seconds=10, asr_concurrency=1)  # fmt: skip
    expected = text(
        "error.mimo_model_refused", "en", model="mimo-v2.5-asr", setting="MIMO_ASR_MODEL"
    )
    with caplog.at_level(logging.INFO):
        async with running(settings, bot_api):
            note = bot_api.voice_message(chat_id=USER, user_id=USER, data=note_audio, duration=35)
            bot_api.push(note)
            await eventually(lambda: expected in answers(bot_api, note), what="the refusal")

    assert answers(bot_api, note) == [expected]
    assert len(mimo.calls("mimo-v2.5-asr")) == 1
    [logged] = logged_errors(caplog)
    assert "set MIMO_ASR_MODEL to a model MiMo offers" in logged.getMessage()
    assert "could not be transcribed" not in caplog.text


async def test_a_refused_translation_model_leaves_the_transcript_and_names_its_setting(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    sqlite_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """/autotranslate en in a chat: the chat model refused, the transcript comes all the same,
    and the log names MIMO_CHAT_MODEL (it had said only MimoModelRefused)."""
    from tests.integration.test_one_call_per_event import translated_into_english

    mimo.asr_text = "我们明天见"
    mimo.refused_models.add("mimo-v2.6-flash")
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url)
    await translated_into_english(settings, ChatRef("telegram", str(USER)))
    note_audio = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    with caplog.at_level(logging.INFO):
        async with running(settings, bot_api):
            note = bot_api.voice_message(chat_id=USER, user_id=USER, data=note_audio)
            bot_api.push(note)
            await eventually(lambda: answers(bot_api, note), what="the transcript")

    assert answers(bot_api, note) == ["我们明天见"]
    [logged] = logged_errors(caplog)
    assert logged.exc_info is None and "Traceback" not in caplog.text
    assert "set MIMO_CHAT_MODEL to a model MiMo offers" in logged.getMessage()


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


GROUP, ANN = -1007200, 7201


async def test_each_telegram_command_says_its_refused_model_once_naming_the_setting(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    sqlite_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Speech recognition still works; the speech, voice design, audio and chat models are
    refused: each command's answer is the one sentence naming the model's setting, each logged
    in one line, never a traceback."""
    mimo.asr_text = "we meet tomorrow at noon"
    mimo.refused_models |= {"mimo-v2.5-tts", "mimo-v2.5-tts-voicedesign", "mimo-v2.6-flash"}
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, rate_limit_user_per_minute=20
    )

    def in_group(**content: object) -> dict[str, object]:
        made = bot_api.voice_message if "data" in content else bot_api.text_message
        where = {"chat_id": GROUP, "chat_type": "supergroup"}
        if str(content.get("text")).startswith("/voice"):  # a group's voices are its admins'
            where = {"chat_id": ANN, "chat_type": "private"}
        message = made(user_id=ANN, **where, **content)
        bot_api.push(message)
        return message

    def refusal(model: str, setting: str) -> str:
        return text("error.mimo_model_refused", "en", model=model, setting=setting)

    with caplog.at_level(logging.INFO):
        async with running(settings, bot_api):
            note = in_group(data=make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes())
            await eventually(lambda: answers(bot_api, note), what="the transcript")
            in_group(text="Let us ship on Friday")
            answered = {}
            for typed, model, setting in [
                ("/say Hi there", "mimo-v2.5-tts", "MIMO_TTS_MODEL"),
                ("/voice design Narrator a calm low voice", "mimo-v2.5-tts-voicedesign",
                 "MIMO_VOICEDESIGN_MODEL"),
                ("/ask When do we meet?", "mimo-v2.6-flash", "MIMO_AUDIO_MODEL"),
                ("/tldr", "mimo-v2.6-flash", "MIMO_CHAT_MODEL"),
                ("/translate fr", "mimo-v2.6-flash", "MIMO_CHAT_MODEL"),
                ("/summary 200", "mimo-v2.6-flash", "MIMO_CHAT_MODEL"),
            ]:  # fmt: skip
                reply_to = None if typed.startswith(("/say", "/voice", "/summary")) else note
                command = in_group(text=typed, reply_to=reply_to)
                expected = refusal(model, setting)
                await eventually(
                    lambda c=command, e=expected: e in answers(bot_api, c),  # type: ignore[misc]
                    what=f"{typed}'s refusal",
                )
                answered[typed] = answers(bot_api, command)

    assert all(len(said) == 1 for said in answered.values()), answered
    logged = logged_errors(caplog)
    assert len(logged) == len(answered)
    assert all(record.exc_info is None for record in logged) and "Traceback" not in caplog.text
