"""Drafts in Telegram: in a private chat, /ask and /tldr show their work in progress as a draft that
fills in (kept on screen through long pauses) and the answer comes once as a message. A transcript
shows its progress in the reply it becomes, in a group and a private chat alike (the reply is sent
as the work starts, so that a redo edits it: `bots.telegram.recordings.transcript_status_notes`)."""

from __future__ import annotations

import re
from pathlib import Path

from bots.telegram.answers.telegram_progress_pace import Pace
from tests.audio_factory import make_audio
from tests.integration.conftest import running, settings_for
from tests.integration.test_telegram_chat_actions import chat_calls
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

USER = 3001
GROUP = -100300


def draft_ids(bot_api: FakeBotApi, chat_id: int) -> set[object]:
    return {call.params["draft_id"] for call in bot_api.sent("sendMessageDraft", chat_id=chat_id)}


async def test_a_group_keeps_its_status_message_that_becomes_the_transcript(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, long_ogg: bytes
) -> None:
    mimo.hold_after(1)  # one piece at a time: the rest once the first one's progress shows
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url,
        asr_piece_seconds=10, asr_concurrency=1,
    )  # fmt: skip
    async with running(settings, bot_api, pace=Pace(group_edit_seconds=0.1)):
        bot_api.push(
            bot_api.voice_message(
                chat_id=GROUP, user_id=USER, data=long_ogg, chat_type="supergroup"
            )
        )
        [status] = await bot_api.wait_for("sendMessage", chat_id=GROUP)
        await bot_api.wait_until(
            lambda: any(text.endswith("transcribed…") for text in bot_api.texts(GROUP))
        )
        # The first piece's words, in the kept reply, while MiMo still holds the other pieces.
        [while_held] = bot_api.texts(GROUP)
        assert len(mimo.calls("mimo-v2.5-asr")) < 4
        mimo.hold_after(None)
        await bot_api.wait_until(lambda: bot_api.texts(GROUP)[0].startswith("heard"))

    assert status.params["text"] == "Transcribing…"
    edits = [str(call.params["text"]) for call in bot_api.sent("editMessageText", chat_id=GROUP)]
    assert edits[0] == "Transcribing the recording (35 sec)…"
    assert any(edit.endswith("transcribed…") for edit in edits), edits
    [transcript] = bot_api.texts(GROUP)  # the status message itself became the transcript
    assert edits[-1] == transcript
    words, line = while_held.split("\n\n")
    assert re.fullmatch(r"heard \d+\.\d seconds", words) and transcript.startswith(words)
    assert re.fullmatch(r"0:\d\d of 0:35 transcribed…", line)
    assert len(bot_api.sent("sendMessage", chat_id=GROUP)) == 1  # the status, and no other answer
    assert bot_api.sent("sendMessageDraft", include_rejected=True) == []


async def test_a_pause_longer_than_a_draft_lasts_renews_it(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """MiMo takes longer than a (turned-down) draft stays on screen while /tldr transcribes: the
    latest draft is sent again meanwhile, so the chat never stops showing that work goes on."""
    # Ten renewals a lifetime: a loaded machine (two CPU burners beside the suite) once held the
    # bot's loop for over a second, when a draft lasted five renewals.
    bot_api.draft_lifetime = 3.0
    note_ogg = make_audio(tmp_path, fmt="ogg", seconds=15).read_bytes()
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url,
        asr_piece_seconds=10, asr_concurrency=1,
    )  # fmt: skip
    pace = Pace(draft_seconds=0.1, draft_renew_seconds=0.3)
    status = "Transcribing the recording (15 sec)…"
    async with running(settings, bot_api, pace=pace):
        bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text="/autotranscribe off"))
        await bot_api.wait_for("sendMessage", chat_id=USER)
        note = bot_api.voice_message(chat_id=USER, user_id=USER, data=note_ogg, duration=15)
        bot_api.push(note)
        # Twelve renewals at least 0.3 s apart: a pause longer than the draft's 3 s.
        with mimo.held():
            bot_api.push(
                bot_api.text_message(chat_id=USER, user_id=USER, text="/tldr", reply_to=note)
            )
            await bot_api.wait_until(lambda: bot_api.drafts(USER).count(status) >= 12, timeout=30)
        await bot_api.wait_until(lambda: len(bot_api.texts(USER)) == 2, timeout=30)

    assert bot_api.lapsed_drafts(USER) == []
    assert bot_api.draft_on_screen(USER) is None
    assert bot_api.texts(USER)[1].startswith("In short:")


async def test_ask_in_a_private_chat_thinks_in_a_draft_then_answers_once(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    mimo.answer_text = "They agree to launch on Friday."
    voice_ogg = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        question = bot_api.voice_message(
            chat_id=USER, user_id=USER, data=voice_ogg, caption="When do they launch?"
        )
        bot_api.push(question)
        await bot_api.wait_for("sendMessage", chat_id=USER)

    methods = [call.method for call in chat_calls(bot_api, USER)]
    assert methods == ["sendMessageDraft", "sendMessage"]  # "Thinking…", then the answer
    assert bot_api.drafts(USER) == [""]  # Telegram's own "Thinking…", in the user's language
    assert draft_ids(bot_api, USER) == {question["message_id"]}
    assert bot_api.texts(USER) == ["They agree to launch on Friday."]
    assert bot_api.draft_on_screen(USER) is None


async def test_tldr_in_a_private_chat_shows_its_progress_in_a_draft(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, long_ogg: bytes
) -> None:
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, asr_piece_seconds=10
    )
    async with running(settings, bot_api, pace=Pace(draft_seconds=0.1)):
        bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text="/autotranscribe off"))
        await bot_api.wait_for("sendMessage", chat_id=USER)
        note = bot_api.voice_message(chat_id=USER, user_id=USER, data=long_ogg, duration=35)
        bot_api.push(note)
        command = bot_api.text_message(chat_id=USER, user_id=USER, text="/tldr", reply_to=note)
        bot_api.push(command)
        await bot_api.wait_for("sendDocument", chat_id=USER)

    drafts = bot_api.drafts(USER)
    assert drafts[:2] == ["", "Transcribing the recording (35 sec)…"], drafts
    assert draft_ids(bot_api, USER) == {command["message_id"]}
    _, card = bot_api.texts(USER)
    assert card.startswith("In short:")
    assert bot_api.sent("editMessageText", chat_id=USER) == []
    assert bot_api.draft_on_screen(USER) is None
