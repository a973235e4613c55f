"""The Discord bot end to end: real discord.py (REST, gateway websocket, CDN downloads), real MiMo
client, real ffmpeg and SQLite, against loopback stand-ins of Discord and MiMo.

Every test starts the bot the way `voicebridge run` does, configured by the documented settings
alone (DISCORD_BOT_TOKEN, DISCORD_API_URL; the gateway is found through GET /gateway/bot), except
the voice-channel test, which builds the same bot with a voice client whose network is cut out.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

import discord
import httpx
import pytest
from discord import voice_state
from pydantic import SecretStr

from bots.discord.answers.discord_progress_pace import USUAL
from bots.discord.answers.interaction_acks import ACK
from bots.discord.discord_wording import text
from bots.discord.voice_channels.speech_playback import installed_voice_client
from bots.discord.voices.native_voice_messages import PLACEHOLDER_LINE
from bots.platform_runner import run_bots
from core.domain.errors import ConfigError
from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.mimo import MIMO_AUDIO_CAPS
from tests.audio_factory import make_audio, make_text_file
from tests.integration.conftest import (
    discord_bot_online,
    discord_settings,
    running_discord,
    started,
)
from tests.integration.test_discord_voice_wire import alice_says_in_voice
from tests.standins.discord_api import (
    BOT_PERMISSIONS,
    SEND_VOICE_MESSAGES,
    FakeDiscord,
    FakeInteraction,
    Guild,
    SentMessage,
)
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

AUDIO = FfmpegAudio(processes=FfmpegProcesses(), caps=MIMO_AUDIO_CAPS)
CONTEXT_MENU = discord.AppCommandType.message
probe, to_voice_note = AUDIO.probe, AUDIO.to_voice_note

MANAGE_SERVER_REFUSAL = "Changing this server's settings needs the Manage Server permission."


async def test_a_voice_message_that_takes_a_while_shows_typing_after_a_moment(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    # Most are answered within a second, and need no sign of work; this one waits on MiMo.
    alice = discord_api.add_member(server, "alice")
    mimo.release = asyncio.Event()
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        posted = time.monotonic()
        await discord_api.post_voice_message(server.general, alice, voice_ogg, duration=3)
        try:
            await discord_api.wait_until(lambda: discord_api.typing, timeout=15, what="typing…")
            typing_after = time.monotonic() - posted
        finally:
            mimo.release.set()
        await discord_api.wait_for_contents(server.general, ["heard 3.0 seconds"])

    assert typing_after >= USUAL.typing_after_seconds
    assert discord_api.typing == [server.general]


async def answer(
    discord_api: FakeDiscord, channel: int, user: int, command: str, /, **options: Any
) -> SentMessage:
    """Run a slash command and return the one message that answers it."""
    interaction = await discord_api.slash(channel, user, command, **options)
    [message] = await interaction.wait_for_messages()
    return message


def transcripts(discord_api: FakeDiscord, channel: int) -> list[SentMessage]:
    return [m for m in discord_api.messages_in(channel) if m.reply_to is not None]


async def until_reads_content(discord_api: FakeDiscord, message: SentMessage, content: str) -> None:
    """Wait until `message` reads `content` (a transcript's text may still be growing)."""
    await discord_api.wait_until(
        lambda: message.content == content, timeout=15, what=f"the message to read {content!r}"
    )


# --- transcripts -----------------------------------------------------------------------------


async def test_voice_message_gets_its_transcript_as_a_reply(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        note = await discord_api.post_voice_message(server.general, alice, voice_ogg, duration=3)
        await discord_api.wait_for_contents(server.general, ["heard 3.0 seconds"])

    [reply] = discord_api.messages_in(server.general)
    assert reply.reply_to == int(note["id"])
    assert reply.allowed_mentions == {"parse": [], "replied_user": False}  # pings nobody
    assert len(discord_api.downloads) == 1  # fetched from the CDN link in the message
    [request] = mimo.calls("mimo-v2.5-asr")
    audio = request["messages"][0]["content"][0]["input_audio"]["data"]
    assert audio.startswith("data:audio/wav;base64,")  # ASR_AUDIO_FORMAT's default
    # Only what the features need; message content is what carries the attachments, members'
    # updates what the channel reader's listeners may hear.
    [identify] = discord_api.identify_payloads
    wanted = (1 << 0) | (1 << 1) | (1 << 7) | (1 << 9) | (1 << 12) | (1 << 15)
    assert identify["intents"] == wanted


async def test_transcribe_on_a_message_transcribes_its_audio(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    alice = discord_api.add_member(server, "alice")
    mp3 = make_audio(tmp_path, fmt="mp3", seconds=2).read_bytes()
    song = discord_api.attachment(mp3, filename="song.mp3", content_type="audio/mpeg")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        # An audio file is not a voice message: nothing happens until someone asks.
        posted = await discord_api.post_message(
            server.general, alice, "our song", attachments=[song]
        )
        asked = await discord_api.message_command(server.general, alice, "Transcribe", posted)
        [transcript] = await asked.wait_for_messages()
        await until_reads_content(discord_api, transcript, "heard 2.0 seconds")
        plain = await discord_api.post_message(server.general, alice, "no audio here")
        refused = await discord_api.message_command(server.general, alice, "Transcribe", plain)
        [refusal] = await refused.wait_for_messages()

    assert transcript.content == "heard 2.0 seconds"
    assert not transcript.ephemeral
    assert asked.callback_type == 5  # deferred at once, answered by a follow-up
    assert refusal.content == "That message has no audio or video attachment to transcribe."
    assert refusal.ephemeral and refused.placeholder_deleted
    assert len(mimo.calls("mimo-v2.5-asr")) == 1


async def test_transcribe_and_ask_take_an_attachment(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    alice = discord_api.add_member(server, "alice")
    ogg = make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()
    memo = discord_api.attachment(ogg, filename="memo.ogg", content_type="audio/ogg")
    notes = discord_api.attachment(
        make_text_file(tmp_path, name="notes.txt").read_bytes(),
        filename="notes.txt",
        content_type="text/plain; charset=utf-8",
    )
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        transcript = await answer(discord_api, server.general, alice, "transcribe", attachment=memo)
        await until_reads_content(discord_api, transcript, "heard 2.0 seconds")
        reply = await answer(
            discord_api, server.general, alice, "ask", attachment=memo, question="Who speaks?"
        )
        refusal = await answer(discord_api, server.general, alice, "transcribe", attachment=notes)

    assert transcript.content == "heard 2.0 seconds"
    assert reply.content == "a fake answer"
    [question] = mimo.calls("mimo-v2.6-flash")[-1:]
    assert "Who speaks?" in str(question["messages"])
    assert refusal.content == "That file is not audio or video."
    assert refusal.ephemeral


async def test_long_transcripts_are_split_and_very_long_ones_sent_as_a_file(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    alice = discord_api.add_member(server, "alice")
    sentence = "This sentence is part of a long meeting transcript. "
    mimo.asr_text = sentence * 60  # about 3,100 characters: two messages
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await discord_api.post_voice_message(server.general, alice, voice_ogg, duration=3)
        pieces = await discord_api.wait_for_messages(server.general, count=2)
        mimo.asr_text = sentence * 200  # about 10,400 characters: a file
        await discord_api.post_voice_message(server.general, alice, voice_ogg, duration=3)
        *_, document = await discord_api.wait_until(
            lambda: [m for m in discord_api.messages_in(server.general) if m.attachments],
            timeout=15,
            what="the transcript as a file",
        )

    assert all(len(p.content) <= 2000 for p in pieces)
    assert all(p.content.endswith("transcript.") for p in pieces)
    assert " ".join(p.content for p in pieces) == (sentence * 60).strip()
    [text_file] = document.attachments
    assert text_file.filename == "transcript.txt"
    assert text_file.data.decode() == (sentence * 200).strip()
    assert document.content.startswith("Transcript (0:03)")
    assert len(discord_api.messages_in(server.general)) == 3  # no status left behind


async def test_unexpected_failures_get_a_short_reply_and_a_logged_traceback(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    voice_ogg: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    alice = discord_api.add_member(server, "alice")
    old = discord_api.attachment(voice_ogg, filename="old.ogg", content_type="audio/ogg")
    discord_api.expire(old)  # the CDN link no longer works
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        refusal = await answer(discord_api, server.general, alice, "transcribe", attachment=old)

    assert refusal.content == "Sorry, something went wrong. Please try again in a moment."
    assert refusal.ephemeral
    [logged] = [r for r in caplog.records if r.name.startswith("bots.discord")]
    assert logged.levelno == logging.ERROR and logged.exc_info is not None


# --- voice messages --------------------------------------------------------------------------


async def test_say_answers_with_a_native_voice_message_of_mimos_speech(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        said = await discord_api.slash(server.general, alice, "say", text="Hello from the tests.")
        line, voice = await said.wait_for_messages(count=2)

    assert said.callback_type == 5
    # The first follow-up of a defer only fills "thinking…" (an edit, which cannot make a voice
    # message): the placeholder gets a line, and the voice message is a message of its own.
    assert said.original is line and line.content == PLACEHOLDER_LINE and not line.attachments
    assert voice.is_voice_message and voice.content == "" and not voice.ephemeral
    [clip] = voice.attachments
    path = tmp_path / "voice-message.ogg"
    path.write_bytes(clip.data)
    info = await probe(path)
    assert (info.container, info.codec) == ("ogg", "opus")
    assert mimo.last_tts_wav is not None
    expected = await to_voice_note(mimo.last_tts_wav)  # what the audio itself says
    assert clip.duration_secs == pytest.approx(info.duration, abs=0.1)
    assert clip.waveform == expected.waveform
    assert clip.waveform is not None
    assert len(clip.waveform) == pytest.approx(info.duration * 10, abs=1)  # one per 100 ms
    [request] = mimo.calls("mimo-v2.5-tts")
    assert request["messages"][-1] == {"role": "assistant", "content": "Hello from the tests."}
    # Discord's rule the placeholder line works around: a voice message is never edited.
    async with httpx.AsyncClient() as http:
        edit = await http.patch(
            f"{discord_api.api_url}/channels/{voice.channel_id}/messages/{voice.id}",
            json={"content": "edited"}, headers={"Authorization": f"Bot {discord_api.token}"},
        )  # fmt: skip
    assert (edit.status_code, edit.json()["code"]) == (400, 50162)


async def test_a_voice_message_made_after_the_interaction_token_expired_reaches_the_channel(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        with mimo.held():  # MiMo speaks for longer than the token lives (15 minutes)
            said = await discord_api.slash(server.general, alice, "say", text="Good night")
            await mimo.wait_for_requests()
            discord_api.expire_tokens()
        # A voice message carries no words: a line naming the person comes first.
        addressed, voice = await discord_api.wait_for_messages(server.general, count=2)

    assert addressed.content == f"<@{alice}>" and addressed.interaction_id is None
    assert voice.is_voice_message and voice.interaction_id is None  # a channel message
    assert said.visible == []  # nothing could be added to the interaction any more
    assert said.callback_type == 5


async def test_a_failure_after_the_interaction_token_expired_is_told_in_the_channel(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    mimo.fail_next(402, body={"error": {"message": "Insufficient balance", "code": "402"}})
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        with mimo.held():  # MiMo answers, with an error, after the token expired
            await discord_api.slash(server.general, alice, "say", text="Good night")
            await mimo.wait_for_requests()
            discord_api.expire_tokens()
        [told] = await discord_api.wait_for_messages(server.general)

    assert told.content == (
        f"<@{alice}> The MiMo balance is used up. The bot's owner needs to top it up."
    )
    assert told.allowed_mentions is not None
    assert [int(u) for u in told.allowed_mentions["users"]] == [alice]  # only them pinged


@pytest.mark.parametrize(
    ("where", "code"),
    [
        ({"refuse_voice_messages": True}, 50173),  # a channel that does not allow them
        ({"bot_permissions": BOT_PERMISSIONS & ~SEND_VOICE_MESSAGES}, 50013),  # no permission
    ],
)
async def test_a_refused_voice_message_falls_back_to_an_audio_file(
    mimo: FakeMimo, sqlite_url: str, tmp_path: Path, where: dict[str, Any], code: int
) -> None:
    async with FakeDiscord(**where) as discord_api:
        server = discord_api.add_guild()
        alice = discord_api.add_member(server, "alice")
        settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
        async with running_discord(settings, discord_api):
            said = await discord_api.slash(server.general, alice, "say", text="Plan B")
            _, audio = await said.wait_for_messages(count=2)

        [refused] = [c for c in discord_api.calls if not c.ok]
    assert refused.error_code == code
    assert refused.body["flags"] == 8192
    assert not audio.is_voice_message
    [clip] = audio.attachments
    assert clip.filename == "speech.ogg"
    path = tmp_path / "speech.ogg"
    path.write_bytes(clip.data)
    assert (await probe(path)).codec == "opus"


async def test_read_aloud_speaks_the_text_of_a_message(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        posted = await discord_api.post_message(server.general, alice, "Read me out, please")
        asked = await discord_api.message_command(server.general, alice, "Read aloud", posted)
        _, voice = await asked.wait_for_messages(count=2)

    assert voice.is_voice_message
    assert mimo.calls("mimo-v2.5-tts")[0]["messages"][-1]["content"] == "Read me out, please"


async def test_speech_errors_are_told_privately(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    alice = discord_api.add_member(server, "alice")
    mimo.fail_next(402, body={"error": {"message": "Insufficient balance", "code": "402"}})
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, max_say_chars=20
    )
    async with running_discord(settings, discord_api):
        broke = await discord_api.slash(server.general, alice, "say", text="hello")
        [balance] = await broke.wait_for_messages()
        too_long = await answer(discord_api, server.general, alice, "say", text="x" * 21)

    assert balance.content == "The MiMo balance is used up. The bot's owner needs to top it up."
    assert balance.ephemeral and broke.placeholder_deleted  # no public "thinking…" left behind
    assert too_long.content == (
        "That text is 21 characters long; the limit is 20, set by the bot's owner (MAX_SAY_CHARS)."
    )
    assert discord_api.messages_in(server.general) == [balance, too_long]


# --- voice channels --------------------------------------------------------------------------


async def test_playing_in_a_voice_channel_explains_how_to_enable_it(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(voice_state, "has_dave", False)  # as discord.py finds no davey
    assert installed_voice_client() is None
    _, voice, note = await alice_says_in_voice(discord_api, server, mimo, sqlite_url)

    assert voice.is_voice_message  # the voice message is sent whatever happens
    assert note.ephemeral
    assert "pip install 'voicebridge[voice]'" in note.content
    assert discord_api.voice_state_requests == []  # it never tried to join


async def test_only_members_with_manage_server_change_server_preferences(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    admin = discord_api.add_member(server, "admin", manage_guild=True)
    member = discord_api.add_member(server, "member")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        refusal = await answer(discord_api, server.general, member, "voice", name="Dean")
        channel_refusal = await answer(
            discord_api, server.general, member, "autotranscribe", state="off", scope="channel"
        )
        accepted = await answer(discord_api, server.general, admin, "voice", name="dean")
        listing = await answer(discord_api, server.general, member, "voice")
        owner = discord_api.add_member(server, "owner", administrator=True)  # every bit set
        by_owner = await answer(discord_api, server.general, owner, "style", text="calm")

    assert refusal.content == MANAGE_SERVER_REFUSAL
    assert by_owner.content == "Style set to: calm"
    assert channel_refusal.content == MANAGE_SERVER_REFUSAL
    assert accepted.content == "Voice set to Dean."
    assert listing.content.startswith("Current voice: Dean")
    assert "• Mia — English, female" in listing.content
    assert all(m.ephemeral for m in (refusal, channel_refusal, accepted, listing))


async def test_answers_show_commands_as_a_discord_member_types_them(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """What the core composes and the errors it raises read in Discord's syntax, with the
    option names of the member's language: not Telegram's `/voice NAME`, `/style off`."""
    member = discord_api.add_member(server, "member")
    russian = discord_api.add_member(server, "russian", locale="ru")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        listing = await answer(discord_api, server.general, member, "voice")
        style = await answer(discord_api, server.general, member, "style")
        language = await answer(discord_api, server.general, member, "language")
        translations = await answer(discord_api, server.general, member, "autotranslate")
        in_russian = await answer(discord_api, server.general, russian, "voice")

    assert listing.content.endswith(
        "Choose one with /voice name:NAME.\n\nNo voices of this server's own yet: /design_voice "
        "makes one from a description, and Apps → Clone this voice, on a voice message you "
        "recorded, clones yours."
    )
    assert style.content.endswith(
        "Set one with /style text:TEXT: a preset (/style text:happy, /style text:news anchor) or "
        "your own words (/style text:speak slowly like a storyteller); /style text:off clears it."
    )
    assert language.content == (
        "Transcript language: detected automatically (auto)\n"
        "Change it with /language value:auto, zh or en (auto: detected for each recording)."
    )
    assert translations.content == (
        "Transcripts here get no automatic translation. Start it with /autotranslate "
        "language:LANGUAGE, for example /autotranslate language:en (in a server, it takes "
        "Manage Server)."
    )
    assert "Выбрать голос: /voice имя:ИМЯ." in in_russian.content


async def test_preferences_shape_the_next_say_and_survive_a_restart(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    admin = discord_api.add_member(server, "admin", manage_guild=True)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        assert (await answer(discord_api, server.general, admin, "voice", name="Mia")).content == (
            "Voice set to Mia."
        )
        styled = await answer(discord_api, server.general, admin, "style", text="happy")
        language = await answer(discord_api, server.general, admin, "language", value="en")

    async with running_discord(settings, discord_api):
        said = await discord_api.slash(server.general, admin, "say", text="Good morning")
        await said.wait_for_messages(count=2)
        overview = await answer(discord_api, server.general, admin, "settings")

    assert styled.content == "Style set to: happy"
    assert language.content == "Transcript language set to English (en)."
    [request] = mimo.calls("mimo-v2.5-tts")
    assert request["audio"]["voice"] == "Mia"
    assert request["messages"][-1]["content"] == "(happy)Good morning"
    assert "Voice: Mia" in overview.content and "Style: happy" in overview.content
    assert "Transcript language: English (en)" in overview.content
    assert "Auto-transcribe in this channel: on (follows the server)" in overview.content
    assert overview.ephemeral


async def test_auto_transcribe_is_per_server_and_overridable_per_channel(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    admin = discord_api.add_member(server, "admin", manage_guild=True)
    general, random = server.general, server.random

    async def speak(channel: int) -> None:
        await discord_api.post_voice_message(channel, admin, voice_ogg, duration=3)

    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        quiet = await answer(
            discord_api, random, admin, "autotranscribe", state="off", scope="channel"
        )
        await speak(random)
        await speak(general)
        await discord_api.wait_until(lambda: transcripts(discord_api, general), timeout=15,
                                     what="a transcript in #general")  # fmt: skip
        server_off = await answer(discord_api, general, admin, "autotranscribe", state="off")
        loud = await answer(
            discord_api, random, admin, "autotranscribe", state="on", scope="channel"
        )
        await speak(general)
        await speak(random)
        await discord_api.wait_until(lambda: transcripts(discord_api, random), timeout=15,
                                     what="a transcript in #random")  # fmt: skip
        follows = await answer(discord_api, random, admin, "autotranscribe", state="inherit")
        status = await answer(discord_api, random, admin, "autotranscribe")

    assert (
        quiet.content == "Auto-transcribe in this channel is now off, whatever the server setting."
    )
    assert server_off.content == "Auto-transcribe is now off."
    assert loud.content == "Auto-transcribe in this channel is now on, whatever the server setting."
    assert follows.content == "This channel follows the server's auto-transcribe setting again."
    assert status.content == (
        "Auto-transcribe is off. Use /autotranscribe state:on or state:off.\n"
        "• Auto-transcribe in this channel: off (follows the server)"
    )
    # Four voice messages, two transcribed: #general while the server was on, #random when its
    # own setting was on.
    assert len(transcripts(discord_api, general)) == 1
    assert len(transcripts(discord_api, random)) == 1
    assert len(mimo.calls("mimo-v2.5-asr")) == 2


async def test_direct_messages_have_per_user_preferences(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    dave = discord_api.add_user("dave")
    dm = discord_api.dm_channel(dave)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await discord_api.post_voice_message(dm, dave, voice_ogg, duration=3)
        await discord_api.wait_until(
            lambda: [m.content for m in transcripts(discord_api, dm)] == ["heard 3.0 seconds"],
            timeout=15,
            what="a transcript in the DM",
        )
        chosen = await answer(discord_api, dm, dave, "voice", name="Chloe")
        said = await discord_api.slash(dm, dave, "say", text="Just for me")
        _, voice = await said.wait_for_messages(count=2)

    assert chosen.content == "Voice set to Chloe."  # nobody else to ask in a DM
    assert voice.is_voice_message
    assert mimo.calls("mimo-v2.5-tts")[0]["audio"]["voice"] == "Chloe"


async def test_voice_names_autocomplete_from_the_models_catalogue(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        typed: FakeInteraction = await discord_api.autocomplete(
            server.general, alice, "voice", "name", "engl"
        )
        await typed.wait_for_callback()

    assert [c["value"] for c in typed.choices] == ["Mia", "Chloe", "Milo", "Dean"]
    assert typed.choices[0]["name"] == "Mia — English, female, bright and young"


async def test_myvoice_suggests_auto_first_then_the_voices_holding_what_was_typed_in_any_case(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        nothing_yet = await discord_api.autocomplete(server.general, alice, "myvoice", "name", "")
        await nothing_yet.wait_for_callback()
        typed = await discord_api.autocomplete(server.general, alice, "myvoice", "name", "MI")
        await typed.wait_for_callback()

    offered = [choice["value"] for choice in nothing_yet.choices]
    assert offered[0] == "auto" and {"Mia", "Dean", "茉莉"} <= set(offered[1:])
    assert [choice["value"] for choice in typed.choices] == ["Mia", "Milo"]


async def test_commands_are_registered_with_descriptions_and_typed_options(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        pass

    by_name = {(c["type"], c["name"]): c for c in discord_api.commands}
    slash = {name for kind, name in by_name if kind == 1}
    assert slash == {"say", "transcribe", "ask", "find", "voice", "style", "language",
                     "autotranscribe",
                     "settings", "help", "summary", "forget", "usage", "design_voice",
                     "delete_voice", "botlanguage", "tldr", "translate",
                     "autotranslate", "voicetranslations", "autogist", "read_channel", "skip",
                     "stop", "myvoice", "read_me", "read_settings", "listen", "stop_listening",
                     "listen_me", "remember"}  # fmt: skip
    # Discord's five message menus; a recording's gist is a button under its transcript.
    assert {name for kind, name in by_name if kind == 3} == {
        "Transcribe", "Read aloud", "Ask about this audio", "Clone this voice", "Translate"
    }  # fmt: skip
    assert all(c["description"] for c in discord_api.commands if c["type"] == 1)
    say_options = {o["name"]: o for o in by_name[(1, "say")]["options"]}
    assert say_options["text"]["type"] == 3 and say_options["text"]["required"]
    assert say_options["in_voice_channel"]["type"] == 5
    assert not say_options["in_voice_channel"].get("required")
    [question, attachment, call] = by_name[(1, "ask")]["options"]
    assert question["required"] and not attachment.get("required")
    assert attachment["type"] == 11 and call["type"] == 5
    [language] = by_name[(1, "language")]["options"]
    assert [c["value"] for c in language["choices"]] == ["auto", "zh", "en"]


MODALS = {"Ask about this audio", "Clone this voice"}  # these answer with a modal, not a defer


async def test_every_command_says_how_it_is_acknowledged_or_opens_a_modal(
    discord_api: FakeDiscord, mimo: FakeMimo, sqlite_url: str
) -> None:
    """The tree defers what a command declares before anything slow; a command declaring
    nothing would answer late, after the claim's database write."""
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with discord_bot_online(settings, discord_api, voice_client=None) as (bot, _):
        commands = [*bot.tree.walk_commands(), *bot.tree.get_commands(type=CONTEXT_MENU)]

    undeclared = {c.name for c in commands if ACK not in c.extras and c.name not in MODALS}
    assert len(commands) == 36 and undeclared == set()


# --- configuration and running ---------------------------------------------------------------


async def test_discord_gateway_url_overrides_the_advertised_gateway(
    mimo: FakeMimo, sqlite_url: str
) -> None:
    async with FakeDiscord(advertised_gateway="ws://127.0.0.1:9/nowhere") as discord_api:
        settings = discord_settings(
            discord_api=discord_api,
            mimo=mimo,
            database_url=sqlite_url,
            discord_gateway_url=discord_api.gateway_url,
        )
        async with running_discord(settings, discord_api):
            pass

        assert len(discord_api.identify_payloads) == 1


async def test_a_missing_message_content_intent_stops_the_run_with_a_clear_line(
    mimo: FakeMimo, sqlite_url: str
) -> None:
    async with FakeDiscord(privileged_intents=frozenset()) as discord_api:
        settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
        with pytest.raises(
            ConfigError, match=r"privileged intent the bot asks for \(Message Content"
        ):
            async with running_discord(settings, discord_api):
                pass

        assert discord_api.closed_sessions == [4014]


async def test_a_wrong_token_stops_the_run_with_a_clear_line(
    discord_api: FakeDiscord, mimo: FakeMimo, sqlite_url: str
) -> None:
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url
    ).model_copy(update={"discord_bot_token": SecretStr("MTA0.not.the-right-token")})
    with pytest.raises(ConfigError, match="DISCORD_BOT_TOKEN was refused"):
        async with running_discord(settings, discord_api):
            pass


async def test_telegram_and_discord_run_side_by_side_and_stop_together(
    discord_api: FakeDiscord,
    server: Guild,
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    sqlite_url: str,
    voice_ogg: bytes,
) -> None:
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(
        discord_api=discord_api,
        mimo=mimo,
        database_url=sqlite_url,
        telegram_bot_token=bot_api.token,
        telegram_api_url=bot_api.root,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run_bots(settings, stop))
    await started(task, discord_api.wait_until_identified())
    await started(task, bot_api.wait_for("getUpdates"))
    bot_api.push(bot_api.voice_message(chat_id=7, user_id=7, data=voice_ogg, duration=3))
    await discord_api.post_voice_message(server.general, alice, voice_ogg, duration=3)
    await bot_api.wait_for_texts(7, ["heard 3.0 seconds"])
    await discord_api.wait_for_contents(server.general, ["heard 3.0 seconds"])
    stop.set()
    await asyncio.wait_for(task, timeout=30)

    assert discord_api.closed_sessions == [1000]  # a clean close, not a dropped connection


async def test_a_stop_lets_the_work_in_progress_finish_first(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    voice_ogg: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """SIGTERM in the middle of a transcript and a /say: both are answered before the bot
    closes its connection and the database, and a restart finds nothing left unfinished."""
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    mimo.delay = 1.5  # every MiMo request: the stop comes while both are at MiMo
    stop = asyncio.Event()
    task = asyncio.create_task(run_bots(settings, stop))
    await started(task, discord_api.wait_until_identified())
    await discord_api.post_voice_message(server.general, alice, voice_ogg, duration=3)
    said = await discord_api.slash(server.general, alice, "say", text="Good night")
    await mimo.wait_for_requests(2)
    stop.set()
    await asyncio.wait_for(task, timeout=30)
    answered = list(discord_api.messages)
    mimo.delay = 0
    with caplog.at_level(logging.DEBUG, logger="core.app.rules.work_claims"):
        async with running_discord(settings, discord_api):
            # Its start-up sweep is over before it identifies: what it found is done by now.
            assert "swept discord: 0 of 0 lapsed claims taken over" in caplog.messages

    assert "heard 3.0 seconds" in discord_api.contents(server.general)
    assert [m.is_voice_message for m in said.visible] == [False, True]  # "thinking…" filled
    assert discord_api.messages == answered
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_command_whose_answer_cannot_be_decided_is_answered_by_the_error_handler(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """A command's answer is decided as it starts, before its cog runs
    (`interaction_acks.decide_answer`): when reading the server's preferences fails there, the
    person is told privately, as of any failure, and the "thinking…" placeholder does not wait
    for ever."""
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        broken = sqlite3.connect(
            tmp_path / "voicebridge.db", isolation_level=None, check_same_thread=False
        )
        await asyncio.to_thread(broken.execute, "DROP TABLE chat_preferences")
        broken.close()
        asked = await discord_api.slash(server.general, alice, "help")
        [told] = await asked.wait_for_messages()

    assert told.ephemeral and told.content == text("error.generic", "en")
    assert asked.placeholder_deleted


async def test_a_command_is_acknowledged_before_a_slow_database_is_touched(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """Discord waits 3 s for an acknowledgement: with the database busy for longer (another
    process holding SQLite's write lock), the command still defers at once and answers once
    the database is free."""
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        busy = sqlite3.connect(
            tmp_path / "voicebridge.db", isolation_level=None, timeout=30, check_same_thread=False
        )
        # The write lock, as a long write elsewhere holds it (taken off the event loop, which
        # the bot needs to finish a write of its own first).
        await asyncio.to_thread(busy.execute, "BEGIN IMMEDIATE")
        try:
            asked = await discord_api.slash(server.general, alice, "settings")
            await asked.wait_for_callback()  # while the database is still locked
        finally:
            await asyncio.to_thread(busy.execute, "ROLLBACK")
            busy.close()
        [overview] = await asked.wait_for_messages()

    assert asked.callback_type == 5  # deferred in time (late, Discord answers 10062)
    assert overview.ephemeral and "Voice:" in overview.content


# --- a stop ----------------------------------------------------------------------------------


async def test_a_stop_lets_a_listener_still_running_finish_before_it_closes_the_database(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    # discord.py runs each listener of an event in a task it lets go: a claim being marked done
    # as a command's answer went out, say. A stop must not close the database under it.
    release = asyncio.Event()
    reached: list[bool] = []
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with discord_bot_online(settings, discord_api, voice_client=None) as (bot, runtime):

        async def on_marking_done() -> None:
            await release.wait()
            reached.append(await runtime.database_reachable())

        bot.add_listener(on_marking_done)
        bot.dispatch("marking_done")
        closing = asyncio.create_task(bot.close())
        done, _ = await asyncio.wait({closing}, timeout=0.5)
        assert not done, "the stop went on while a listener was still running"
        release.set()
        await closing

    assert reached == [True]
