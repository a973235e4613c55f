"""Pieces of the Discord adapter that need no Discord: preference keys, the voice message body,
and whether voice channels can be used."""

from __future__ import annotations

import base64
import json

import pytest
from discord import voice_client, voice_state

from bots.discord.discordpy_internals import ResumingVoiceClient
from bots.discord.place_access import channel_of, place_of
from bots.discord.voice_channels.speech_playback import installed_voice_client
from bots.discord.voices.native_voice_messages import voice_message_form
from core.domain.shared_values import ChatRef
from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.mimo import MIMO_AUDIO_CAPS
from tests.audio_factory import wav_bytes

AUDIO = FfmpegAudio(processes=FfmpegProcesses(), caps=MIMO_AUDIO_CAPS)
to_voice_note = AUDIO.to_voice_note


def test_servers_share_preferences_and_dms_belong_to_the_user() -> None:
    assert place_of(guild_id=10, user_id=7) == ChatRef("discord", "guild:10")
    assert place_of(guild_id=11, user_id=7) != place_of(guild_id=10, user_id=7)
    assert place_of(guild_id=None, user_id=7) == ChatRef("discord", "user:7")
    assert channel_of(12) == ChatRef("discord", "channel:12")


async def test_the_voice_message_body_carries_the_flag_duration_and_waveform() -> None:
    # One second of silence, then a second of tone: the waveform must show quiet, then loud.
    note = await to_voice_note(wav_bytes(silence_seconds=1, tone_seconds=1))

    payload_field, file_field = voice_message_form(note)

    payload = json.loads(payload_field["value"])
    assert payload["flags"] == 8192
    assert "content" not in payload
    [attachment] = payload["attachments"]
    assert attachment["id"] == 0 and attachment["filename"] == "voice-message.ogg"
    assert attachment["duration_secs"] == pytest.approx(2.0, abs=0.05)
    waveform = base64.b64decode(attachment["waveform"])
    assert len(waveform) == 20  # one byte per 100 ms
    assert max(waveform[:9]) < 10 and min(waveform[11:]) > 200
    assert file_field["name"] == "files[0]" and file_field["value"] == note.data
    assert file_field["content_type"] == "audio/ogg"


@pytest.mark.parametrize(
    ("nacl", "dave", "expected"),
    [(True, True, ResumingVoiceClient), (False, True, None), (True, False, None)],
)
def test_voice_channels_need_both_voice_libraries(
    monkeypatch: pytest.MonkeyPatch, nacl: bool, dave: bool, expected: object
) -> None:
    monkeypatch.setattr(voice_client, "has_nacl", nacl)
    monkeypatch.setattr(voice_state, "has_dave", dave)
    assert installed_voice_client() is expected


def test_each_process_paces_its_shards_part_of_the_global_limit() -> None:
    """Discord's 50 requests a second hold for the bot token, whichever process sends them:
    two processes of one shard each take half, or together they are refused with 429s."""
    from bots.discord.application.bot_intents import process_share

    assert process_share(None, None) == 1.0  # one process, every shard
    assert process_share(4, [0, 1, 2, 3]) == 1.0
    assert process_share(2, [1]) == 0.5
    assert process_share(3, [0, 2]) == 2 / 3
