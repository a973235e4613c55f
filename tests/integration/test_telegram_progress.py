"""Recordings in a private Telegram chat: a reply at once ("Transcribing…") that shows a long
recording's words as its pieces are heard, or a short note's text as it streams in, and becomes
the transcript (no draft: a draft left on screen would outlive the edit); transcripts as .txt
and .srt."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bots.telegram.answers.telegram_progress_pace import Pace
from tests.audio_factory import make_audio
from tests.integration.conftest import running, settings_for
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

USER = 42
# A long recording's status: its words heard so far, in order, above how far it got.
WORDS_SO_FAR = (
    r"(?P<words>heard \d+\.\d seconds( heard \d+\.\d seconds)*)\n\n0:\d\d of 0:35 transcribed…"
)


OFF = "Auto-transcribe is now off."


async def autotranscribe_off(bot_api: FakeBotApi) -> None:
    bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text="/autotranscribe off"))
    await bot_api.wait_for_texts(USER, [OFF])


def transcribe_command(bot_api: FakeBotApi, note: dict[str, object], argument: str) -> None:
    command = f"/transcribe {argument}".strip()
    bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text=command, reply_to=note))


async def test_a_long_recording_shows_progress_in_the_reply_that_becomes_its_transcript(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, long_ogg: bytes
) -> None:
    mimo.hold_after(1)  # one piece at a time: the rest once the first one's progress shows
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url,
        asr_piece_seconds=10, asr_concurrency=1,
    )  # fmt: skip
    async with running(settings, bot_api, pace=Pace(private_edit_seconds=0.1)):
        note = bot_api.voice_message(chat_id=USER, user_id=USER, data=long_ogg)
        bot_api.push(note)
        await bot_api.wait_until(
            lambda: any(text.endswith("transcribed…") for text in bot_api.texts(USER))
        )
        # The first piece's words, in the reply, while MiMo still holds the other pieces.
        [while_held] = bot_api.texts(USER)
        assert len(mimo.calls("mimo-v2.5-asr")) < 4
        mimo.hold_after(None)
        await bot_api.wait_until(lambda: bot_api.texts(USER)[0].startswith("heard"))

    [status] = bot_api.sent("sendMessage", chat_id=USER)  # sent once, then edited
    assert status.params["text"] == "Transcribing…"
    assert status.params["reply_parameters"]["message_id"] == note["message_id"]
    edits = [str(call.params["text"]) for call in bot_api.sent("editMessageText", chat_id=USER)]
    assert edits[0] == "Transcribing the recording (35 sec)…"
    progress = [text for text in edits if text.endswith("transcribed…")]
    assert progress, edits
    assert all(re.fullmatch(WORDS_SO_FAR, text) for text in progress), progress
    [transcript] = bot_api.texts(USER)
    assert edits[-1] == transcript
    first_words = re.fullmatch(WORDS_SO_FAR, while_held)
    assert first_words is not None and transcript.startswith(first_words["words"])
    assert bot_api.sent("sendMessageDraft", chat_id=USER) == []
    heard = re.findall(r"heard (\d+\.\d) seconds", transcript)
    assert len(heard) == len(mimo.calls("mimo-v2.5-asr")) >= 4  # pieces of at most 10 s
    assert sum(float(seconds) for seconds in heard) == pytest.approx(35, abs=0.5)


async def test_a_short_note_shows_its_text_while_it_is_heard(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    note_ogg = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    mimo.asr_stream_hold = asyncio.Event()  # the stream stops after its first words
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        bot_api.push(bot_api.voice_message(chat_id=USER, user_id=USER, data=note_ogg))
        await bot_api.wait_for_texts(USER, ["heard …"])
        mimo.asr_stream_hold.set()
        await bot_api.wait_for_texts(USER, ["heard 3.0 seconds"])

    edits = [str(call.params["text"]) for call in bot_api.sent("editMessageText", chat_id=USER)]
    assert edits == ["heard …", "heard 3.0 seconds"]
    assert len(bot_api.sent("sendMessage", chat_id=USER)) == 1  # "Transcribing…", edited
    [request] = mimo.calls("mimo-v2.5-asr")
    assert request["stream"] is True


def refused_requests(bot_api: FakeBotApi) -> list[str]:
    """The bot's requests to the chat that Telegram refused."""
    calls = bot_api.sent(chat_id=USER, include_rejected=True)
    return [f"{call.method}: {call.error}" for call in calls if not call.ok]


async def test_a_streamed_transcript_past_telegrams_limit_shows_its_latest_words_and_arrives_whole(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """15,000 characters (17,000 of Telegram's UTF-16 units): while it streams, the reply shows
    the latest words within 4,096 units; at the end the transcript comes whole, as a file."""
    said = "".join(f"word {number} 🎙 " for number in range(1500))[:15_000].strip()
    mimo.asr_text = said
    mimo.asr_stream_hold = asyncio.Event()  # the stream stops after its first third
    note_ogg = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        bot_api.push(bot_api.voice_message(chat_id=USER, user_id=USER, data=note_ogg))
        [status] = await bot_api.wait_for("editMessageText", chat_id=USER)
        mimo.asr_stream_hold.set()
        [document] = await bot_api.wait_for("sendDocument", chat_id=USER)

    assert refused_requests(bot_api) == []
    shown = str(status.params["text"])
    assert shown.startswith("…") and shown.endswith(" …")  # the latest words, then "…"
    assert said[: len(said) // 3].strip().endswith(shown.removeprefix("…").removesuffix(" …"))
    assert 4000 < len(shown.encode("utf-16-le")) // 2 <= 4096
    assert document.files["document"].decode().strip().endswith(said)
    assert bot_api.texts(USER) == []  # the reply gave way to the file


async def test_a_transcript_is_split_by_telegrams_utf16_count(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """3,000 characters that are 5,000 UTF-16 units: two messages, not one Telegram refuses."""
    said = "🎙🎙 " * 1000
    mimo.asr_text = said
    note_ogg = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        bot_api.push(bot_api.voice_message(chat_id=USER, user_id=USER, data=note_ogg))
        await bot_api.wait_until(lambda: len(bot_api.texts(USER)) == 2)

    assert refused_requests(bot_api) == []
    first, second = bot_api.texts(USER)
    assert f"{first} {second}" == said.strip()


async def test_transcribe_srt_sends_subtitles_timed_by_the_pieces(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, long_ogg: bytes
) -> None:
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, asr_piece_seconds=10
    )
    async with running(settings, bot_api):
        await autotranscribe_off(bot_api)
        note = bot_api.voice_message(chat_id=USER, user_id=USER, data=long_ogg)
        bot_api.push(note)
        transcribe_command(bot_api, note, "srt")
        [document] = await bot_api.wait_for("sendDocument", chat_id=USER)

    _, status = bot_api.sent("sendMessage", chat_id=USER)
    assert status.params["text"] == "Transcribing…"
    assert bot_api.texts(USER) == [OFF]  # the status shown meanwhile is gone, nothing else said

    assert document.file_names["document"] == "transcript.srt"
    assert document.params["caption"] == "Subtitles (.srt) of the recording (0:35)."
    srt = document.files["document"].decode()
    cues = re.findall(r"(\d+)\n(\d\d:\d\d:\d\d,\d{3}) --> (\d\d:\d\d:\d\d,\d{3})\n(.+)", srt)
    assert len(cues) >= 4
    assert [int(number) for number, *_ in cues] == list(range(1, len(cues) + 1))
    assert cues[0][1] == "00:00:00,000"
    assert cues[-1][2].startswith("00:00:3")  # the last cue ends with the recording
    starts = [start for _, start, _, _ in cues]
    assert starts == sorted(starts)


async def test_transcribe_txt_sends_even_a_short_transcript_as_a_file(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    note_ogg = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        await autotranscribe_off(bot_api)
        note = bot_api.voice_message(chat_id=USER, user_id=USER, data=note_ogg)
        bot_api.push(note)
        transcribe_command(bot_api, note, "txt")
        [document] = await bot_api.wait_for("sendDocument", chat_id=USER)
        transcribe_command(bot_api, note, "docx")
        refusal = "“docx” is not a valid transcript format. Choose one of: text, txt, srt."
        await bot_api.wait_for_texts(USER, [OFF, refusal])

    assert document.file_names["document"] == "transcript.txt"
    assert document.files["document"].decode() == "heard 2.0 seconds"


async def test_a_failed_transcription_leaves_one_clear_reply_not_a_stale_status(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, long_ogg: bytes
) -> None:
    mimo.fail_next(401, times=1)
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, asr_piece_seconds=10,
        asr_concurrency=1,
    )  # fmt: skip
    async with running(settings, bot_api):
        bot_api.push(bot_api.voice_message(chat_id=USER, user_id=USER, data=long_ogg))
        await bot_api.wait_until(lambda: len(bot_api.texts(USER)) == 1)

    status, complaint = bot_api.sent("sendMessage", chat_id=USER)
    assert status.params["text"] == "Transcribing…"
    [deleted] = bot_api.sent("deleteMessage", chat_id=USER)  # no stale status
    assert deleted.params["message_id"] == status.result["message_id"]
    [reply] = bot_api.texts(USER)
    assert reply == complaint.params["text"]
    assert (
        reply == "The speech service rejected the bot's API key. The bot's owner needs to check it."
    )
