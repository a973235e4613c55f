"""Long recordings on Discord: the answer shows the words heard so far while pieces finish and
then becomes the transcript; transcripts as .txt and .srt files."""

from __future__ import annotations

import re

import pytest

from tests.integration.conftest import discord_settings, running_discord
from tests.standins.discord_api import FakeDiscord, FakeInteraction, Guild, SentMessage
from tests.standins.mimo import FakeMimo, heard_whole

# A long recording's status: its words heard so far, in order, above how far it got.
PROGRESS = re.compile(
    r"(?P<words>heard \d+\.\d seconds( heard \d+\.\d seconds)*)\n\n0:\d\d of 0:35 transcribed…"
)


async def with_file(discord_api: FakeDiscord, asked: FakeInteraction) -> list[SentMessage]:
    """The answer once it carries its file (a status shown meanwhile is gone by then)."""
    await discord_api.wait_until(
        lambda: any(m.attachments for m in asked.visible), timeout=30, what="a file"
    )
    return asked.visible


def seconds_in(transcript: str) -> float:
    return sum(float(s) for s in re.findall(r"heard (\d+\.\d) seconds", transcript))


async def test_a_long_voice_message_shows_progress_in_the_reply_that_becomes_the_transcript(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, long_ogg: bytes
) -> None:
    alice = discord_api.add_member(server, "alice")
    mimo.hold_after(1)  # one piece at a time: the rest once the first one's progress shows
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url,
        asr_piece_seconds=10, asr_concurrency=1,
    )  # fmt: skip
    async with running_discord(settings, discord_api):
        await discord_api.post_voice_message(server.general, alice, long_ogg, duration=35)
        await discord_api.wait_until(
            lambda: any(PROGRESS.fullmatch(content) for _, content in discord_api.edits),
            timeout=30,
            what="the first progress",
        )
        mimo.hold_after(None)
        await discord_api.wait_until(
            lambda: any(c.startswith("heard") for c in discord_api.contents(server.general)),
            timeout=30,
            what="the transcript",
        )

    [reply] = discord_api.messages_in(server.general)
    shown = [content for message_id, content in discord_api.edits if message_id == reply.id]
    assert any(PROGRESS.fullmatch(content) for content in shown), shown
    # The first piece's words showed while MiMo still held the other pieces: the first
    # progress shown is one piece's words, the ones the transcript starts with.
    first = next(found for content in shown if (found := PROGRESS.fullmatch(content)))
    assert first["words"].count("heard") == 1 and reply.content.startswith(first["words"])
    assert seconds_in(reply.content) == pytest.approx(35, abs=0.5)
    asr_calls = len(mimo.calls("mimo-v2.5-asr"))
    assert asr_calls >= 4 and reply.content.count("heard") == asr_calls


async def test_transcribe_shows_progress_in_its_answer(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, long_ogg: bytes
) -> None:
    alice = discord_api.add_member(server, "alice")
    recording = discord_api.attachment(long_ogg, filename="meeting.ogg", content_type="audio/ogg")
    mimo.hold_after(1)  # one piece at a time: the rest once the first one's progress shows
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url,
        asr_piece_seconds=10, asr_concurrency=1,
    )  # fmt: skip
    async with running_discord(settings, discord_api):
        asked = await discord_api.slash(server.general, alice, "transcribe", attachment=recording)
        await discord_api.wait_until(
            lambda: any(PROGRESS.fullmatch(m.content) for m in asked.visible),
            timeout=30,
            what="the first progress",
        )
        mimo.hold_after(None)
        await discord_api.wait_until(
            lambda: [m.content[:5] for m in asked.visible] == ["heard"],
            timeout=30,
            what="the transcript",
        )

    [answer] = asked.visible
    shown = [content for message_id, content in discord_api.edits if message_id == answer.id]
    assert any(PROGRESS.fullmatch(content) for content in shown), shown
    assert seconds_in(answer.content) == pytest.approx(35, abs=0.5)
    assert not answer.ephemeral


async def test_transcribe_as_srt_or_txt_answers_with_a_file(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, long_ogg: bytes
) -> None:
    alice = discord_api.add_member(server, "alice")
    recording = discord_api.attachment(long_ogg, filename="meeting.ogg", content_type="audio/ogg")
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, asr_piece_seconds=10
    )
    async with running_discord(settings, discord_api):
        srt = await discord_api.slash(
            server.general, alice, "transcribe", attachment=recording, format="srt"
        )
        [subtitles] = await with_file(discord_api, srt)
        txt = await discord_api.slash(
            server.general, alice, "transcribe", attachment=recording, format="txt"
        )
        [text_file] = await with_file(discord_api, txt)

    [srt_file] = subtitles.attachments
    assert srt_file.filename == "transcript.srt"
    assert subtitles.content == "Subtitles (.srt) of the recording (0:35)."
    cues = re.findall(
        r"\d+\n(\d\d:\d\d:\d\d,\d{3}) --> (\d\d:\d\d:\d\d,\d{3})\n", srt_file.data.decode()
    )
    assert cues[0][0] == "00:00:00,000" and cues[-1][1].startswith("00:00:3")
    [plain] = text_file.attachments
    assert plain.filename == "transcript.txt"
    assert seconds_in(plain.data.decode()) == pytest.approx(35, abs=0.5)


async def test_a_transcript_that_outlives_the_interaction_token_still_reaches_the_channel(
    mimo: FakeMimo, sqlite_url: str, long_ogg: bytes
) -> None:
    """Discord's interaction tokens last 15 minutes (here they end once the first progress
    shows): a transcript done later cannot be a follow-up or an edit any more, so it comes as a
    reply to the status it would have replaced."""
    mimo.hold_after(1)  # four pieces or more, one at a time: the rest once the token expired
    async with FakeDiscord() as discord_api:
        server = discord_api.add_guild()
        alice = discord_api.add_member(server, "alice")
        recording = discord_api.attachment(long_ogg, filename="talk.ogg", content_type="audio/ogg")
        settings = discord_settings(
            discord_api=discord_api, mimo=mimo, database_url=sqlite_url,
            asr_piece_seconds=10, asr_concurrency=1,
        )  # fmt: skip
        async with running_discord(settings, discord_api):
            asked = await discord_api.slash(
                server.general, alice, "transcribe", attachment=recording
            )
            await discord_api.wait_until(
                lambda: any(PROGRESS.fullmatch(m.content) for m in asked.visible),
                timeout=30,
                what="the first progress",
            )
            discord_api.expire_tokens()
            mimo.hold_after(None)
            await discord_api.wait_until(
                lambda: any(heard_whole(m.content) for m in discord_api.messages),
                timeout=30,
                what="the transcript",
            )

        [status] = asked.visible
        [transcript] = [m for m in discord_api.messages if heard_whole(m.content)]
        expired = [c for c in discord_api.calls if c.error_code == 50027]
    assert PROGRESS.fullmatch(status.content)  # the last progress its token could show
    assert transcript.channel_id == server.general and transcript.reply_to == status.id
    assert seconds_in(transcript.content) == pytest.approx(35, abs=0.5)
    assert expired  # it did try the interaction first
