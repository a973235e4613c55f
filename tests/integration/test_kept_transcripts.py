"""Transcripts kept per recording: a recording transcribed once is not sent to MiMo again, a
transcription cut short sends MiMo only the pieces it had not answered, and what is kept is the
chat's data (per chat, deleted by /forget and after the retention period). Through the real bots,
against the Telegram, Discord and MiMo stand-ins, on real databases."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.integration.chatlog_db import query
from tests.integration.conftest import discord_settings, running, running_discord, settings_for
from tests.standins.clock import ManualClock
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo, Fault, heard_whole
from tests.standins.telegram_api import FakeBotApi

ALICE, BOB = 101, 102
GROUP, OTHER_GROUP = -1001, -1002
UNAUTHORISED = Fault("status", status=401)  # ends the whole recording, as a crash would


def reply_with(bot_api: FakeBotApi, chat_id: int, words: str, reply_to: dict[str, object]) -> None:
    chat_type = "private" if chat_id > 0 else "supergroup"
    bot_api.push(
        bot_api.text_message(
            chat_id=chat_id, user_id=ALICE, text=words, chat_type=chat_type, reply_to=reply_to
        )
    )


def send_note(
    bot_api: FakeBotApi, chat_id: int, data: bytes, *, duration: int = 3
) -> dict[str, object]:
    chat_type = "private" if chat_id > 0 else "supergroup"
    message = bot_api.voice_message(
        chat_id=chat_id, user_id=BOB, data=data, duration=duration, chat_type=chat_type
    )
    bot_api.push(message)
    return message


def all_answered(texts: list[str], count: int) -> bool:
    """The chat reads `count` answers, none of them still a status ("Transcribing…")."""
    return len(texts) == count and not any(text.endswith("…") for text in texts)


def seconds_heard(transcript: str) -> list[float]:
    return [float(seconds) for seconds in re.findall(r"heard (\d+\.\d) seconds", transcript)]


async def kept_rows(url: str, chat_id: int | str) -> tuple[int, int]:
    """(recordings, pieces) kept for the chat."""
    counts = []
    for table in ("recording_transcripts", "recording_transcript_parts"):
        [(count,)] = await query(
            url, f"SELECT count(*) FROM {table} WHERE chat_id = :chat", chat=str(chat_id)
        )
        counts.append(int(count))
    return counts[0], counts[1]


async def test_a_recording_transcribed_once_is_not_sent_to_mimo_again(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
    async with running(settings, bot_api):
        voice = send_note(bot_api, GROUP, voice_ogg)
        await bot_api.wait_for_texts(GROUP, ["heard 3.0 seconds"])
        reply_with(bot_api, GROUP, "/transcribe", voice)
        await bot_api.wait_for_texts(GROUP, ["heard 3.0 seconds", "heard 3.0 seconds"])
        # The same file forwarded to another group is that group's own business: heard anew.
        send_note(bot_api, OTHER_GROUP, voice_ogg)
        await bot_api.wait_for_texts(OTHER_GROUP, ["heard 3.0 seconds"])

    assert len(mimo.calls("mimo-v2.5-asr")) == 2  # once per chat, never twice in one
    assert len(bot_api.downloads) == 2  # the kept transcript needs no download either
    assert await kept_rows(database_url, GROUP) == (1, 1)
    [(language, duration)] = await query(
        database_url,
        "SELECT language, duration FROM recording_transcripts WHERE chat_id = :chat",
        chat=str(GROUP),
    )
    assert language == "auto" and duration == pytest.approx(3.0, abs=0.1)


async def test_an_interrupted_transcription_sends_mimo_only_the_pieces_it_had_not_answered(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, long_ogg: bytes
) -> None:
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url,
        asr_piece_seconds=10, asr_concurrency=1,
    )  # fmt: skip
    mimo.fail_every(3, [UNAUTHORISED])  # two pieces answered, then the work stops
    async with running(settings, bot_api):
        voice = send_note(bot_api, ALICE, long_ogg, duration=35)
        await bot_api.wait_until(lambda: "API key" in " ".join(bot_api.texts(ALICE)))
        after_failure = await kept_rows(database_url, ALICE)
        asked_before = len(mimo.calls("mimo-v2.5-asr"))
        mimo.recover()
        reply_with(bot_api, ALICE, "/transcribe", voice)
        await bot_api.wait_until(lambda: heard_whole(bot_api.texts(ALICE)[-1]))

    assert asked_before == 3 and after_failure == (1, 2)  # each piece kept as it was answered
    resent = mimo.calls("mimo-v2.5-asr")[asked_before:]
    pieces = seconds_heard(bot_api.texts(ALICE)[-1])
    assert len(resent) == len(pieces) - 2  # the two kept pieces were not heard again
    assert sum(pieces) == pytest.approx(35, abs=0.5)  # and the transcript is whole, in order
    assert await kept_rows(database_url, ALICE) == (1, len(pieces))


async def test_a_piece_mimo_failed_is_the_only_one_asked_again(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, long_ogg: bytes
) -> None:
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url,
        asr_piece_seconds=10, asr_concurrency=1,
    )  # fmt: skip
    # The first piece asked for is refused: a gap, the rest carries on. Which piece that is
    # depends on which ffmpeg finishes first (the ranges convert side by side).
    mimo.fail_next(400)
    async with running(settings, bot_api):
        voice = send_note(bot_api, ALICE, long_ogg, duration=35)
        await bot_api.wait_until(lambda: all_answered(bot_api.texts(ALICE), 1))
        first = len(mimo.calls("mimo-v2.5-asr"))
        reply_with(bot_api, ALICE, "/transcribe", voice)
        await bot_api.wait_until(lambda: all_answered(bot_api.texts(ALICE), 2))

    with_gap, whole = bot_api.texts(ALICE)
    assert "could not be transcribed" in with_gap
    assert len(mimo.calls("mimo-v2.5-asr")) == first + 1
    assert "could not be transcribed" not in whole
    assert sum(seconds_heard(whole)) == pytest.approx(35, abs=0.5)


async def test_a_new_transcript_language_hears_the_recording_again(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
    async with running(settings, bot_api):
        voice = send_note(bot_api, ALICE, voice_ogg)
        await bot_api.wait_for_texts(ALICE, ["heard 3.0 seconds"])
        reply_with(bot_api, ALICE, "/language zh", voice)
        await bot_api.wait_until(lambda: all_answered(bot_api.texts(ALICE), 2))
        reply_with(bot_api, ALICE, "/transcribe", voice)
        await bot_api.wait_until(lambda: all_answered(bot_api.texts(ALICE), 3))

    languages = [
        body.get("asr_options", {}).get("language") for body in mimo.calls("mimo-v2.5-asr")
    ]
    assert languages in (["auto", "zh"], [None, "zh"])
    [(language,)] = await query(
        database_url,
        "SELECT language FROM recording_transcripts WHERE chat_id = :chat",
        chat=str(ALICE),
    )
    assert language == "zh"


async def test_kept_transcripts_go_after_the_retention_period(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    clock = ManualClock()
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, summary_retention_days=7
    )
    async with running(settings, bot_api, clock=clock):
        await clock.settled()
        send_note(bot_api, GROUP, voice_ogg)
        await bot_api.wait_for_texts(GROUP, ["heard 3.0 seconds"])
        await clock.advance(timedelta(days=6, hours=23))
        a_week_less_an_hour = await kept_rows(database_url, GROUP)
        await clock.advance(timedelta(hours=2))
        past_a_week = await kept_rows(database_url, GROUP)

    assert a_week_less_an_hour == (1, 1)
    assert past_a_week == (0, 0)


async def test_discord_transcribes_an_attachment_once_whichever_way_it_is_asked(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    async with running_discord(settings, discord_api):
        message = await discord_api.post_voice_message(server.general, alice, voice_ogg, duration=3)
        await discord_api.wait_for_contents(server.general, ["heard 3.0 seconds"])
        menu = await discord_api.message_command(server.general, alice, "Transcribe", message)
        [again] = await menu.wait_for_messages()

    assert again.content == "heard 3.0 seconds"
    assert len(mimo.calls("mimo-v2.5-asr")) == 1
    assert await kept_rows(database_url, f"guild:{server.id}") == (1, 1)
