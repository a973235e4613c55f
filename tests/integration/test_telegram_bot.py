"""The Telegram bot end to end: real python-telegram-bot, real MiMo client, real ffmpeg and
SQLite, against loopback stand-ins of the Bot API and MiMo."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.mimo import MIMO_AUDIO_CAPS
from tests.audio_factory import make_audio
from tests.integration.conftest import running, settings_for
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

AUDIO = FfmpegAudio(processes=FfmpegProcesses(), caps=MIMO_AUDIO_CAPS)
probe = AUDIO.probe

USER = 1001
GROUP = -100500


def say(bot_api: FakeBotApi, words: str, *, chat_id: int = USER, user_id: int = USER) -> dict:
    chat_type = "private" if chat_id > 0 else "supergroup"
    message = bot_api.text_message(
        chat_id=chat_id, user_id=user_id, text=words, chat_type=chat_type
    )
    bot_api.push(message)
    return message


async def reply_text(bot_api: FakeBotApi, chat_id: int = USER) -> str:
    already = len(bot_api.sent("sendMessage", chat_id=chat_id))
    calls = await bot_api.wait_for("sendMessage", count=already + 1, chat_id=chat_id)
    return str(calls[-1].params["text"])


@pytest.mark.parametrize(("asr_format", "mime"), [("wav", "audio/wav"), ("mp3", "audio/mpeg")])
async def test_voice_note_gets_its_transcript_as_a_reply(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    sqlite_url: str,
    voice_ogg: bytes,
    asr_format: str,
    mime: str,
) -> None:
    """ASR_AUDIO_FORMAT decides what MiMo is sent: 16 kHz WAV by default, or 48 kbps MP3."""
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, asr_audio_format=asr_format
    )
    async with running(settings, bot_api):
        note = bot_api.voice_message(chat_id=USER, user_id=USER, data=voice_ogg, duration=3)
        bot_api.push(note)
        await bot_api.wait_for_texts(USER, ["heard 3.0 seconds"])

    [reply] = bot_api.sent("sendMessage", chat_id=USER)  # one message (its text may have grown)
    assert reply.params["reply_parameters"]["message_id"] == note["message_id"]
    [request] = mimo.calls(
        "mimo-v2.5-asr"
    )  # "typing…": tests/integration/test_telegram_chat_actions.py
    audio = request["messages"][0]["content"][0]["input_audio"]["data"]
    assert audio.startswith(f"data:{mime};base64,")


async def test_every_kind_of_recording_is_transcribed(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    m4a = make_audio(tmp_path, fmt="m4a", seconds=2).read_bytes()
    mp4 = make_audio(tmp_path, fmt="mp4", seconds=2).read_bytes()
    mp3 = make_audio(tmp_path, fmt="mp3", seconds=2).read_bytes()
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        bot_api.push(bot_api.audio_message(chat_id=USER, user_id=USER, data=mp3))
        bot_api.push(bot_api.video_note_message(chat_id=USER, user_id=USER, data=mp4))
        bot_api.push(bot_api.video_message(chat_id=USER, user_id=USER, data=mp4))
        bot_api.push(
            bot_api.document_message(
                chat_id=USER, user_id=USER, data=m4a, file_name="memo.m4a", mime_type="audio/mp4"
            )
        )
        await bot_api.wait_for_texts(USER, ["heard 2.0 seconds"] * 4)


async def test_say_answers_with_the_voice_note_mimo_spoke(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        say(bot_api, "/say Hello from the test suite, this is a voice note.")
        [sent] = await bot_api.wait_for("sendVoice", chat_id=USER)

    voice = tmp_path / "sent.ogg"
    voice.write_bytes(sent.files["voice"])
    info = await probe(voice)
    returned = tmp_path / "returned.wav"
    returned.write_bytes(mimo.last_tts_wav)
    assert (info.container, info.codec) == ("ogg", "opus")
    assert info.duration == pytest.approx((await probe(returned)).duration, abs=0.1)
    assert sent.params["duration"] == round(info.duration)
    assert any(c.params["action"] == "record_voice" for c in bot_api.sent("sendChatAction"))
    [request] = mimo.calls("mimo-v2.5-tts")
    assert request["messages"][-1] == {
        "role": "assistant",
        "content": "Hello from the test suite, this is a voice note.",
    }


async def test_say_as_a_reply_speaks_the_replied_text(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        original = bot_api.text_message(chat_id=USER, user_id=USER, text="Read me out")
        bot_api.push(
            bot_api.text_message(chat_id=USER, user_id=USER, text="/say", reply_to=original)
        )
        await bot_api.wait_for("sendVoice", chat_id=USER)

    assert mimo.calls("mimo-v2.5-tts")[0]["messages"][-1]["content"] == "Read me out"


async def test_voice_and_style_shape_the_next_say_and_survive_a_restart(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url)
    async with running(settings, bot_api):
        say(bot_api, "/voice mia")
        assert await reply_text(bot_api) == "Voice set to Mia."
        say(bot_api, "/style happy")
        assert "happy" in await reply_text(bot_api)

    async with running(settings, bot_api):
        say(bot_api, "/say Good morning")
        await bot_api.wait_for("sendVoice", chat_id=USER)
        say(bot_api, "/settings")
        overview = await reply_text(bot_api)

    [request] = mimo.calls("mimo-v2.5-tts")
    assert request["audio"]["voice"] == "Mia"
    assert request["messages"][-1]["content"] == "(happy)Good morning"
    assert "Voice: Mia" in overview
    assert "Style: happy" in overview


async def test_a_corrupt_voice_note_gets_a_clear_reply_and_the_bot_keeps_going(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        bot_api.push(
            bot_api.voice_message(chat_id=USER, user_id=USER, data=b"OggS" + b"\x00" * 500)
        )
        complaint = "I could not read that file as audio. Is it corrupt or in an unusual format?"
        await bot_api.wait_for_texts(USER, [complaint])  # in place of "Transcribing…"
        bot_api.push(bot_api.voice_message(chat_id=USER, user_id=USER, data=voice_ogg))
        await bot_api.wait_for_texts(USER, [complaint, "heard 3.0 seconds"])

    assert mimo.calls("mimo-v2.5-asr")  # only the good note reached MiMo
    assert len(mimo.calls("mimo-v2.5-asr")) == 1


async def test_only_group_admins_change_settings(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    admin, member = 7, 8
    bot_api.set_member_status(GROUP, admin, "administrator")
    bot_api.set_member_status(GROUP, member, "member")
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        say(bot_api, "/voice Dean", chat_id=GROUP, user_id=member)
        refusal = await reply_text(bot_api, GROUP)
        say(bot_api, "/voice Dean", chat_id=GROUP, user_id=admin)
        accepted = await reply_text(bot_api, GROUP)
        say(bot_api, "/voice", chat_id=GROUP, user_id=member)
        listing = await reply_text(bot_api, GROUP)

    assert refusal == "Only administrators can change settings in this chat."
    assert accepted == "Voice set to Dean."
    assert listing.startswith("Current voice: Dean")
    assert "• Mia — English" in listing
    assert "Mia — Mia" not in listing  # each name once, leading its description


async def test_long_transcripts_are_split_and_very_long_ones_sent_as_a_file(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    sentence = "This sentence is part of a long meeting transcript. "
    mimo.asr_text = sentence * 100  # about 5,200 characters: two messages
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        bot_api.push(bot_api.voice_message(chat_id=USER, user_id=USER, data=voice_ogg))
        await bot_api.wait_until(lambda: " ".join(bot_api.texts(USER)) == (sentence * 100).strip())
        pieces = bot_api.texts(USER)
        mimo.asr_text = sentence * 400  # about 21,000 characters: a file
        bot_api.push(bot_api.voice_message(chat_id=USER, user_id=USER, data=voice_ogg))
        [document] = await bot_api.wait_for("sendDocument", chat_id=USER)

    assert len(pieces) == 2
    assert all(len(piece) <= 4096 for piece in pieces)
    assert all(piece.endswith("transcript.") for piece in pieces)
    assert document.files["document"].decode() == (sentence * 400).strip()
    assert bot_api.texts(USER) == pieces  # a status message shown on the way is gone
    assert document.file_names["document"] == "transcript.txt"


async def test_autotranscribe_off_waits_for_transcribe_on_demand(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        say(bot_api, "/autotranscribe off")
        assert await reply_text(bot_api) == "Auto-transcribe is now off."
        note = bot_api.voice_message(chat_id=USER, user_id=USER, data=voice_ogg)
        bot_api.push(note)
        say(bot_api, "/help")
        assert (await reply_text(bot_api)).startswith("Commands:")  # the note got no reply
        bot_api.push(
            bot_api.text_message(chat_id=USER, user_id=USER, text="/transcribe", reply_to=note)
        )
        await bot_api.wait_until(lambda: bot_api.texts(USER)[-1] == "heard 3.0 seconds")

    assert len(mimo.calls("mimo-v2.5-asr")) == 1


async def test_bad_requests_get_short_usage_replies(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url, max_say_chars=100)
    async with running(settings, bot_api):
        replies = []
        for words in ("/say", "/say " + "x" * 101, "/transcribe", "/language fr", "/ask"):
            say(bot_api, words)
            replies.append(await reply_text(bot_api))

    assert replies == [
        "Tell me what to say: /say TEXT, or reply to a message with /say.",
        "That text is 101 characters long; the limit is 100, set by the bot's owner "
        "(MAX_SAY_CHARS).",
        "Reply to a voice note, audio or video with /transcribe"
        " (or /transcribe srt for subtitles).",
        "“fr” is not a valid transcript language. Choose one of: auto, zh, en.",
        "Reply to a voice note, audio or video with /ask QUESTION, or send /ask QUESTION alone"
        " to ask about what was said here in voice notes and calls lately.",
    ]
    assert mimo.requests == []


async def test_mimo_errors_reach_the_chat_as_one_clear_sentence(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    mimo.fail_next(402, body={"error": {"message": "Insufficient balance", "code": "402"}})
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        say(bot_api, "/say hello")
        reply = await reply_text(bot_api)

    assert reply == "The MiMo balance is used up. The bot's owner needs to top it up."


async def test_files_over_the_bot_api_download_cap_are_explained(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        big = bot_api.audio_message(
            chat_id=USER, user_id=USER, data=voice_ogg, file_size=30 * 1024 * 1024
        )
        bot_api.push(big)
        reply = await reply_text(bot_api)

    assert "TELEGRAM_LOCAL_MODE" in reply
    assert mimo.requests == []


async def test_local_bot_api_server_files_are_read_from_disk(
    mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    async with FakeBotApi(local_mode=True) as local_api:
        settings = settings_for(
            bot_api=local_api, mimo=mimo, database_url=sqlite_url, telegram_local_mode=True
        )
        async with running(settings, local_api):
            note = local_api.voice_message(
                chat_id=USER, user_id=USER, data=voice_ogg, file_size=30 * 1024 * 1024
            )
            local_api.push(note)
            await local_api.wait_for_texts(USER, ["heard 3.0 seconds"])

    assert local_api.downloads == []  # nothing fetched over HTTP


async def test_a_local_server_file_this_machine_cannot_read_is_a_clear_configuration_error(
    mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeBotApi(local_mode=True) as local_api:
        settings = settings_for(
            bot_api=local_api, mimo=mimo, database_url=sqlite_url, telegram_local_mode=True
        )
        async with running(settings, local_api):
            note = local_api.voice_message(chat_id=USER, user_id=USER, data=voice_ogg)
            local_api.lose_local_files()  # the server's disk is somewhere else
            local_api.push(note)
            _, reply = await local_api.wait_for("sendMessage", count=2, chat_id=USER)

    assert reply.params["text"] == "Sorry, something went wrong. Please try again in a moment."
    assert local_api.texts(USER) == [reply.params["text"]]  # "Transcribing…" gave way to it
    [logged] = [r for r in caplog.records if "TELEGRAM_LOCAL_MODE is on" in r.getMessage()
                or (r.exc_info and "TELEGRAM_LOCAL_MODE is on" in str(r.exc_info[1]))]  # fmt: skip
    assert logged.levelno == logging.ERROR
    assert local_api.token not in caplog.text  # the server's folder is named by the token
    assert mimo.requests == []


async def test_the_command_list_is_registered(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        pass

    names = {c["command"] for c in bot_api.commands}
    assert {"say", "transcribe", "voice", "style", "language", "autotranscribe"} <= names


async def test_polling_takes_no_more_updates_than_telegram_max_pending_updates(
    bot_api: FakeBotApi, sqlite_url: str, voice_ogg: bytes
) -> None:
    """With room for one unfinished update, the second voice note is fetched from Telegram only
    once the first is answered; nothing is lost meanwhile."""
    async with FakeMimo() as mimo:
        settings = settings_for(
            bot_api=bot_api, mimo=mimo, database_url=sqlite_url, telegram_max_pending_updates=1
        )
        async with running(settings, bot_api):
            with mimo.held():  # the first note stays unfinished meanwhile
                for chat in (USER, USER + 1):
                    bot_api.push(bot_api.voice_message(chat_id=chat, user_id=chat, data=voice_ogg))
                await mimo.wait_for_requests()
                fetched_meanwhile = len(bot_api.sent("getFile"))
            await bot_api.wait_for_texts(USER + 1, ["heard 3.0 seconds"])

    assert fetched_meanwhile == 1
    assert bot_api.texts(USER) == ["heard 3.0 seconds"]


async def test_an_answer_arrives_even_when_the_command_was_deleted_meanwhile(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        with mimo.held():  # the user deletes their /say while MiMo speaks
            command = bot_api.text_message(chat_id=USER, user_id=USER, text="/say Never mind")
            bot_api.push(command)
            await mimo.wait_for_requests()
            bot_api.user_deletes(command)
        [voice] = await bot_api.wait_for("sendVoice", chat_id=USER)

    assert voice.params["reply_parameters"]["message_id"] == command["message_id"]
    assert voice.result.get("reply_to_message") is None  # a plain message: its target is gone
