"""`/tldr`: the gist of one recording, through the real bots against the stand-ins. The MiMo
stand-in condenses by rule (one point per transcript line, at that line's time), so a test can
check that every time on the card points at the piece the point came from."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from core.domain.gists import clock
from tests.audio_factory import make_audio
from tests.integration.chatlog_db import query
from tests.integration.conftest import discord_settings, running, running_discord, settings_for
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

ALICE, BOB = 101, 102
GROUP = -1001
CARD_LINE = re.compile(r"^• \[(\d\d:\d\d)\] point: (.+)$")


@pytest.fixture
def long_ogg(tmp_path: Path) -> bytes:
    """35 s: at least four pieces of at most 10 s."""
    return make_audio(tmp_path, fmt="ogg", seconds=35).read_bytes()


def group_message(bot_api: FakeBotApi, user: int, **content: object) -> dict[str, object]:
    if "data" in content:
        message = bot_api.voice_message(
            chat_id=GROUP, user_id=user, chat_type="supergroup", duration=35, **content
        )  # type: ignore[arg-type]
    else:
        message = bot_api.text_message(
            chat_id=GROUP, user_id=user, chat_type="supergroup", **content
        )  # type: ignore[arg-type]
    bot_api.push(message)
    return message


def gist_requests(mimo: FakeMimo) -> list[dict[str, object]]:
    return [
        body
        for body in mimo.calls("mimo-v2.5")
        if not str(body["model"]).startswith(("mimo-v2.5-asr", "mimo-v2.5-tts"))
    ]


async def piece_starts(url: str) -> dict[str, str]:
    """What each kept piece says, and where it starts, as the card writes it."""
    rows = await query(url, "SELECT start_ms, text FROM recording_transcript_parts")
    return {said: clock(start / 1000) for start, said in rows}


async def test_tldr_gives_a_card_whose_times_point_at_the_pieces_without_hearing_it_again(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, long_ogg: bytes
) -> None:
    bot_api.set_user_language(ALICE, "de")
    bot_api.set_user_language(BOB, "en")
    said = itertools.count(1)
    mimo.asr_text = lambda seconds, body: f"words number {next(said)}"  # each piece its own
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, asr_piece_seconds=10
    )
    async with running(settings, bot_api):
        note = group_message(bot_api, BOB, data=long_ogg)
        await bot_api.wait_until(lambda: bool(bot_api.texts(GROUP)))
        await bot_api.wait_until(lambda: bot_api.texts(GROUP)[-1].startswith("words"))
        heard_once = len(mimo.calls("mimo-v2.5-asr"))
        group_message(bot_api, ALICE, text="/tldr", reply_to=note)
        [document] = await bot_api.wait_for("sendDocument", chat_id=GROUP)
        group_message(bot_api, BOB, text="/usage")
        await bot_api.wait_until(lambda: "Summaries" in bot_api.texts(GROUP)[-1] or None)

    assert len(mimo.calls("mimo-v2.5-asr")) == heard_once  # the kept transcript, reused
    [request] = gist_requests(mimo)
    system, user = (message["content"] for message in request["messages"])  # type: ignore[index]
    assert "written in German" in system
    starts = await piece_starts(database_url)
    for said, at in starts.items():
        assert f"[{at}] {said}" in user  # the request carries every piece, timed
    card = next(t for t in bot_api.texts(GROUP) if t.startswith("Kurz gesagt"))
    lines = [CARD_LINE.match(line) for line in card.splitlines() if line.startswith("•")]
    assert len(lines) == len(starts) >= 4
    for line in lines:
        assert line is not None
        at, said = line.groups()
        assert starts[said] == at, (
            card,
            starts,
            user,
        )  # each point's time is where its piece starts
    assert document.file_names["document"] == "transcript.txt"
    timed = document.files["document"].decode().splitlines()
    assert timed == sorted(timed) and len(timed) == len(starts)
    assert "Summaries: 1 of 20" in bot_api.texts(GROUP)[-1]


async def test_tldr_without_a_recording_says_how_to_use_it(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        said = group_message(bot_api, BOB, text="just words")
        group_message(bot_api, ALICE, text="/tldr", reply_to=said)
        await bot_api.wait_until(lambda: bool(bot_api.texts(GROUP)) or None)

    assert bot_api.texts(GROUP) == [
        "Reply to a voice note, audio or video with /tldr to get its gist."
    ]
    assert gist_requests(mimo) == [] and mimo.calls("mimo-v2.5-asr") == []


async def test_discord_summarise_menu_and_tldr_answer_in_the_askers_language_with_the_file(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, long_ogg: bytes
) -> None:
    alice = discord_api.add_member(server, "alice", locale="fr")
    bob = discord_api.add_member(server, "bob")
    said = itertools.count(1)
    mimo.asr_text = lambda seconds, body: f"we decide part {next(said)}"
    recording = discord_api.attachment(long_ogg, filename="meeting.ogg", content_type="audio/ogg")
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=database_url, asr_piece_seconds=10
    )
    async with running_discord(settings, discord_api):
        posted = await discord_api.post_message(server.general, bob, attachments=[recording])
        menu = await discord_api.message_command(server.general, alice, "Summarise", posted)
        [card, transcript] = await menu.wait_for_messages(count=2)
        heard = len(mimo.calls("mimo-v2.5-asr"))
        again = await discord_api.slash(server.general, bob, "tldr", attachment=recording)
        [english, _] = await again.wait_for_messages(count=2)
        plain = await discord_api.post_message(server.general, bob, "no audio")
        refused = await discord_api.message_command(server.general, bob, "Summarise", plain)
        [refusal] = await refused.wait_for_messages()

    starts = await piece_starts(database_url)
    assert card.content.startswith("En bref : gist of")
    assert "Décisions" in card.content
    decisions = card.content.split("Décisions\n")[1].split("\n\n")[0].splitlines()
    assert len(decisions) == len(starts) >= 4
    for line in decisions:
        match = re.match(r"^• \[(\d\d:\d\d)\] decision: (.+)$", line)
        assert match is not None and starts[match.group(2)] == match.group(1)
    [file] = transcript.attachments
    assert file.filename == "transcript.txt"
    assert transcript.content.startswith("La transcription complète")
    # The same attachment (its id) through /tldr: its kept transcript, not heard again.
    assert english.content.startswith("In short: gist of") and "in English" in english.content
    assert len(mimo.calls("mimo-v2.5-asr")) == heard
    assert refusal.content == "That message has no audio or video attachment to summarise."
    assert len(gist_requests(mimo)) == 2


async def test_tldr_auto_gives_long_recordings_their_gist_and_short_ones_none(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    bot_api.set_member_status(GROUP, ALICE, "administrator")
    bot_api.set_user_language(ALICE, "en")
    long_note = make_audio(tmp_path, fmt="ogg", seconds=62).read_bytes()
    short_note = make_audio(tmp_path / "short", fmt="ogg", seconds=3).read_bytes()
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, asr_piece_seconds=30
    )
    async with running(settings, bot_api):
        group_message(bot_api, BOB, text="/tldr auto 1")
        await bot_api.wait_until(lambda: len(bot_api.texts(GROUP)) == 1 or None)
        group_message(bot_api, ALICE, text="/tldr auto soon")
        await bot_api.wait_until(lambda: len(bot_api.texts(GROUP)) == 2 or None)
        group_message(bot_api, ALICE, text="/tldr auto 1")
        await bot_api.wait_until(lambda: len(bot_api.texts(GROUP)) == 3 or None)
        short = bot_api.voice_message(
            chat_id=GROUP, user_id=BOB, data=short_note, duration=3, chat_type="supergroup"
        )
        bot_api.push(short)
        await bot_api.wait_until(lambda: bot_api.texts(GROUP)[-1] == "heard 3.0 seconds" or None)
        group_message(bot_api, BOB, data=long_note)
        [document] = await bot_api.wait_for("sendDocument", chat_id=GROUP)

    texts = bot_api.texts(GROUP)
    assert texts[0] == "Only administrators can change settings in this chat."
    assert texts[1].startswith("“soon” is not a valid length for automatic gists, in minutes.")
    assert texts[2].startswith("Recordings here of 1 min or longer also get their gist")
    assert texts[4].startswith("heard")  # the long one's transcript, then its card
    assert texts[5].startswith("In short: gist of ")
    assert len(gist_requests(mimo)) == 1  # the short note got none
    assert document.file_names["document"] == "transcript.txt"
