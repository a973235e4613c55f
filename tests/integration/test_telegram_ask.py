"""Questions about recordings end to end: /ask as a reply, a caption as a question in private
chats, the chat's language, and answers that only arrive in `reasoning_content`."""

from __future__ import annotations

import base64
from typing import Any

from tests.integration.chatlog_db import logged, until_logged
from tests.integration.conftest import running, settings_for
from tests.integration.test_telegram_summaries import GROUP_A, next_reply
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

USER = 2001


def questions(mimo: FakeMimo) -> list[dict[str, Any]]:
    """Audio-understanding requests: a user message holding audio and a question."""
    return [
        body
        for body in mimo.calls("mimo-v2.6-flash")
        if isinstance(body["messages"][-1]["content"], list)
    ]


def audio_and_question(body: dict[str, Any]) -> tuple[str, str]:
    audio, question = body["messages"][-1]["content"]
    return audio["input_audio"]["data"], question["text"]


async def test_ask_as_a_reply_sends_that_recording_with_the_question(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, short_ogg: bytes
) -> None:
    mimo.answer_text = "They agree to launch on Friday."
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        note = bot_api.voice_message(chat_id=USER, user_id=USER, data=short_ogg)
        bot_api.push(note)
        await next_reply(bot_api, USER)  # its transcript
        bot_api.push(
            bot_api.text_message(
                chat_id=USER, user_id=USER, text="/ask When do they launch?", reply_to=note
            )
        )
        answer = await next_reply(bot_api, USER)

    [request] = questions(mimo)
    audio, question = audio_and_question(request)
    assert answer == "They agree to launch on Friday."
    assert audio == "data:audio/ogg;base64," + base64.b64encode(short_ogg).decode()
    assert question == "When do they launch?"
    assert request["thinking"] == {"type": "disabled"}


async def test_an_answer_only_in_reasoning_content_is_shown(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, short_ogg: bytes
) -> None:
    mimo.answer_text = "The speaker sounds cheerful."
    mimo.answer_in_reasoning_only = True
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        note = bot_api.voice_message(chat_id=USER, user_id=USER, data=short_ogg)
        bot_api.push(
            bot_api.text_message(chat_id=USER, user_id=USER, text="/ask Mood?", reply_to=note)
        )
        answer = await next_reply(bot_api, USER)

    assert answer == "The speaker sounds cheerful."


async def test_a_caption_on_a_private_voice_note_is_a_question_about_it(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, short_ogg: bytes
) -> None:
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        bot_api.push(bot_api.voice_message(
            chat_id=USER, user_id=USER, data=short_ogg, caption="What language is this?"
        ))  # fmt: skip
        answer = await next_reply(bot_api, USER)
        bot_api.push(bot_api.audio_message(
            chat_id=USER, user_id=USER, data=short_ogg, mime_type="audio/ogg",
            file_name="memo.ogg", caption="Who speaks?",
        ))  # fmt: skip
        second = await next_reply(bot_api, USER)

    assert (answer, second) == ("a fake answer", "a fake answer")
    assert [audio_and_question(q)[1] for q in questions(mimo)] == [
        "What language is this?",
        "Who speaks?",
    ]
    assert mimo.calls("mimo-v2.5-asr") == []  # answered, not transcribed


async def test_in_a_group_a_captioned_voice_note_is_transcribed_and_logged(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, short_ogg: bytes
) -> None:
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        bot_api.push(bot_api.voice_message(
            chat_id=GROUP_A, user_id=USER, data=short_ogg, chat_type="supergroup",
            caption="What do you think?",
        ))  # fmt: skip
        await bot_api.wait_for_texts(GROUP_A, ["heard 2.0 seconds"])
        await until_logged(sqlite_url, GROUP_A, 2)

    assert questions(mimo) == []
    assert sorted(await logged(sqlite_url, GROUP_A)) == [
        ("User2001", "caption", "What do you think?"),
        ("User2001", "transcript", "heard 2.0 seconds"),
    ]


async def test_the_chat_language_shapes_the_answer(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, short_ogg: bytes
) -> None:
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text="/language zh"))
        await next_reply(bot_api, USER)
        bot_api.push(bot_api.voice_message(
            chat_id=USER, user_id=USER, data=short_ogg, caption="他们说了什么？"
        ))  # fmt: skip
        await next_reply(bot_api, USER)

    [request] = questions(mimo)
    assert request["messages"][0] == {"role": "system", "content": "Answer in Simplified Chinese."}
