"""A Bot API server downgraded below 10.2 while the bot runs ignores the ephemeral parameters
and posts for everyone a message meant for one member: the bot takes that copy back at once,
asks the server again, and answers in the member's private chat; a check the server never
answered holds for that answer alone."""

from __future__ import annotations

import pytest

from tests.integration.conftest import running, settings_for
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import BotApiCall, FakeBotApi

GROUP = -1001889
BOB = 43
HEADING = f"For you alone, from “Chat {GROUP}”:"


async def test_a_server_downgraded_below_10_2_meanwhile_posts_nothing_meant_for_one_member(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    """The first answer after the downgrade is posted for everyone and taken back; the server
    is asked again then, so the next answer goes to Bob's private chat without being posted in
    the group first."""
    api = bot_api
    async with running(settings_for(bot_api=api, mimo=mimo, database_url=sqlite_url), api):
        api.push(api.text_message(chat_id=BOB, user_id=BOB, text="/start"))  # Bob started it
        await api.wait_until(lambda: len(api.texts(BOB)) == 1)
        api.set_member_status(GROUP, api.bot_id, "administrator")  # it may send at any time
        api.push(api.text_message(chat_id=GROUP, user_id=BOB, text="/usage",
                                  chat_type="supergroup"))  # fmt: skip
        await api.wait_until(lambda: len(api.ephemeral_texts(GROUP, BOB)) == 1)
        public = api.texts(GROUP)
        api.bot_api_version = (10, 0)  # a pinned local server rolled back under the bot
        before = len(api.sent("sendMessage", chat_id=GROUP))
        api.push(api.text_message(chat_id=GROUP, user_id=BOB, text="/usage",
                                  chat_type="supergroup"))  # fmt: skip
        await api.wait_until(lambda: len(api.texts(BOB)) == 2, what="Bob's usage, privately")
        api.push(api.text_message(chat_id=GROUP, user_id=BOB, text="/usage",
                                  chat_type="supergroup"))  # fmt: skip
        await api.wait_until(lambda: len(api.texts(BOB)) == 3, what="the next, privately")

    assert all(t.startswith(HEADING) and "today" in t.casefold() for t in api.texts(BOB)[1:])
    assert api.texts(GROUP) == public  # the copy posted for everyone is taken back
    assert not any("today" in m.get("text", "").casefold() for m in api.history(GROUP))
    # Posted in the group once, the first time only: then the server was asked again.
    assert len(api.sent("sendMessage", chat_id=GROUP)[before:]) == 1
    assert len(api.sent("deleteMessage", chat_id=GROUP)) == 1


async def test_a_check_the_server_never_answered_holds_for_that_answer_alone(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    """The question whether the server has ephemeral messages meets a network error (a bad
    gateway): that answer goes to Bob's private chat, as on an older server, so nothing meant
    for him alone is posted in the group; the next answer asks again and is ephemeral, not
    sent privately for the next ten minutes."""
    api = bot_api
    async with running(settings_for(bot_api=api, mimo=mimo, database_url=sqlite_url), api):
        api.push(api.text_message(chat_id=BOB, user_id=BOB, text="/start"))  # Bob started it
        await api.wait_until(lambda: len(api.texts(BOB)) == 1)
        api.set_member_status(GROUP, api.bot_id, "administrator")  # it may send at any time
        api.bad_gateway_next("deleteEphemeralMessage")  # the check, unanswered
        asked = {"chat_id": GROUP, "user_id": BOB, "chat_type": "supergroup"}
        api.push(api.text_message(text="/usage", **asked))
        await api.wait_until(lambda: len(api.texts(BOB)) == 2, what="Bob's usage, privately")
        api.push(api.text_message(text="/usage", **asked))
        await api.wait_until(
            lambda: api.ephemeral_texts(GROUP, BOB) or len(api.texts(BOB)) > 2,
            what="Bob's second usage",
        )

    assert api.texts(BOB)[1].startswith(HEADING) and "today" in api.texts(BOB)[1].casefold()
    assert "today" in api.ephemeral_texts(GROUP, BOB)[0].casefold()
    assert len(api.texts(BOB)) == 2 and api.texts(GROUP) == []
    unanswered, _ = probes(api)  # then asked again at the next answer
    assert unanswered.error == "Bad Gateway"


async def test_a_bot_api_10_2_server_reads_the_ephemeral_parameters_by_their_10_2_names(
    mimo: FakeMimo, sqlite_url: str
) -> None:
    """10.3 replaced 10.2's `receiver_user_id` / `callback_query_id` with one object: a 10.2
    server reads only the old names, and would post for everyone a message without them."""
    async with FakeBotApi(bot_api_version="10.2") as api:
        async with running(settings_for(bot_api=api, mimo=mimo, database_url=sqlite_url), api):
            api.text_message(chat_id=GROUP, user_id=BOB, text="hi", chat_type="supergroup")
            public = api.texts(GROUP)
            api.push(api.ephemeral_command(chat_id=GROUP, user_id=BOB, text="/usage"))
            await api.wait_until(
                lambda: api.ephemeral_texts(GROUP, BOB) or len(api.texts(GROUP)) > len(public),
                what="Bob's usage",
            )

        assert "today" in api.ephemeral_texts(GROUP, BOB)[0].casefold()
        assert api.texts(GROUP) == public


async def test_a_server_upgraded_to_10_3_meanwhile_is_used_for_ephemeral_answers(
    mimo: FakeMimo, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server found older than 10.2 is not asked again for every answer, only once
    `OLDER_RECHECK_SECONDS` have passed (then at once, here): once it is upgraded, an
    administrator bot's answers are ephemeral again, without a restart."""
    monkeypatch.setattr("bots.telegram.answers.ephemeral_api.OLDER_RECHECK_SECONDS", 3600.0)
    async with FakeBotApi(bot_api_version="10.0") as api:
        async with running(settings_for(bot_api=api, mimo=mimo, database_url=sqlite_url), api):
            api.push(api.text_message(chat_id=BOB, user_id=BOB, text="/start"))
            await api.wait_until(lambda: len(api.texts(BOB)) == 1)
            api.set_member_status(GROUP, api.bot_id, "administrator")
            asked = {"chat_id": GROUP, "user_id": BOB, "chat_type": "supergroup"}
            api.push(api.text_message(text="/usage", **asked))
            await api.wait_until(lambda: len(api.texts(BOB)) == 2, what="usage, privately")
            api.bot_api_version = (10, 3)  # the local server upgraded under the bot...
            api.push(api.text_message(text="/usage", **asked))  # ...within the hour
            await api.wait_until(lambda: len(api.texts(BOB)) == 3, what="usage, privately")
            asked_before = len(probes(api))
            monkeypatch.setattr(
                "bots.telegram.answers.ephemeral_api.OLDER_RECHECK_SECONDS", 0.0
            )  # past it
            api.push(api.text_message(text="/usage", **asked))
            await api.wait_until(
                lambda: api.ephemeral_texts(GROUP, BOB) or len(api.texts(BOB)) > 3,
                what="Bob's third usage",
            )

        assert asked_before == 1  # asked once in the hour, not once an answer
        assert "today" in api.ephemeral_texts(GROUP, BOB)[0].casefold()
        assert len(api.texts(BOB)) == 3 and api.texts(GROUP) == []


def probes(api: FakeBotApi) -> list[BotApiCall]:
    """The bot's questions whether the server has ephemeral messages (its refused ones too)."""
    return api.sent("deleteEphemeralMessage", include_rejected=True)
