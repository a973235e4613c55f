"""Two members' ephemeral commands in one group may carry the same `ephemeral_message_id` (the
Bot API names an ephemeral message by chat, receiver and id: an id is unique only between one
member and the bot), and both have message_id 0: each is answered, neither taken for a second
delivery of the other."""

from __future__ import annotations

from tests.integration.conftest import running, settings_for
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

GROUP = -1001891
BOB, CAROL = 71, 72


async def test_two_members_ephemeral_commands_with_one_id_are_both_answered(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    api = bot_api
    async with running(settings_for(bot_api=api, mimo=mimo, database_url=sqlite_url), api):
        bobs = api.ephemeral_command(chat_id=GROUP, user_id=BOB, text="/usage",
                                     ephemeral_message_id=7)  # fmt: skip
        carols = api.ephemeral_command(chat_id=GROUP, user_id=CAROL, text="/usage",
                                       ephemeral_message_id=7)  # fmt: skip
        carols["date"] = bobs["date"]  # sent in the same second
        api.push(bobs)
        await api.wait_until(lambda: len(api.ephemeral_texts(GROUP, BOB)) == 1, what="Bob's")
        api.push(carols)
        await api.wait_until(lambda: len(api.ephemeral_texts(GROUP, CAROL)) == 1, what="Carol's")

    assert "today" in api.ephemeral_texts(GROUP, CAROL)[0].casefold()
    assert api.texts(GROUP) == []
