"""What the bot sends after waiting for MiMo is checked again as it leaves, on Telegram (issue
103, `core.app.rules.outgoing_check`): a `/forget` that lands while MiMo writes an answer from the
group's memory, or its summary, keeps them out of the group, and whoever asked reads why. The
real python-telegram-bot application against the Bot API stand-in, MiMo's stand-in holding its
answer while the `/forget` lands.
"""

from __future__ import annotations

from tests.integration.chatlog_db import until_logged
from tests.integration.conftest import running, settings_for
from tests.integration.test_sent_after_a_wait_discord import ANSWER_GONE, SUMMARY_GONE
from tests.integration.test_telegram_find import voice_transcribed
from tests.integration.test_telegram_summaries import ALICE, BOB, GROUP_A, next_reply, post
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

SECRET = "the door code is 4721"


async def test_an_answer_from_the_groups_memory_is_not_sent_once_the_group_is_forgotten(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    """Bob asks when lunch is; an administrator runs /forget while MiMo writes the answer from
    Bob's voice note: the group reads why there is no answer, and no line cited."""
    bot_api.set_member_status(GROUP_A, ALICE, "administrator")
    mimo.asr_text = f"lunch is on friday and {SECRET}"
    mimo.answer_text = "The answer: on Friday [1]."
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
    async with running(settings, bot_api):
        await voice_transcribed(bot_api, GROUP_A, BOB, voice_ogg)
        with mimo.held_each() as held:
            post(bot_api, GROUP_A, BOB, "/ask when is lunch?")
            await mimo.wait_for_requests(2)
            post(bot_api, GROUP_A, ALICE, "/forget")
            forgotten = await next_reply(bot_api, GROUP_A)
            held[0].let_go()
            refused = await next_reply(bot_api, GROUP_A)

    assert forgotten.startswith("Done: I deleted everything I stored for this chat")
    assert refused == ANSWER_GONE
    assert not any("The answer" in str(sent.params) for sent in bot_api.sent("sendMessage"))


async def test_a_summary_is_not_sent_once_the_group_is_forgotten(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str
) -> None:
    """Bob asks for a summary; an administrator runs /forget while MiMo writes it: the group
    reads why there is no summary."""
    bot_api.set_member_status(GROUP_A, ALICE, "administrator")
    mimo.answer_text = f"Topics\n• Bob: {SECRET}"
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
    async with running(settings, bot_api):
        post(bot_api, GROUP_A, BOB, f"yes, {SECRET}")
        await until_logged(database_url, GROUP_A, 1)
        with mimo.held_each() as held:
            post(bot_api, GROUP_A, BOB, "/summary")
            await mimo.wait_for_requests(1)
            post(bot_api, GROUP_A, ALICE, "/forget")
            forgotten = await next_reply(bot_api, GROUP_A)
            held[0].let_go()
            refused = await next_reply(bot_api, GROUP_A)

    assert forgotten.startswith("Done: I deleted everything I stored for this chat")
    assert refused == SUMMARY_GONE
    assert not any(SECRET in str(sent.params) for sent in bot_api.sent("sendMessage"))
