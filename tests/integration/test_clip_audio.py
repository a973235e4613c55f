"""A clip as discord.py plays it (`bots.discord.voice_channels.clip_audio_source.ClipAudio`),
through real ffmpeg: it is played whole only when ffmpeg decoded it to its end (finding 8 of issue
46: a clip ffmpeg could not decode ended like one played whole, and /say answered "Played in")."""

from __future__ import annotations

from pathlib import Path

import imageio_ffmpeg

from bots.discord.voice_channels.clip_audio_source import ClipAudio
from tests.audio_factory import make_audio


def played(clip: ClipAudio) -> int:
    """Read every packet, as discord.py's player does; how many there were."""
    packets = 0
    try:
        while clip.read():
            packets += 1
    finally:
        clip.cleanup()
    return packets


def test_a_clip_ffmpeg_cannot_decode_is_not_played_whole() -> None:
    clip = ClipAudio(b"OggS but nothing after it" * 40, ffmpeg=imageio_ffmpeg.get_ffmpeg_exe())

    assert played(clip) == 0
    assert not clip.read_to_end


def test_a_clip_ffmpeg_decodes_to_its_end_is_played_whole(tmp_path: Path) -> None:
    ogg = make_audio(tmp_path, fmt="ogg", seconds=1).read_bytes()
    clip = ClipAudio(ogg, ffmpeg=imageio_ffmpeg.get_ffmpeg_exe())

    assert played(clip) >= 45  # 20 ms packets of a second's clip
    assert clip.read_to_end
