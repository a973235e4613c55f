"""The promises on the ways in that had no test of their own (the table at the top of
docs/contributing/promises.md): a stranger to the allowlist starts no listened call, no
interpreter, no reading and no `/remember`, even standing in a voice channel of the server it
runs in; a playlist sent as a Discord voice message, or waiting in a channel's past for
`/remember`, reads no file beside it. The real `voicebridge run` against the Discord stand-in
(its voice server included), real ffmpeg and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.chat.messages import text
from tests.audio_factory import make_audio
from tests.integration.conftest import discord_settings, running_discord
from tests.integration.test_discord_remember import find, remember
from tests.integration.test_limits import rows_about
from tests.playlists import SECRET, concat_list, hls_playlist, private_recording
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo

PRIVATE = "Sorry, this bot is private."
UNREADABLE = text("error.undecodable_audio", "en")

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
