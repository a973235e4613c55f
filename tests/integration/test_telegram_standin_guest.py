"""The Bot API stand-in's Guest Mode (Bot API 10.0), as the real python-telegram-bot reads it: a
`guest_message` from a chat the bot is not in, answered once with `answerGuestQuery` and then
edited through its `inline_message_id` alone; nothing reaches that chat by `chat_id`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    InlineQueryResultArticle,
    InlineQueryResultCachedVoice,
    InputTextMessageContent,
    Update,
)
from telegram.error import BadRequest

from tests.standins.telegram_api import FakeBotApi

CALLER, FRIEND = 6001, 6002
CHAT = FRIEND  # the caller's private chat with their friend, as the bot sees it
OGG = b"OggS\x00\x02" + bytes(range(64))


@pytest.fixture
async def guest_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        server.not_a_member(CHAT)
        yield server


@pytest.fixture
async def guest_bot(guest_api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(
        guest_api.token, base_url=guest_api.base_url, base_file_url=guest_api.base_file_url
    ) as client:
        yield client


def article(text: str) -> InlineQueryResultArticle:
    return InlineQueryResultArticle("answer", "Transcript", InputTextMessageContent(text))


async def guest_update(guest_api: FakeBotApi, guest_bot: Bot, *, text: str | None = None) -> Update:
    note = guest_api.voice_message(chat_id=CHAT, user_id=FRIEND, data=OGG)
    guest_api.guest_query(chat_id=CHAT, user_id=CALLER, text=text, reply_to=note)
    [update] = await guest_bot.get_updates(timeout=0)
    return update


async def test_a_guest_message_carries_its_query_and_the_replied_recording(
    guest_api: FakeBotApi, guest_bot: Bot
) -> None:
    assert (await guest_bot.get_me()).supports_guest_queries is True
    update = await guest_update(guest_api, guest_bot, text=f"@{guest_api.bot_username} tldr")

    message = update.guest_message
    assert message is not None and update.message is None
    assert message.guest_query_id and message.from_user and message.from_user.id == CALLER
    assert message.chat.id == CHAT and message.text == f"@{guest_api.bot_username} tldr"
    assert message.parse_entities() and list(message.parse_entities().values()) == [
        f"@{guest_api.bot_username}"
    ]
    replied = message.reply_to_message
    assert replied is not None and replied.voice is not None
    assert replied.from_user is not None and replied.from_user.id == FRIEND


async def test_a_guest_query_is_answered_once_and_edited_by_its_inline_message_id(
    guest_api: FakeBotApi, guest_bot: Bot
) -> None:
    message = (await guest_update(guest_api, guest_bot)).guest_message
    assert message is not None and message.guest_query_id
    query = message.guest_query_id

    sent = await guest_bot.answer_guest_query(query, article("Transcribing…"))
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await guest_bot.answer_guest_query(query, article("again"))
    assert await guest_bot.edit_message_text("heard it", inline_message_id=sent.inline_message_id)
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await guest_bot.edit_message_text("heard it", inline_message_id=sent.inline_message_id)
    with pytest.raises(BadRequest, match=r"(?i)too.long"):
        await guest_bot.edit_message_text("x" * 4097, inline_message_id=sent.inline_message_id)
    with pytest.raises(BadRequest, match=r"(?i)chat_id and message_id must be empty"):
        await guest_bot.edit_message_text(
            "nope", inline_message_id=sent.inline_message_id, chat_id=CHAT
        )
    with pytest.raises(BadRequest, match=r"(?i)message_id_invalid"):
        await guest_bot.edit_message_text("nope", inline_message_id="no-such-message")

    shown = guest_api.guest_answer(query)
    assert shown is not None and shown["text"] == "heard it"
    assert shown["chat"]["id"] == CHAT and shown["guest_bot_caller_user"]["id"] == CALLER


async def test_an_expired_guest_query_cannot_be_answered(
    guest_api: FakeBotApi, guest_bot: Bot
) -> None:
    guest_api.guest_query_lifetime = 0.0
    message = (await guest_update(guest_api, guest_bot)).guest_message
    assert message is not None and message.guest_query_id

    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await guest_bot.answer_guest_query(message.guest_query_id, article("too late"))
    assert guest_api.guest_answer(message.guest_query_id) is None


async def test_a_guest_answer_is_an_article_with_text_or_a_cached_voice(
    guest_api: FakeBotApi, guest_bot: Bot
) -> None:
    first = (await guest_update(guest_api, guest_bot)).guest_message
    assert first is not None and first.guest_query_id
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await guest_bot.answer_guest_query(
            first.guest_query_id, InlineQueryResultCachedVoice("v", "not-a-file", "Hi")
        )
    with pytest.raises(BadRequest, match=r"(?i)too.long"):
        await guest_bot.answer_guest_query(first.guest_query_id, article("x" * 4097))
    file_id, _ = guest_api.add_file(OGG)
    sent = await guest_bot.answer_guest_query(
        first.guest_query_id, InlineQueryResultCachedVoice("v", file_id, "Hi")
    )

    shown = guest_api.guest_answer(first.guest_query_id)
    assert shown is not None and shown["voice"]["file_id"] == file_id
    with pytest.raises(BadRequest, match=r"(?i)no text in the message"):
        await guest_bot.edit_message_text("words", inline_message_id=sent.inline_message_id)


async def test_the_chat_a_guest_query_came_from_is_not_the_bots(
    guest_api: FakeBotApi, guest_bot: Bot
) -> None:
    """Guest mode posts where the bot is not a member: it cannot write there by chat_id."""
    message = (await guest_update(guest_api, guest_bot)).guest_message
    assert message is not None

    with pytest.raises(BadRequest, match="Chat not found"):
        await guest_bot.send_message(CHAT, "hello")
    with pytest.raises(BadRequest, match="Chat not found"):
        await message.reply_text("hello")
    assert guest_api.sent(chat_id=CHAT) == []
