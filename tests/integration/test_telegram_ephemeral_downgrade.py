"""A Bot API server downgraded below 10.2 while the bot runs ignores the ephemeral parameters
and posts for everyone a message meant for one member: the bot takes that copy back at once,
asks the server again, and answers in the member's private chat."""

from __future__ import annotations

import pytest

from tests.integration.conftest import running, settings_for
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

GROUP = -1001889
BOB = 43
HEADING = f"For you alone, from “Chat {GROUP}”:"


async def test_a_server_downgraded_below_10_2_meanwhile_posts_nothing_meant_for_one_member(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
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
        api.push(api.text_message(chat_id=GROUP, user_id=BOB, text="/usage",
                                  chat_type="supergroup"))  # fmt: skip
        await api.wait_until(lambda: len(api.texts(BOB)) == 2, what="Bob's usage, privately")

    assert api.texts(BOB)[1].startswith(HEADING) and "today" in api.texts(BOB)[1].casefold()
    assert api.texts(GROUP) == public  # the copy posted for everyone is taken back
    assert not any("today" in m.get("text", "").casefold() for m in api.history(GROUP))


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
    """A server found older than 10.2 is asked again after a while (at once here): once it is
    upgraded, an administrator bot's answers are ephemeral again, without a restart."""
    monkeypatch.setattr("bots.telegram.ephemeral.OLDER_RECHECK_SECONDS", 0.0)
    async with FakeBotApi(bot_api_version="10.0") as api:
        async with running(settings_for(bot_api=api, mimo=mimo, database_url=sqlite_url), api):
            api.push(api.text_message(chat_id=BOB, user_id=BOB, text="/start"))
            await api.wait_until(lambda: len(api.texts(BOB)) == 1)
            api.set_member_status(GROUP, api.bot_id, "administrator")
            asked = {"chat_id": GROUP, "user_id": BOB, "chat_type": "supergroup"}
            api.push(api.text_message(text="/usage", **asked))
            await api.wait_until(lambda: len(api.texts(BOB)) == 2, what="usage, privately")
            api.bot_api_version = (10, 3)  # the local server upgraded under the bot
            api.push(api.text_message(text="/usage", **asked))
            await api.wait_until(
                lambda: api.ephemeral_texts(GROUP, BOB) or len(api.texts(BOB)) > 2,
                what="Bob's second usage",
            )

        assert "today" in api.ephemeral_texts(GROUP, BOB)[0].casefold()
        assert len(api.texts(BOB)) == 2 and api.texts(GROUP) == []
