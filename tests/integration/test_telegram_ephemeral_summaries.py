"""A transcript one member of a Telegram group asked for privately (an ephemeral /transcribe) is
theirs alone: it never goes into the chat log the group's /summary is written from, so a group
that does not have its voice notes transcribed for everyone reads nothing of it there."""

from __future__ import annotations

from pathlib import Path

from tests.audio_factory import make_audio
from tests.integration.conftest import running, settings_for
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

GROUP = -1001890
ANN, BOB, CAROL = 61, 62, 63
SAID = "The secret plan for April is to move the office."
CHATTER = "The launch moves to March"


async def test_a_private_transcript_stays_out_of_the_groups_summary(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    api = bot_api
    mimo.asr_text = lambda duration, body: SAID
    data = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    async with running(settings_for(bot_api=api, mimo=mimo, database_url=sqlite_url), api):
        api.set_member_status(GROUP, ANN, "administrator")
        api.push(api.text_message(chat_id=GROUP, user_id=ANN, text="/autotranscribe off",
                                  chat_type="supergroup"))  # fmt: skip
        await api.wait_until(lambda: len(api.texts(GROUP)) == 1, what="the setting's answer")
        api.push(api.text_message(chat_id=GROUP, user_id=CAROL, text=CHATTER,
                                  chat_type="supergroup"))  # fmt: skip
        note = api.voice_message(chat_id=GROUP, user_id=ANN, data=data, chat_type="supergroup")
        api.push(note)
        api.push(api.ephemeral_command(chat_id=GROUP, user_id=BOB, text="/transcribe",
                                       reply_to=note))  # fmt: skip
        await api.wait_until(
            lambda: SAID in "".join(api.ephemeral_texts(GROUP, BOB)), what="Bob's transcript"
        )
        api.push(api.text_message(chat_id=GROUP, user_id=ANN, text="/summary",
                                  chat_type="supergroup"))  # fmt: skip
        await api.wait_until(lambda: len(api.texts(GROUP)) == 2, what="the summary")

    summary_request = str([r for r in mimo.requests if r["model"] == "mimo-v2.6-flash"][-1])
    assert CHATTER in summary_request  # the group's own words are summarised
    assert SAID not in summary_request  # Bob's private transcript is not


async def test_a_members_ephemeral_reply_stays_out_of_the_groups_summary(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    api = bot_api
    async with running(settings_for(bot_api=api, mimo=mimo, database_url=sqlite_url), api):
        api.push(api.text_message(chat_id=GROUP, user_id=CAROL, text=CHATTER,
                                  chat_type="supergroup"))  # fmt: skip
        api.push(api.ephemeral_command(chat_id=GROUP, user_id=BOB, text="/usage"))
        await api.wait_until(lambda: len(api.ephemeral_sent(GROUP)) == 1, what="Bob's usage")
        [usage] = api.ephemeral_sent(GROUP)
        api.push(api.ephemeral_reply(chat_id=GROUP, user_id=BOB, text=SAID, reply_to=usage))
        api.push(api.text_message(chat_id=GROUP, user_id=ANN, text="/summary",
                                  chat_type="supergroup"))  # fmt: skip
        await api.wait_until(lambda: len(api.texts(GROUP)) == 1, what="the summary")

    summary_request = str([r for r in mimo.requests if r["model"] == "mimo-v2.6-flash"][-1])
    assert CHATTER in summary_request
    assert SAID not in summary_request  # what Bob said to the bot alone
