"""Rules of the Bot API that no other test of the stand-in held (docs/contributing/platform-rules.md
lists each rule with its tests): a media group is never ephemeral, 10.3's draft parameters, and
`transcribeAudio` belonging to the user API, not to bots. The real python-telegram-bot `Bot`
talks to the stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from telegram import Bot, BotCommand, InputMediaDocument
from telegram.error import BadRequest, EndPointNotFound

from tests.standins.telegram_api import FakeBotApi

GROUP, BOB, CAROL = -1004343, 61, 62


@pytest_asyncio.fixture
async def rules_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        for user in (BOB, CAROL):
            api.text_message(chat_id=GROUP, user_id=user, text="hi", chat_type="supergroup")
        api.set_member_status(GROUP, api.bot_id, "administrator")  # may send ephemerally any time
        yield api


@pytest_asyncio.fixture
async def rules_bot(rules_api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(
        rules_api.token, base_url=rules_api.base_url, base_file_url=rules_api.base_file_url
    ) as bot:
        await bot.set_my_commands([BotCommand("find", "Find", api_kwargs={"is_ephemeral": True})])
        yield bot


def album() -> list[InputMediaDocument]:
    return [
        InputMediaDocument(b"first part", filename="part-1.txt"),
        InputMediaDocument(b"second part", filename="part-2.txt", caption="both parts"),
    ]


@pytest.mark.parametrize(
    "for_bob_alone",
    [
        {"ephemeral_message_parameters": {"receiver_user_id": BOB}},  # Bot API 10.3
        {"receiver_user_id": BOB},  # 10.2
    ],
    ids=["10.3", "10.2"],
)
async def test_a_media_group_cannot_be_ephemeral(
    rules_api: FakeBotApi, rules_bot: Bot, for_bob_alone: dict[str, Any]
) -> None:
    """sendMediaGroup has no ephemeral parameter: the real server would drop one and post the
    album for the whole group, so the stand-in refuses it, and nothing reaches anyone."""
    with pytest.raises(BadRequest, match=r'(?i)parameter "\w+" is unknown'):
        await rules_bot.send_media_group(GROUP, album(), api_kwargs=for_bob_alone)

    assert [m for m in rules_api.history(GROUP) if m.get("media_group_id")] == []
    assert rules_api.ephemeral_texts(GROUP, BOB) == []


async def test_a_media_group_cannot_answer_an_ephemeral_command(
    rules_api: FakeBotApi, rules_bot: Bot
) -> None:
    """A reply to a member's ephemeral command must itself be ephemeral, which an album
    cannot be."""
    asked = rules_api.ephemeral_command(chat_id=GROUP, user_id=BOB, text="/find plans")
    reply = {
        "reply_parameters": {"message_id": 0, "ephemeral_message_id": asked["ephemeral_message_id"]}
    }

    with pytest.raises(BadRequest, match=r"(?i)reply to an ephemeral message must be ephemeral"):
        await rules_bot.send_media_group(GROUP, album(), api_kwargs=reply)

    assert [m for m in rules_api.history(GROUP) if m.get("media_group_id")] == []


async def test_a_media_group_for_everyone_is_one_album_of_messages(
    rules_api: FakeBotApi, rules_bot: Bot
) -> None:
    sent = await rules_bot.send_media_group(GROUP, album())

    assert [m.document.file_name for m in sent if m.document] == ["part-1.txt", "part-2.txt"]
    assert len({m.media_group_id for m in sent}) == 1 and sent[0].media_group_id
    assert sent[1].caption == "both parts"
    with pytest.raises(BadRequest, match=r"(?i)wrong number of media"):
        await rules_bot.send_media_group(GROUP, album()[:1])
    assert rules_api.invented == []


async def test_drafts_take_10_3s_can_stop_and_keep_on_stop(
    rules_api: FakeBotApi, rules_bot: Bot
) -> None:
    rules_api.text_message(chat_id=BOB, user_id=BOB, text="/start")
    stoppable = {"can_stop": True, "keep_on_stop": False}

    assert await rules_bot.send_message_draft(BOB, 7, "Thinking about it", api_kwargs=stoppable)
    assert rules_api.draft_on_screen(BOB) == "Thinking about it"
    with pytest.raises(BadRequest, match=r'(?i)parameter "can_stopp" is unknown'):
        await rules_bot.send_message_draft(BOB, 7, "Still thinking", api_kwargs={"can_stopp": True})


async def test_transcribe_audio_is_no_method_of_the_bot_api(
    rules_api: FakeBotApi, rules_bot: Bot
) -> None:
    """Telegram's own transcription of voice notes belongs to the user API and Premium: the Bot
    API answers a bot that calls it "method not found"."""
    with pytest.raises(EndPointNotFound):
        await rules_bot.do_api_request(
            "transcribeAudio", api_kwargs={"chat_id": GROUP, "message_id": 1}
        )

    [call] = [c for c in rules_api.calls if c.method == "transcribeAudio"]
    assert call.error == "Not Found: method not found"
