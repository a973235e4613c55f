"""Telegram's "typing…" while a recording is transcribed: shown once the work has taken a moment
(`Pace.typing_after_seconds`: most voice notes are answered sooner), until a status (a private
chat's draft) or the transcript is there, never beside a status (which is the progress indicator
then), and never after the answer. Chat actions count against the bot's rate limit like replies
do."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bots.telegram.progress_pace import Pace
from tests.audio_factory import make_audio
from tests.integration.conftest import running, settings_for
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import Call, FakeBotApi

USER = 42


def chat_calls(bot_api: FakeBotApi) -> list[Call]:
    """What the bot sent to the chat, in the order the stand-in answered it."""
    return [call for call in bot_api.sent(chat_id=USER) if call.method != "getFile"]


def actions_before_and_after_first_message(bot_api: FakeBotApi) -> tuple[list[str], list[str]]:
    """Chat actions before and after the first thing shown: a draft or a message."""
    calls = chat_calls(bot_api)
    shown = ("sendMessage", "sendMessageDraft")
    first = next(i for i, call in enumerate(calls) if call.method in shown)
    actions = [
        (i, str(call.params["action"]))
        for i, call in enumerate(calls)
        if call.method == "sendChatAction"
    ]
    return [a for i, a in actions if i < first], [a for i, a in actions if i > first]


async def test_a_long_recording_stops_typing_once_its_status_shows(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    # Two pieces (or more) one at a time, MiMo sitting on each for several refreshes of the
    # action: the work outlasts the status by many refreshes, so one beside it would be seen.
    long_ogg = make_audio(tmp_path, fmt="ogg", seconds=15).read_bytes()
    pace = Pace(action_seconds=0.2, typing_after_seconds=0.0, draft_seconds=0.2)
    mimo.delay = 5 * pace.action_seconds
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url,
        asr_piece_seconds=10, asr_concurrency=1,
    )  # fmt: skip
    async with running(settings, bot_api, pace=pace):
        bot_api.push(bot_api.voice_message(chat_id=USER, user_id=USER, data=long_ogg))
        await bot_api.wait_until(
            lambda: any(text.startswith("heard") for text in bot_api.texts(USER)),
            timeout=30,
            what="the transcript",
        )

    before, after = actions_before_and_after_first_message(bot_api)
    # While the recording downloads and is measured: as often as that takes refreshes.
    assert before and set(before) == {"typing"}
    assert after == []  # the status (a draft here) carries on from there
    drafts = bot_api.drafts(USER)
    assert drafts[0] == "Transcribing the recording (15 sec)…"
    assert len(drafts) >= 2  # progress as pieces finish, then the transcript in one message
    assert len(bot_api.sent("sendMessage", chat_id=USER)) == 1
    assert len(mimo.calls("mimo-v2.5-asr")) >= 2


async def test_a_short_note_keeps_typing_until_its_text_shows(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    # MiMo is slow to start answering: the first "typing…" would run out before the text comes.
    note_ogg = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    mimo.release = asyncio.Event()
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url)
    pace = Pace(action_seconds=1.0, typing_after_seconds=0.5)
    async with running(settings, bot_api, pace=pace):
        pushed = time.monotonic()
        bot_api.push(bot_api.voice_message(chat_id=USER, user_id=USER, data=note_ogg))
        await bot_api.wait_for("sendChatAction", count=1, chat_id=USER)
        first_typing = time.monotonic() - pushed
        await bot_api.wait_for("sendChatAction", count=2, chat_id=USER)
        mimo.release.set()  # MiMo answers now, well within the next second's refresh
        await bot_api.wait_for_texts(USER, ["heard 3.0 seconds"], timeout=30)

    assert first_typing >= 0.5  # not before the work has taken a moment
    before, after = actions_before_and_after_first_message(bot_api)
    # Shown, and again before Telegram clears it; on a loaded machine the text may take longer
    # than a refresh after MiMo's answer, so a third is no fault.
    assert before[:2] == ["typing", "typing"] and set(before) == {"typing"}
    assert after == []  # the text is there: "typing…" beside it would be noise
    assert len(bot_api.sent("sendMessage", chat_id=USER)) == 1  # the text grew in one message


async def test_a_note_answered_within_the_quiet_moment_gets_no_typing_action(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    # A quiet moment longer than this test: the answer always comes within it.
    note_ogg = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url)
    async with running(settings, bot_api, pace=Pace(typing_after_seconds=60.0)):
        bot_api.push(bot_api.voice_message(chat_id=USER, user_id=USER, data=note_ogg))
        await bot_api.wait_for_texts(USER, ["heard 2.0 seconds"])

    # No "typing…"; a draft of the streamed words may show first on a loaded machine, where
    # the transcript takes longer than the first status's delay after them (tested elsewhere).
    sent = [call.method for call in chat_calls(bot_api) if call.method != "sendMessageDraft"]
    assert sent == ["sendMessage"]
