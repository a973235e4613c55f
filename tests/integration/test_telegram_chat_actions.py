"""What a Telegram chat sees while a recording is transcribed: a reply that says "Transcribing…"
as the work starts, follows it and becomes the transcript. No "typing…" goes beside it (the
reply is the progress indicator from the first moment; an action would only take room from
other chats' replies under the bot's rate limit), and none after the answer."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bots.telegram.answers.telegram_progress_pace import Pace
from tests.audio_factory import make_audio
from tests.integration.conftest import running, settings_for
from tests.standins.mimo import FakeMimo, heard_whole
from tests.standins.telegram_api import BotApiCall, FakeBotApi

USER = 42
GROUP = -1004200


def chat_calls(bot_api: FakeBotApi, chat_id: int) -> list[BotApiCall]:
    """What the bot sent to the chat, in the order the stand-in answered it."""
    return [call for call in bot_api.sent(chat_id=chat_id) if call.method != "getFile"]


async def test_a_long_recording_says_transcribing_at_once_and_never_types(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    # Two pieces (or more) one at a time, MiMo sitting on each for a few seconds: "typing…"
    # refreshed meanwhile would be seen.
    long_ogg = make_audio(tmp_path, fmt="ogg", seconds=15).read_bytes()
    mimo.delay = 1.0
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url,
        asr_piece_seconds=10, asr_concurrency=1,
    )  # fmt: skip
    async with running(settings, bot_api, pace=Pace(action_seconds=0.2, private_edit_seconds=0.2)):
        note = bot_api.voice_message(chat_id=USER, user_id=USER, data=long_ogg)
        bot_api.push(note)
        await bot_api.wait_until(
            lambda: any(heard_whole(text) for text in bot_api.texts(USER)),
            timeout=30,
            what="the transcript",
        )

    calls = chat_calls(bot_api, USER)
    assert calls[0].method == "sendMessage" and calls[0].params["text"] == "Transcribing…"
    assert calls[0].params["reply_parameters"]["message_id"] == note["message_id"]
    assert {call.method for call in calls} == {"sendMessage", "editMessageText"}
    edits = [str(call.params["text"]) for call in calls[1:]]
    assert edits[0] == "Transcribing the recording (15 sec)…"
    assert [text.startswith("heard") for text in bot_api.texts(USER)] == [True]
    assert edits[-1] == bot_api.texts(USER)[0]  # the reply became the transcript
    assert len(mimo.calls("mimo-v2.5-asr")) >= 2


async def test_a_short_note_in_a_group_is_one_reply_that_becomes_its_transcript(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    note_ogg = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    mimo.release = asyncio.Event()  # MiMo is slow to start answering
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url)
    async with running(settings, bot_api):
        note = bot_api.voice_message(
            chat_id=GROUP, user_id=USER, data=note_ogg, chat_type="supergroup"
        )
        bot_api.push(note)
        await bot_api.wait_for_texts(GROUP, ["Transcribing…"])
        mimo.release.set()
        await bot_api.wait_for_texts(GROUP, ["heard 3.0 seconds"], timeout=30)

    # On a loaded machine the streamed words may show in it first: edits all the same.
    first, *then = [call.method for call in chat_calls(bot_api, GROUP)]
    assert (first, set(then)) == ("sendMessage", {"editMessageText"})
    [reply] = bot_api.replies_to(GROUP, note["message_id"])
    assert reply["text"] == "heard 3.0 seconds"
