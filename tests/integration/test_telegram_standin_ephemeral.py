"""The Bot API stand-in refuses ephemeral messages where the documentation says Telegram does
(core.telegram.org/bots/api#ephemeral-messages-and-commands, Bot API 10.2 and 10.3), with the
real python-telegram-bot `Bot` talking to it: only in groups, only to a member who is no bot,
within 15 s of the member's ephemeral command or button press unless the bot administers the
group; and, answering as Bot API 10.0, it knows none of it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from telegram import Bot, BotCommand
from telegram.error import BadRequest, EndPointNotFound, Forbidden

from tests.standins.telegram_api import EPHEMERAL_REPLY_WINDOW, FakeBotApi

GROUP, BOB, CAROL, DAN = -1004242, 51, 52, 53


def only_for(user: int, **more: Any) -> dict[str, Any]:
    """The `api_kwargs` of a message for `user` alone (Bot API 10.3)."""
    return {"ephemeral_message_parameters": {"receiver_user_id": user, **more}}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture
async def ephemeral_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        api.ephemeral_clock = Clock()
        for user in (BOB, CAROL, DAN):  # all wrote in the group; Carol has left it since
            api.text_message(chat_id=GROUP, user_id=user, text="hi", chat_type="supergroup")
        api.set_member_status(GROUP, CAROL, "left")
        yield api


@pytest_asyncio.fixture
async def ephemeral_bot(ephemeral_api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(
        ephemeral_api.token,
        base_url=ephemeral_api.base_url,
        base_file_url=ephemeral_api.base_file_url,
    ) as bot:
        find = BotCommand("find", "Find", api_kwargs={"is_ephemeral": True})
        await bot.set_my_commands([find, BotCommand("say", "Say")])
        yield bot


async def test_refused_to_whom_and_where_the_documentation_forbids(
    ephemeral_api: FakeBotApi, ephemeral_bot: Bot
) -> None:
    ephemeral_api.text_message(chat_id=BOB, user_id=BOB, text="/start")  # a private chat with Bob
    ephemeral_api.set_member_status(GROUP, ephemeral_api.bot_id, "administrator")
    refusals = {
        "only to groups": (BOB, only_for(BOB)),
        "user not found": (GROUP, only_for(999)),
        "USER_NOT_PARTICIPANT": (GROUP, only_for(CAROL)),
        "non-bot members": (GROUP, only_for(ephemeral_api.bot_id)),
        "can't parse ephemeral message parameters": (GROUP, only_for("Bob")),  # type: ignore[arg-type]
    }
    for reason, (chat, kwargs) in refusals.items():
        with pytest.raises(BadRequest, match=f"(?i){reason}"):
            await ephemeral_bot.send_message(chat, "for you alone", api_kwargs=kwargs)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await ephemeral_bot.send_message(GROUP, "x" * 4097, api_kwargs=only_for(BOB))

    sent = await ephemeral_bot.send_message(GROUP, "for Bob alone", api_kwargs=only_for(BOB))

    assert sent.message_id == 0 and isinstance(sent.api_kwargs["ephemeral_message_id"], int)
    assert ephemeral_api.ephemeral_texts(GROUP, BOB) == ["for Bob alone"]
    assert ephemeral_api.texts(GROUP) == [] and ephemeral_api.ephemeral_texts(GROUP, CAROL) == []


async def test_a_bot_that_is_no_administrator_answers_within_15_seconds_only(
    ephemeral_api: FakeBotApi, ephemeral_bot: Bot
) -> None:
    clock = ephemeral_api.ephemeral_clock
    assert isinstance(clock, Clock)
    with pytest.raises(BadRequest, match=r"(?i)^bot_not_admin$"):  # nothing to answer
        await ephemeral_bot.send_message(GROUP, "unasked", api_kwargs=only_for(BOB))
    with pytest.raises(AssertionError, match="not an ephemeral command"):
        ephemeral_api.ephemeral_command(chat_id=GROUP, user_id=BOB, text="/say hi")
    asked = ephemeral_api.ephemeral_command(chat_id=GROUP, user_id=BOB, text="/find invoice")
    reply = {"reply_parameters": {"ephemeral_message_id": asked["ephemeral_message_id"]}}
    with pytest.raises(BadRequest, match=r"(?i)must be ephemeral"):  # never answered for everyone
        await ephemeral_bot.send_message(GROUP, "for everyone", api_kwargs=reply)
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):  # not Dan's
        await ephemeral_bot.send_message(GROUP, "to Dan", api_kwargs=only_for(DAN) | reply)
    answered = await ephemeral_bot.send_message(GROUP, "found", api_kwargs=only_for(BOB) | reply)
    clock.now += EPHEMERAL_REPLY_WINDOW + 1
    with pytest.raises(BadRequest, match=r"(?i)^bot_not_admin$"):  # as the real server words it
        await ephemeral_bot.send_message(GROUP, "too late", api_kwargs=only_for(BOB) | reply)

    ephemeral_api.push_update({"callback_query": {
        "id": "pressed", "from": {"id": BOB, "is_bot": False, "first_name": "Bob"},
        "chat_instance": "1", "data": "find:p:1",
        "message": ephemeral_api.text_message(
            chat_id=GROUP, user_id=BOB, text="x", chat_type="supergroup"
        ),
    }})  # fmt: skip
    pressed = {"callback_query_id": "pressed"}
    with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):  # Bob pressed it, not Dan
        await ephemeral_bot.send_message(GROUP, "to Dan", api_kwargs=only_for(DAN, **pressed))
    await ephemeral_bot.send_message(GROUP, "page 2", api_kwargs=only_for(BOB, **pressed))
    clock.now += EPHEMERAL_REPLY_WINDOW + 1
    with pytest.raises(BadRequest, match=r"(?i)^bot_not_admin$"):
        await ephemeral_bot.send_message(GROUP, "page 3", api_kwargs=only_for(BOB, **pressed))

    named = {"chat_id": GROUP, "receiver_user_id": BOB}
    named["ephemeral_message_id"] = answered.api_kwargs["ephemeral_message_id"]
    await ephemeral_bot.do_api_request(
        "editEphemeralMessageText", api_kwargs=named | {"text": "edited"}
    )
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await ephemeral_bot.do_api_request(
            "editEphemeralMessageText", api_kwargs=named | {"text": "edited"}
        )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):  # Bob's, not Dan's
        await ephemeral_bot.do_api_request(
            "editEphemeralMessageText", api_kwargs=named | {"receiver_user_id": DAN, "text": "x"}
        )
    assert ephemeral_api.ephemeral_texts(GROUP, BOB) == ["edited", "page 2"]
    await ephemeral_bot.do_api_request("deleteEphemeralMessage", api_kwargs=named)
    assert ephemeral_api.ephemeral_texts(GROUP, BOB) == ["page 2"]
    assert (
        ephemeral_api.history(GROUP)[-1]["text"] == "x"
    )  # the group saw neither command nor answers


async def test_a_bot_api_10_0_server_knows_no_ephemeral_message() -> None:
    async with (
        FakeBotApi(bot_api_version="10.0") as api,
        Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as bot,
    ):
        api.text_message(chat_id=GROUP, user_id=BOB, text="hi", chat_type="supergroup")
        await bot.set_my_commands([BotCommand("find", "Find", api_kwargs={"is_ephemeral": True})])
        named = {"chat_id": GROUP, "receiver_user_id": BOB, "ephemeral_message_id": 1}
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("deleteEphemeralMessage", api_kwargs=named)
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("editEphemeralMessageText", api_kwargs=named | {"text": "x"})
        # Parameters it does not know are ignored: the message is for everyone.
        await bot.send_message(GROUP, "meant for Bob", api_kwargs=only_for(BOB))
        with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
            await bot.send_message(BOB, "Bob never started a chat with the bot")

        assert api.texts(GROUP) == ["meant for Bob"]
        assert api.commands == [{"command": "find", "description": "Find"}]
        with pytest.raises(AssertionError, match=r"10\.2"):
            api.ephemeral_command(chat_id=GROUP, user_id=BOB, text="/find x")


async def test_an_ephemeral_edit_takes_1024_characters_as_the_real_server_does(
    ephemeral_api: FakeBotApi, ephemeral_bot: Bot
) -> None:
    """The documentation gives an edit the 4,096 characters of a message; the real server
    refuses more than 1,024 (tdlib/telegram-bot-api #881), while sendMessage takes 4,096."""
    ephemeral_api.set_member_status(GROUP, ephemeral_api.bot_id, "administrator")
    long = "word " * 819 + "end."  # 4,099 characters: one message's 4,096 would take less
    sent = await ephemeral_bot.send_message(GROUP, long[:4096], api_kwargs=only_for(BOB))
    named = {"chat_id": GROUP, "receiver_user_id": BOB,
             "ephemeral_message_id": sent.api_kwargs["ephemeral_message_id"]}  # fmt: skip

    with pytest.raises(BadRequest, match=r"(?i)^media_caption_too_long$"):
        await ephemeral_bot.do_api_request(
            "editEphemeralMessageText", api_kwargs=named | {"text": long[:1025]}
        )
    await ephemeral_bot.do_api_request(
        "editEphemeralMessageText", api_kwargs=named | {"text": long[:1024]}
    )
    bold = f"<b>{long[:1020]}</b>"  # 1,027 as sent, 1,020 once the tags are parsed out
    await ephemeral_bot.do_api_request(
        "editEphemeralMessageText", api_kwargs=named | {"text": bold, "parse_mode": "HTML"}
    )

    assert ephemeral_api.ephemeral_texts(GROUP, BOB) == [bold]


async def test_ephemeral_ids_are_handed_out_again_once_a_message_is_gone(
    ephemeral_api: FakeBotApi, ephemeral_bot: Bot
) -> None:
    """An ephemeral message's message_id is 0; its ephemeral id names it while it is there.
    Deleted, or expired on the member's screen, its id goes to the bot's next one to that
    member: an edit by the old id then changes the new message."""
    ephemeral_api.set_member_status(GROUP, ephemeral_api.bot_id, "administrator")

    async def send(text: str, to: int = BOB) -> dict[str, Any]:
        sent = await ephemeral_bot.send_message(GROUP, text, api_kwargs=only_for(to))
        assert sent.message_id == 0
        return {"chat_id": GROUP, "receiver_user_id": to,
                "ephemeral_message_id": sent.api_kwargs["ephemeral_message_id"]}  # fmt: skip

    first = await send("first")
    await ephemeral_bot.do_api_request("deleteEphemeralMessage", api_kwargs=first)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await ephemeral_bot.do_api_request(
            "editEphemeralMessageText", api_kwargs=first | {"text": "x"}
        )
    for_dan = await send("for Dan", DAN)  # another member's: the id is Bob's alone to reuse
    second = await send("second")
    assert second == first and for_dan["ephemeral_message_id"] != first["ephemeral_message_id"]

    ephemeral_api.expire_ephemeral(GROUP, BOB)  # Bob's app restarted: the message is gone
    assert ephemeral_api.ephemeral_texts(GROUP, BOB) == []
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await ephemeral_bot.do_api_request(
            "editEphemeralMessageText", api_kwargs=second | {"text": "x"}
        )
    third = await send("third")
    assert third == first
    await ephemeral_bot.do_api_request(
        "editEphemeralMessageText", api_kwargs=first | {"text": "1st"}
    )
    assert ephemeral_api.ephemeral_texts(GROUP, BOB) == [
        "1st"
    ]  # the edit meant for the first landed here
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await ephemeral_bot.delete_message(GROUP, 0)  # deleteMessage knows no ephemeral message


async def test_an_ephemeral_message_to_a_member_offline_is_accepted_and_never_seen(
    ephemeral_api: FakeBotApi, ephemeral_bot: Bot
) -> None:
    ephemeral_api.set_member_status(GROUP, ephemeral_api.bot_id, "administrator")
    ephemeral_api.offline.add(BOB)

    sent = await ephemeral_bot.send_message(GROUP, "while you were away", api_kwargs=only_for(BOB))

    assert isinstance(sent.api_kwargs["ephemeral_message_id"], int)  # nothing says it was lost
    assert ephemeral_api.ephemeral_texts(GROUP, BOB) == [] and ephemeral_api.texts(GROUP) == []
