"""On a Bot API server older than 10.2, an answer meant for one member of a group goes to their
private chat with the bot: one too long to carry the line naming the group in the same message
gets that line as a message of its own, and is never posted in the group instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.audio_factory import make_audio
from tests.integration.conftest import running, settings_for
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

GROUP = -1001888
ANN, BOB = 41, 42
HEADING = f"For you alone, from “Chat {GROUP}”:"


async def test_an_old_server_never_posts_a_long_private_transcript_in_the_group(
    mimo: FakeMimo, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_text = " ".join(["invoice"] * 510)  # 4,089 characters: one message, not with a heading
    mimo.asr_text = lambda duration, body: long_text
    # No status before the transcript (a short note's words come at once): the first message
    # Bob's private chat gets is the transcript itself.
    monkeypatch.setattr("core.chat.status_messages.FIRST_STATUS_DELAY", 3600.0)
    note_bytes = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    async with FakeBotApi(bot_api_version="10.0") as api:
        async with running(settings_for(bot_api=api, mimo=mimo, database_url=sqlite_url), api):
            api.push(api.text_message(chat_id=BOB, user_id=BOB, text="/start"))
            await api.wait_until(lambda: len(api.texts(BOB)) == 1)
            note = api.voice_message(chat_id=GROUP, user_id=ANN, data=note_bytes,
                                     chat_type="supergroup")  # fmt: skip
            api.push(note)
            await api.wait_until(  # where "Transcribing…" was
                lambda: api.texts(GROUP) not in ([], ["Transcribing…"]), what="the transcript"
            )
            public = api.texts(GROUP)
            api.push(api.text_message(chat_id=GROUP, user_id=BOB, text="/transcribe",
                                      chat_type="supergroup", reply_to=note))  # fmt: skip
            await api.wait_until(
                lambda: long_text in api.texts(BOB) or len(api.texts(GROUP)) > len(public),
                what="Bob's transcript",
            )

        assert api.texts(GROUP) == public  # Bob's transcript is not posted for everyone
        assert api.texts(BOB)[1:] == [HEADING, long_text]
