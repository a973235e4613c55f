"""The promises on the ways in that had no test of their own (the table at the top of
docs/contributing/promises.md): a stranger to the allowlist starts no listened call, no
interpreter, no reading and no `/remember`, even standing in a voice channel of the server it
runs in; a Business contact's note and a user install's transcript stop at the day's quota
before anything is fetched, and `/remember` at the server's day; a playlist reads no file
beside it, sent as a Discord voice message, waiting in a channel's past for `/remember`, sent
as a Business contact's note, asked about in Guest Mode or by a user install; what
`voicebridge import telegram` kept is found in its chat alone; `/forget` where only the user
installed the bot deletes what it kept there; a reading taken up after a restart reads nothing
of a member who said no, nor a message deleted, while the bot was away; `/forget` during an
interpreted call plays nothing more of it; a reading taken up on a day whose speech is used up
makes nothing more into speech, nor one with a listener who may not read the channel; a call
taken up gives nothing of itself to a member who may not read its chat; a member's no to being
read outlives a `/forget`.

A download is kept under a name of ours in a folder of its own, and ffmpeg reads only a
recording's containers: the playlist tests fail when a way skips both. The real `voicebridge
run` against the Telegram and Discord stand-ins (Discord's voice server included), real ffmpeg
and SQLite (PostgreSQL too where the test takes `database_url`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bots.discord.place_access import place_of
from bots.telegram.telegram_wording import text as telegram_text
from core.chat.message_catalogue import text
from core.domain.channel_reader.reader_rules import ReaderMember
from tests.audio_factory import make_audio
from tests.integration.chatlog_db import unit_of_work
from tests.integration.cli.process import env, voicebridge
from tests.integration.cli.test_import_telegram import BOB, GROUP, SAID, make_export
from tests.integration.conftest import discord_settings, running, running_discord, settings_for
from tests.integration.restarts import WAIT, environment, in_the_call_again, in_the_lounge, in_voice
from tests.integration.restarts import back as call_back
from tests.integration.test_call_restarts import listening_again as call_started
from tests.integration.test_call_restarts import said_and_captioned, until_goodbye
from tests.integration.test_discord_interpreting import sentence_of_tone
from tests.integration.test_discord_listening import (
    bot_in_server,
    listening_cog,
    posted_in,
)
from tests.integration.test_discord_reader import (
    Members,
    clips,
    heard_clips,
    in_lounge,
    left_by_itself,
    spoken_requests,
)
from tests.integration.test_discord_remember import find, remember
from tests.integration.test_kill_restart import identified, voicebridge_run
from tests.integration.test_limits import rows_about
from tests.integration.test_reading_restarts import WORDS, ended, kept_reading, reading_back
from tests.integration.test_telegram_business import FRIEND, OWNER
from tests.integration.test_telegram_guest import ask_as_guest, until_shown
from tests.integration.test_telegram_summaries import next_reply
from tests.playlists import SECRET, concat_list, hls_playlist, private_recording
from tests.scenarios.discord_bot import transcript_lines
from tests.scenarios.tones import tone_heard
from tests.standins.discord_api import READ_MESSAGE_HISTORY, FakeDiscord, Guild
from tests.standins.mimo import FakeMimo, hears_by_length
from tests.standins.telegram_api import FakeBotApi
from tests.standins.voice_members import tone
from tests.waiting import until

PRIVATE = "Sorry, this bot is private."
UNREADABLE = text("error.undecodable_audio", "en")
OTHER_GROUP = -1009990
PAUSED = "The day's audio quota or budget is used up: the import of this channel's past waits"
COUNTED = "Transcribing this channel's past voice messages: 1 of 2"

# Each way in a stranger may try from a server off the allowlist: a slash command, its options.
STARTS: dict[str, tuple[str, dict[str, Any]]] = {
    "listen": ("listen", {}),
    "interpreter": ("listen", {"interpret": True}),
    "read_channel": ("read_channel", {}),
    "remember": ("remember", {"days": 30}),
}


@pytest.mark.parametrize("way", list(STARTS))
async def test_a_stranger_starts_nothing_from_a_voice_channel_of_a_server_off_the_allowlist(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path,
    way: str,
) -> None:  # fmt: skip
    """Mallory manages a server the operator did not list, sits in its Lounge and has a voice
    message of three days ago in its chat: whichever of /listen, /listen interpret:True,
    /read_channel or /remember she runs gets the one private sentence; the bot never joins a
    voice channel, downloads nothing, sends MiMo nothing and keeps nothing of her server."""
    other = discord_api.add_guild("Not listed")
    mallory = discord_api.add_member(other, "mallory", manage_guild=True)
    await discord_api.join_call(other, mallory, other.lounge)
    await discord_api.post_message(other.lounge, mallory, content="Read this aloud, please.")
    voice = discord_api.attachment(
        private_recording(tmp_path).read_bytes(), filename="voice-message.ogg",
        content_type="audio/ogg", duration=3,
    )  # fmt: skip
    days_ago = datetime.now(UTC) - timedelta(days=3)  # within the retention (7 days)
    await discord_api.post_message(other.general, mallory, attachments=[voice], at=days_ago)
    command, options = STARTS[way]
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url,
        allowed_chats=f"discord:{server.id}",
    )  # fmt: skip
    async with running_discord(settings, discord_api):
        place = other.lounge if command == "read_channel" else other.general
        asked = await discord_api.slash(place, mallory, command, **options)
        [answer] = await asked.wait_for_messages()
        # What a started call, reading or import would have done by now, a served one's
        # answer shows: the served server's own /listen joins at once.
        alice = discord_api.add_member(server, "alice")
        await discord_api.join_call(server, alice, server.lounge)
        served = await discord_api.slash(server.general, alice, "listen")
        await served.wait_for_messages()
        await discord_api.voice.wait_until(
            lambda: discord_api.voice.live_call(server.id, server.lounge), what="the served call"
        )

    assert (answer.content, answer.ephemeral) == (PRIVATE, True)
    assert discord_api.voice.live_call(other.id, other.lounge) is None
    assert [r for r in discord_api.voice_state_requests if int(r["guild_id"]) == other.id] == []
    assert discord_api.downloads == []
    assert mimo.requests == []
    assert set((await rows_about(sqlite_url, [other.id, other.general, mallory])).values()) == {0}


async def test_a_playlist_sent_as_a_voice_message_reads_no_file_beside_it(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """Bob posts two "voice messages" that are lists of other files, one an HLS playlist
    naming Ann's private recording by its absolute path, one a concat list naming it beside
    the download: each is refused as not a recording, MiMo hears nothing and /find finds
    nothing of what the recording says."""
    private = private_recording(tmp_path / "private")
    lists = [
        hls_playlist(tmp_path / "song.m3u8", f"file:{private}"),
        concat_list(tmp_path / "list", str(private), "../private/private.ogg"),
    ]
    bob = discord_api.add_member(server, "bob")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        for count, sent in enumerate(lists, start=1):
            await discord_api.post_voice_message(
                server.general, bob, sent.read_bytes(), duration=10
            )
            await discord_api.wait_until(
                lambda n=count: discord_api.contents(server.general).count(UNREADABLE) == n,
                timeout=30,
                what=f"refusal {count}",
            )
        found = await find(discord_api, server.general, bob, "safe")

    assert discord_api.contents(server.general)[:2] == [UNREADABLE, UNREADABLE]
    assert mimo.calls("mimo-v2.5-asr") == []
    assert found.startswith("Nothing I kept here")
    assert not any(SECRET in said for said in discord_api.contents(server.general))


async def test_a_playlist_among_the_past_voice_messages_remember_imports_reads_nothing_beside_it(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """Three days ago Bob posted a voice message that is an HLS playlist naming Ann's private
    recording; Ann runs /remember: the playlist is not heard, MiMo hears Ann's own voice
    message alone, and /find finds nothing of what the private recording says."""
    private = private_recording(tmp_path / "private")
    playlist = hls_playlist(tmp_path / "song.m3u8", f"file:{private}").read_bytes()
    ann = discord_api.add_member(server, "ann", manage_guild=True)
    bob = discord_api.add_member(server, "bob")
    days_ago = datetime.now(UTC) - timedelta(days=3)  # within the retention (7 days)
    anns = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    for author, data in ((bob, playlist), (ann, anns)):
        voice = discord_api.attachment(
            data, filename="voice-message.ogg", content_type="audio/ogg", duration=3
        )
        await discord_api.post_message(server.general, author, attachments=[voice], at=days_ago)
    mimo.asr_text = lambda duration, body: "Ann's own note about the garden."
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        shown = await remember(discord_api, server.general, ann, start=True)
        garden = await find(discord_api, server.general, ann, "garden")
        safe = await find(discord_api, server.general, ann, "safe")

    assert "to transcribe: 2" in shown
    assert len(mimo.calls("mimo-v2.5-asr")) == 1  # Ann's; the playlist never reached MiMo
    assert "**garden**" in garden
    assert "4-8-1-5" not in safe and "**safe**" not in safe


# --- Telegram Business, Guest Mode, a Discord user install: what may be spent, what is opened


async def test_a_contacts_note_past_the_owners_day_is_refused_to_the_owner_and_never_heard(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """The owner's chat has 5 s of transcription a day: a contact's first 3 s note is
    transcribed for the owner, the second is refused to the owner (never in the contact's
    chat) before it is downloaded, and MiMo hears the first alone."""
    note = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, daily_audio_seconds=5
    )
    async with running(settings, bot_api):
        connection = bot_api.connect_business(user_id=OWNER)
        await bot_api.wait_for("sendMessage", count=1, chat_id=OWNER)  # the welcome
        for count in (2, 3):
            bot_api.push_business(bot_api.business_voice_message(
                connection_id=connection, chat_id=FRIEND, user_id=FRIEND, data=note
            ))  # fmt: skip
            told = await bot_api.wait_for("sendMessage", count=count, chat_id=OWNER)
        downloads = len(bot_api.sent("getFile"))

    transcript, refusal = (str(call.params["text"]) for call in told[1:])
    assert transcript.endswith("heard 3.0 seconds")
    assert "only 2 sec of transcription left today" in refusal
    assert len(mimo.calls("mimo-v2.5-asr")) == 1
    assert downloads == 1  # the refused note was never fetched
    assert bot_api.business_replies(connection, FRIEND) == []


async def test_a_contacts_playlist_reads_no_file_beside_it(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """A contact sends the owner a "voice note" that is an HLS playlist naming Ann's private
    recording: the owner is told it is not readable as audio, MiMo hears nothing."""
    private = private_recording(tmp_path / "private")
    playlist = hls_playlist(tmp_path / "song.m3u8", f"file:{private}").read_bytes()
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url)
    async with running(settings, bot_api):
        connection = bot_api.connect_business(user_id=OWNER)
        await bot_api.wait_for("sendMessage", count=1, chat_id=OWNER)
        bot_api.push_business(bot_api.business_voice_message(
            connection_id=connection, chat_id=FRIEND, user_id=FRIEND, data=playlist
        ))  # fmt: skip
        told = await bot_api.wait_for("sendMessage", count=2, chat_id=OWNER)

    assert UNREADABLE in str(told[1].params["text"])
    assert mimo.calls("mimo-v2.5-asr") == []
    assert not any(SECRET in str(call.params.get("text")) for call in bot_api.calls)


async def test_a_guest_query_about_a_playlist_reads_no_file_beside_it(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """A friend's "voice note" is an HLS playlist naming Ann's private recording; the caller
    asks the bot about it as a guest: the answer says it is not readable as audio, MiMo hears
    nothing."""
    private = private_recording(tmp_path / "private")
    playlist = hls_playlist(tmp_path / "song.m3u8", f"file:{private}").read_bytes()
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url)
    async with running(settings, bot_api):
        query = ask_as_guest(bot_api, playlist)
        shown = await until_shown(
            bot_api,
            query,
            lambda t: t not in ("", telegram_text("guest.transcribing", "en")),
            "an answer",
        )

    assert UNREADABLE in shown and SECRET not in shown
    assert mimo.calls("mimo-v2.5-asr") == []


async def test_a_user_installs_transcript_past_the_users_day_never_reaches_mimo(
    discord_api: FakeDiscord, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """Alice installed the app to her account; her day holds 5 s of transcription: in a DM
    with Bob, Transcribe on his first 3 s voice message is answered, on the second it says
    what is left, before the recording is fetched, and MiMo hears the first alone."""
    note = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    alice, bob = discord_api.add_user("alice"), discord_api.add_user("bob")
    discord_api.install_to_user(alice)
    dm = discord_api.private_channel(alice, bob)
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, daily_audio_seconds=5
    )
    async with running_discord(settings, discord_api):
        answers = []
        for _ in range(2):
            sent = await discord_api.post_voice_message(dm, bob, note, duration=3)
            asked = await discord_api.message_command(dm, alice, "Transcribe", sent)
            [answer] = await asked.wait_for_messages()
            await discord_api.wait_until(
                lambda a=answer: "heard" in a.content or "left" in a.content,
                timeout=15,
                what="the answer",
            )
            answers.append(answer.content)

    assert answers[0] == "heard 3.0 seconds"
    assert "only 2 sec of transcription left today" in answers[1]
    assert len(mimo.calls("mimo-v2.5-asr")) == 1
    assert len(discord_api.downloads) == 1  # the refused one was never fetched


async def test_a_user_install_asked_about_a_playlist_reads_no_file_beside_it(
    discord_api: FakeDiscord, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """In a DM between Alice (who installed the app to her account) and Bob, Bob's "voice
    message" is an HLS playlist naming Ann's private recording: Transcribe on it says it is
    not readable as audio, and MiMo hears nothing."""
    private = private_recording(tmp_path / "private")
    playlist = hls_playlist(tmp_path / "song.m3u8", f"file:{private}").read_bytes()
    alice, bob = discord_api.add_user("alice"), discord_api.add_user("bob")
    discord_api.install_to_user(alice)
    dm = discord_api.private_channel(alice, bob)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        sent = await discord_api.post_voice_message(dm, bob, playlist, duration=3)
        asked = await discord_api.message_command(dm, alice, "Transcribe", sent)
        answered = await asked.wait_for_messages()

    assert UNREADABLE in [answer.content for answer in answered]
    assert mimo.calls("mimo-v2.5-asr") == []


async def test_remember_past_the_servers_day_pauses_before_the_message_that_does_not_fit(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """The server's day holds 5 s of transcription; its channel's past holds two voice
    messages of 3 s: /remember transcribes the first, then says once that the day's quota is
    used up and the import waits for the next UTC day, and MiMo never hears the second. The
    first is answered only after the pause was said: its count keeps the pause on top."""
    note = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    ann = discord_api.add_member(server, "ann", manage_guild=True)
    for hours in (30, 20):
        voice = discord_api.attachment(
            note, filename="voice-message.ogg", content_type="audio/ogg", duration=3
        )
        at = datetime.now(UTC) - timedelta(hours=hours)
        await discord_api.post_message(server.general, ann, attachments=[voice], at=at)
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, daily_audio_seconds=5
    )
    async with running_discord(settings, discord_api):
        asked = await discord_api.slash(server.general, ann, "remember", days=30)
        [found] = await asked.wait_for_messages()
        shown = found.content
        with mimo.held_each() as held:  # the first waits at MiMo until the pause is said
            pressed = await discord_api.click(found, ann, label="Start")
            await pressed.wait_for_callback()
            await discord_api.wait_until(
                lambda: any(PAUSED in c for c in discord_api.contents(server.general)),
                timeout=30,
                what="the pause",
            )
            await until(lambda: held, "the first at MiMo")
            held[0].let_go()
            await discord_api.wait_until(
                lambda: any(COUNTED in c for c in discord_api.contents(server.general)),
                timeout=30,
                what="the first counted",
            )

    assert "to transcribe: 2, 0:06 of speech." in shown
    assert len(mimo.calls("mimo-v2.5-asr")) == 1
    [progress] = [c for c in discord_api.contents(server.general) if "import" in c]
    assert progress.startswith(PAUSED) and progress.count("used up") == 1
    assert COUNTED in progress


# --- voicebridge import telegram: who may read what


async def test_what_an_import_kept_is_found_in_its_chat_alone(
    bot_api: FakeBotApi, mimo: FakeMimo, tmp_path: Path
) -> None:
    """The Flat 4B group's export is imported; the Telegram bot then runs on the same
    database: /find deposit in the group shows the imported line, in another group the bot
    serves and in Bob's private chat with the bot it finds nothing."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    export = make_export(cwd)
    url = f"sqlite+aiosqlite:///{cwd / 'voicebridge.db'}"
    hears_by_length(mimo, SAID)
    done = await voicebridge(
        "import", "telegram", str(export), "--yes", cwd=cwd,
        env=env(mimo, DATABASE_URL=url, SUMMARY_RETENTION_DAYS="30"),
    )  # fmt: skip
    assert done.code == 0, done.err
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=url, summary_retention_days=30)
    found = {}
    async with running(settings, bot_api):
        for chat, kind in ((GROUP, "supergroup"), (OTHER_GROUP, "supergroup"), (BOB, "private")):
            bot_api.push(bot_api.text_message(
                chat_id=chat, user_id=BOB, text="/find deposit", chat_type=kind
            ))  # fmt: skip
            found[chat] = await next_reply(bot_api, chat)

    assert "keeps the <b>deposit</b> until" in found[GROUP]
    assert found[OTHER_GROUP].startswith("Nothing I kept here")
    assert found[BOB].startswith("Nothing I kept here")


# --- A Discord user install: what a forget does


async def test_forget_where_only_the_user_installed_the_bot_deletes_the_transcripts_kept_there(
    discord_api: FakeDiscord, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """Alice installed the app to her account and transcribes Bob's voice message in their DM:
    asked again, it is kept and not heard again; after her /forget there it is gone, so MiMo
    hears it a second time."""
    note = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    alice, bob = discord_api.add_user("alice"), discord_api.add_user("bob")
    discord_api.install_to_user(alice)
    dm = discord_api.private_channel(alice, bob)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    heard = []
    async with running_discord(settings, discord_api):
        sent = await discord_api.post_voice_message(dm, bob, note, duration=3)
        for forget_first in (False, False, True):
            if forget_first:
                forgot = await discord_api.slash(dm, alice, "forget")
                await forgot.wait_for_messages()
            asked = await discord_api.message_command(dm, alice, "Transcribe", sent)
            [answer] = await asked.wait_for_messages()
            await discord_api.wait_until(
                lambda a=answer: a.content == "heard 3.0 seconds", timeout=15, what="transcript"
            )
            heard.append(len(mimo.calls("mimo-v2.5-asr")))

    assert heard == [1, 1, 2]


# --- A channel reading taken up after a restart: a no, whose messages, a deletion


async def test_a_reading_taken_up_reads_nothing_of_a_no_or_a_deletion_made_while_it_was_away(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Ann reads the Lounge's chat aloud; the bot is killed. While it is away Bob says
    /read_me allowed:False (another replica stores it) and then posts Bravo, Cy posts Charlie
    and deletes it, Ann posts Delta. Started again, the bot is back and reads Delta alone:
    neither Bob's message nor the deleted one is ever made into speech."""
    ann, bob, cy = await in_the_lounge(discord_api, server, "Ann", "Bob", "Cy")
    members = Members(discord_api, server.general)
    env = environment(discord_api, mimo, database_url, tmp_path)
    async with voicebridge_run(tmp_path, env, "first", identified(discord_api)) as first:
        await members.answer(ann.user_id, "read_channel")  # the Lounge's own chat
        call = await in_the_call_again(discord_api, server)
        await discord_api.post_message(server.lounge, ann.user_id, "Alpha is read first")
        await until(lambda: len(clips(call)) == 1, "Alpha read aloud", WAIT)
        first.kill()
        await first.wait()
    async with unit_of_work(database_url) as uow:  # as another replica answers /read_me
        await uow.reading.save_member(
            place_of(guild_id=server.id), str(bob.user_id), ReaderMember(read=False)
        )
        await uow.commit()
    await discord_api.post_message(server.lounge, bob.user_id, "Bravo from Bob who said no")
    deleted = await discord_api.post_message(server.lounge, cy.user_id, "Charlie, deleted")
    await discord_api.delete_message(deleted)
    await discord_api.post_message(server.lounge, ann.user_id, "Delta came meanwhile")

    async with voicebridge_run(tmp_path, env, "second", identified(discord_api)):
        await until(lambda: reading_back(discord_api, server), "the chat told it is back", WAIT)
        again = await in_the_call_again(discord_api, server)
        await until(lambda: len(clips(again)) == 1, "Delta read aloud", WAIT)
        await members.answer(ann.user_id, "stop")
        await until(lambda: not in_voice(discord_api, server), "the bot left", WAIT)

    spoken = [words for _, words in spoken_requests(mimo)]
    assert [[word for word in WORDS if word in words] for words in spoken] == [["Alpha"], ["Delta"]]


# --- The interpreter: what a forget does


async def test_forget_during_an_interpreted_call_plays_nothing_more_of_it(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Ann's long interpretation plays, another of hers and one of Bob's wait in the queue; one
    second into it Dee, who manages the server, says /forget: the listening ends first, the
    bot leaves the Lounge, and neither interpretation waiting is ever played."""
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    dee = discord_api.add_member(server, "Dee", manage_guild=True)
    members = Members(discord_api, server.general)
    speak, voice = discord_api.voice.speak, discord_api.voice
    mimo.tts_seconds_per_char = 0.3  # her interpretation lasts about 12 s
    async with bot_in_server(discord_api, mimo, sqlite_url) as bot:
        mimo.asr_text = sentence_of_tone
        interpreting = listening_cog(bot).listening.interpreting
        assert interpreting is not None
        interpreting.late_after = 120.0  # what waits in the queue is not dropped as late meanwhile
        for member in (ann, bob):
            await members.answer(member.user_id, "listen_me", allowed=True)
        await members.answer(ann.user_id, "listen", interpret=True)
        call = await voice.wait_until(lambda: voice.live_call(server.id, server.lounge), what="")
        await voice.wait_until(lambda: call.dave.executed, what="the transition")
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        await speak(ann, tone(440, 1.0))
        await until(lambda: len(call.speech) >= 1, "her interpretation playing")
        await speak(ann, tone(440, 1.0))  # her next turn, and Bob's, wait behind it
        await speak(bob, tone(660, 1.0))
        await until(lambda: len(mimo.tts_wavs) == 3, "all three interpretations made")
        await until(lambda: len(call.speech) >= 50, "one second of hers heard")
        before = len(call.speech)
        forgot = await members.answer(dee, "forget")
        await voice.wait_until(lambda: left_by_itself(discord_api), what="the bot leaving")
        after = len(call.speech) - before

    assert forgot.content.startswith("Done: I deleted everything I stored here"), forgot.content
    assert len(clips(call)) == 1  # hers, cut: neither waiting ever played
    assert after <= 100, after  # within two seconds of audio of the forget


# --- A channel reading taken up after a restart: what may be spent


async def test_a_reading_taken_up_on_a_day_its_speech_is_used_up_makes_nothing_more_into_speech(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """The server may speak 29 characters a day, and "Ann says: Alpha is read first" used
    them all; the bot is killed and "Bravo" posted while it is away. The next start makes
    nothing more into speech, and the Lounge's chat is told once that the day's speech is
    used up."""
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    env = environment(discord_api, mimo, database_url, tmp_path) | {
        "DAILY_TTS_CHARS": "29",
        "DISCORD_READER_MEMBER_SHARE": "1.0",  # the server's quota alone
    }
    async with voicebridge_run(tmp_path, env, "first", identified(discord_api)) as first:
        await members.answer(ann.user_id, "read_channel")
        call = await in_the_call_again(discord_api, server)
        await discord_api.post_message(server.lounge, ann.user_id, "Alpha is read first")
        await until(lambda: len(clips(call)) == 1, "Alpha read aloud", WAIT)
        first.kill()
        await first.wait()
    await discord_api.post_message(server.lounge, ann.user_id, "Bravo")  # it would fit a day

    async with voicebridge_run(tmp_path, env, "second", identified(discord_api)):
        await until(lambda: used_up(discord_api, server), "the day's speech said used up", WAIT)
        await until(lambda: not in_voice(discord_api, server), "the bot out of the Lounge", WAIT)

    assert [words for _, words in spoken_requests(mimo)] == ["Ann says: Alpha is read first"]
    assert len(used_up(discord_api, server)) == 1


def used_up(discord_api: FakeDiscord, server: Guild) -> list[str]:
    said = posted_in(discord_api, server.lounge)
    return [line for line in said if "used all of today's speech" in line]


# --- A channel reading taken up after a restart: who may read what


async def test_a_reading_taken_up_with_a_listener_who_may_not_read_it_is_ended_unread(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Ann reads #general aloud into the Lounge; the bot is killed. While it is away Carol,
    who may not read #general's history, joins the Lounge, and the staff plan is posted in
    #general. The next start does not take the reading up: it says once in the Lounge's chat
    that the reading ended, stays out of the Lounge, and the plan never reaches MiMo."""
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    carol = discord_api.add_member(server, "Carol")
    await discord_api.deny_in_channel(server.general, carol, READ_MESSAGE_HISTORY)
    members = Members(discord_api, server.general)
    env = environment(discord_api, mimo, database_url, tmp_path)
    async with voicebridge_run(tmp_path, env, "first", identified(discord_api)) as first:
        await members.answer(ann.user_id, "read_channel", channel=server.general)
        call = await in_the_call_again(discord_api, server)
        await discord_api.post_message(server.general, ann.user_id, "Alpha is read first")
        await until(lambda: len(clips(call)) == 1, "Alpha read aloud", WAIT)
        first.kill()
        await first.wait()
    await discord_api.join_voice(server, carol, server.lounge)
    await discord_api.post_message(server.general, ann.user_id, "Bravo: the staff plan")

    async with voicebridge_run(tmp_path, env, "second", identified(discord_api)):
        await until(lambda: ended(discord_api, server), "the reading said ended", WAIT)
        await until(lambda: not in_voice(discord_api, server), "the bot out of the Lounge", WAIT)
        await discord_api.post_message(server.general, ann.user_id, "Charlie after the end")
        kept = await kept_reading(database_url, server)

    assert [words for _, words in spoken_requests(mimo)] == ["Ann says: Alpha is read first"]
    assert len(ended(discord_api, server)) == 1 and reading_back(discord_api, server) == []
    assert kept is None  # nothing left for a later start to take up


# --- A call taken up after a restart: who may read what


async def test_a_call_taken_up_gives_nothing_of_itself_to_a_member_who_may_not_read_its_chat(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Ann listens in the Lounge and is captioned; the bot is killed and started again, and
    takes the call up. Dan, who may not read the Lounge's chat, asks for the call's summary
    and about it: each is refused with why, nothing is made for him; the goodbye with the
    whole transcript is posted in the Lounge's chat alone."""
    mimo.asr_text = tone_heard
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    dan = discord_api.add_member(server, "Dan")
    await discord_api.deny_in_channel(server.lounge, dan, READ_MESSAGE_HISTORY)
    members = Members(discord_api, server.general)
    env = environment(discord_api, mimo, database_url, tmp_path)
    async with voicebridge_run(tmp_path, env, "first", identified(discord_api)) as first:
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await call_started(discord_api, server, members, ann, cheaper=True)
        await said_and_captioned(discord_api, server, ann, 440)
        first.kill()
        await first.wait()

    async with voicebridge_run(tmp_path, env, "second", identified(discord_api)):
        await until(lambda: call_back(discord_api, server), "the chat told it is back", WAIT)
        await in_the_call_again(discord_api, server)
        await said_and_captioned(discord_api, server, ann, 550)
        answers = []
        asking = {"summary": {"call": True}, "ask": {"question": "Who?", "call": True}}
        for command, options in asking.items():
            asked = await discord_api.slash(server.lounge, dan, command, **options)
            [answer] = await asked.wait_for_messages()
            answers.append(answer.content)
        await members.answer(ann.user_id, "stop_listening")
        bye = await until_goodbye(discord_api, server)

    hidden = "That takes View Channel and Read Message History in this channel"
    assert all(answer.startswith(hidden) for answer in answers), answers
    assert len(mimo.calls("mimo-v2.5-asr")) == len(mimo.requests)  # nothing made for Dan
    assert transcript_lines(bye)[:1] == ["Ann: tone 440"]
    assert not any("tone" in line for line in posted_in(discord_api, server.general))


# --- A channel reading: a no outlives a forget


async def test_a_members_no_to_being_read_outlives_a_forget(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Bob said /read_me allowed:False; Dee, who manages the server, says /forget; Ann then
    reads the Lounge's chat aloud: Bob's message is never made into speech, Ann's is. A
    member's no only ever stops the bot: what a forget deletes, it is not."""
    ann, bob = await in_lounge(discord_api, server, "Ann", "Bob")
    dee = discord_api.add_member(server, "Dee", manage_guild=True)
    members = Members(discord_api, server.general)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await members.answer(bob, "myvoice", name="Mia")  # a choice of his the forget takes
        await members.answer(bob, "read_me", allowed=False)
        forgot = await members.answer(dee, "forget")
        await members.answer(ann, "read_channel")  # the Lounge's own chat
        await discord_api.post_message(server.lounge, bob, "Bravo from Bob who said no")
        await discord_api.post_message(server.lounge, ann, "Alpha from Ann")
        await heard_clips(discord_api, 1)
        await members.answer(ann, "stop")

    assert forgot.content.startswith("Done: I deleted everything I stored here"), forgot.content
    spoken = [words for _, words in spoken_requests(mimo)]
    assert [[word for word in WORDS if word in words] for words in spoken] == [["Alpha"]]
