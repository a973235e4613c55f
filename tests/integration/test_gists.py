"""`/tldr`, Discord's Gist button and automatic gists: the gist of one recording, through the real
bots against the stand-ins. The MiMo stand-in condenses by rule (one point per transcript line,
at that line's time), so a test can check that every time on the card points at the piece the
point came from."""

from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable
from pathlib import Path

from core.domain.recordings.gist_format import clock
from tests.audio_factory import make_audio
from tests.integration.chatlog_db import query
from tests.integration.conftest import discord_settings, running, running_discord, settings_for
from tests.standins.discord_api import FakeDiscord, Guild, SentMessage
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

ALICE, BOB = 101, 102
GROUP = -1001
CARD_LINE = re.compile(r"^• \[(\d\d:\d\d)\] point: (.+)$")


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
    return mimo.calls("mimo-v2.6-flash")


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
        # The transcript, not its status showing the words heard so far above "… transcribed…".
        await bot_api.wait_until(
            lambda: (
                bot_api.texts(GROUP)[-1].startswith("words")
                and not bot_api.texts(GROUP)[-1].endswith("…")
            )
        )
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


async def test_discord_tldr_answers_in_the_askers_language_with_the_file(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, long_ogg: bytes
) -> None:
    alice = discord_api.add_member(server, "alice", locale="fr")
    bob = discord_api.add_member(server, "bob")
    said = itertools.count(1)
    mimo.asr_text = lambda seconds, body: f"we decide part {next(said)}"
    recording = discord_api.attachment(long_ogg, filename="meeting.ogg", content_type="audio/ogg")
    notes = discord_api.attachment(b"just words", filename="notes.txt", content_type="text/plain")
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=database_url, asr_piece_seconds=10
    )
    async with running_discord(settings, discord_api):
        asked = await discord_api.slash(server.general, alice, "tldr", attachment=recording)
        [card, transcript] = await asked.wait_for_messages(count=2)
        heard = len(mimo.calls("mimo-v2.5-asr"))
        again = await discord_api.slash(server.general, bob, "tldr", attachment=recording)
        [english, _] = await again.wait_for_messages(count=2)
        refused = await discord_api.slash(server.general, bob, "tldr", attachment=notes)
        [refusal] = await refused.wait_for_messages()

    starts = await piece_starts(database_url)
    assert card.content.startswith("En bref\u00a0: gist of")
    assert "Décisions" in card.content
    decisions = card.content.split("Décisions\n")[1].split("\n\n")[0].splitlines()
    assert len(decisions) == len(starts) >= 4
    for line in decisions:
        match = re.match(r"^• \[(\d\d:\d\d)\] decision: (.+)$", line)
        assert match is not None and starts[match.group(2)] == match.group(1)
    [file] = transcript.attachments
    assert file.filename == "transcript.txt"
    assert transcript.content.startswith("La transcription complète")
    # The same attachment (its id) again: its kept transcript, not heard again.
    assert english.content.startswith("In short: gist of") and "in English" in english.content
    assert len(mimo.calls("mimo-v2.5-asr")) == heard
    assert refusal.content == "That file is not audio or video." and refusal.ephemeral
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


def with_button(discord_api: FakeDiscord, message: SentMessage) -> Awaitable[object]:
    """Wait until the Gist button is under `message` (it comes once the transcript is whole)."""
    return discord_api.wait_until(
        lambda: message.buttons, timeout=60, what="a button under the transcript"
    )


def public(discord_api: FakeDiscord, channel: int) -> list[SentMessage]:
    """What everyone in the channel sees of the bot (not the answers only one person sees)."""
    return [m for m in discord_api.messages_in(channel) if not m.ephemeral]


async def test_discord_gist_button_only_under_a_minute_or_more_and_working_after_a_restart(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """A voice message of a minute or more gets the Gist button under its transcript, a short
    one none; clicked after the bot restarted, it gives whoever clicked the card and the
    timed transcript in their language, from the kept transcript (not heard again); once the
    recording is deleted, the clicker alone is told it is gone."""
    alice = discord_api.add_member(server, "alice", locale="fr")
    bob = discord_api.add_member(server, "bob")
    long_note = make_audio(tmp_path, fmt="ogg", seconds=62).read_bytes()
    short_note = make_audio(tmp_path / "short", fmt="ogg", seconds=3).read_bytes()
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=database_url, asr_piece_seconds=30
    )
    async with running_discord(settings, discord_api):
        await discord_api.post_voice_message(server.general, bob, short_note, duration=3)
        await discord_api.wait_for_contents(server.general, ["heard 3.0 seconds"])
        long_message = await discord_api.post_voice_message(
            server.general, bob, long_note, duration=62
        )
        [short, long] = await discord_api.wait_for_messages(server.general, count=2)
        await with_button(discord_api, long)
    heard = len(mimo.calls("mimo-v2.5-asr"))

    async with running_discord(settings, discord_api):  # a new process: nothing kept in memory
        clicked = await discord_api.click(long, alice, label="Gist")
        [card, transcript] = await clicked.wait_for_messages(count=2)
        await discord_api.delete_message(long_message)
        again = await discord_api.click(long, bob, label="Gist")
        [gone] = await again.wait_for_messages()

    assert short.buttons == [] and long.reply_to == int(long_message["id"])
    assert [b["custom_id"] for b in long.buttons] == [
        f"gist:{server.general}:{long_message['id']}:{long_message['attachments'][0]['id']}"
    ]
    assert card.content.startswith("En bref\u00a0: gist of") and "in French" in card.content
    assert not card.ephemeral and card.interaction_id == clicked.id
    assert [f.filename for f in transcript.attachments] == ["transcript.txt"]
    assert transcript.content.startswith("La transcription complète")
    assert len(mimo.calls("mimo-v2.5-asr")) == heard  # the kept transcript
    assert len(gist_requests(mimo)) == 1
    assert gone.ephemeral and gone.content.startswith("I cannot find that recording any more")


async def test_discord_gist_button_under_transcribe_and_its_menu_reuses_the_transcript(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """The button comes under a transcript asked for too: Apps → Transcribe on a message, and
    /transcribe of an upload (in no message: its kept transcript is what the click finds)."""
    alice = discord_api.add_member(server, "alice")
    bob = discord_api.add_member(server, "bob", locale="de")
    call = make_audio(tmp_path, fmt="ogg", seconds=61).read_bytes()
    posted_file = discord_api.attachment(call, filename="call.ogg", content_type="audio/ogg")
    uploaded = discord_api.attachment(call, filename="call.ogg", content_type="audio/ogg")
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, asr_piece_seconds=30
    )
    async with running_discord(settings, discord_api):
        posted = await discord_api.post_message(server.general, alice, attachments=[posted_file])
        menu = await discord_api.message_command(server.general, alice, "Transcribe", posted)
        [from_menu] = await menu.wait_for_messages()
        await with_button(discord_api, from_menu)
        asked = await discord_api.slash(server.general, alice, "transcribe", attachment=uploaded)
        [from_upload] = await asked.wait_for_messages()
        await with_button(discord_api, from_upload)
        heard = len(mimo.calls("mimo-v2.5-asr"))
        cards = []
        for transcript in (from_menu, from_upload):
            clicked = await discord_api.click(transcript, bob)
            cards.append((await clicked.wait_for_messages(count=2))[0])

    assert [b["label"] for b in from_menu.buttons] == ["Gist"]  # in the transcript's language
    assert from_upload.buttons[0]["custom_id"] == f"gist:{server.general}:0:{uploaded['id']}"
    assert all(card.content.startswith("Kurz gesagt: gist of") for card in cards)
    assert len(mimo.calls("mimo-v2.5-asr")) == heard


async def test_discord_autogist_set_with_manage_server_gives_long_transcripts_their_gist(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    admin = discord_api.add_member(server, "admin", manage_guild=True)
    member = discord_api.add_member(server, "member")
    long_note = make_audio(tmp_path, fmt="ogg", seconds=62).read_bytes()
    short_note = make_audio(tmp_path / "short", fmt="ogg", seconds=3).read_bytes()
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=database_url, asr_piece_seconds=30
    )

    async def autogist(user: int, **minutes: str) -> SentMessage:
        interaction = await discord_api.slash(server.general, user, "autogist", **minutes)
        [answer] = await interaction.wait_for_messages()
        return answer

    async with running_discord(settings, discord_api):
        refused = await autogist(member, minutes="1")
        unset = await autogist(admin)
        chosen = await autogist(admin, minutes="1")
        await discord_api.post_voice_message(server.general, member, short_note, duration=3)
        await discord_api.wait_until(
            lambda: public(discord_api, server.general), timeout=60, what="a transcript"
        )
        note = await discord_api.post_voice_message(server.general, member, long_note, duration=62)
        [short, transcript, card, timed] = await discord_api.wait_until(
            lambda: len(found := public(discord_api, server.general)) == 4 and found,
            timeout=60,
            what="the long note's transcript, card and timed transcript",
        )
        stopped = await autogist(admin, minutes="0")
        shown = await autogist(member)

    assert refused.ephemeral and refused.content == (
        "Changing this server's settings needs the Manage Server permission."
    )
    assert unset.content.startswith("Recordings here get no automatic gist. /autogist minutes:10")
    assert chosen.ephemeral and chosen.content == (
        "Recordings here of 1 min or longer also get their gist below the transcript. "
        "/autogist minutes:off stops it."
    )
    assert short.content == "heard 3.0 seconds"
    assert transcript.content.startswith("heard") and transcript.reply_to == int(note["id"])
    assert card.content.startswith("In short: gist of") and card.reply_to == int(note["id"])
    assert [f.filename for f in timed.attachments] == ["transcript.txt"]
    assert timed.reply_to == int(note["id"])
    assert len(gist_requests(mimo)) == 1  # the short note got none
    assert stopped.content.startswith("Recordings here get no automatic gist.")
    assert shown.content == stopped.content
