"""The formats voicebridge converts audio to for MiMo.

For speech recognition a recording becomes 16 kHz mono WAV (the default) or MP3; the conversion
itself is `asr_pieces` (and `short_voice_notes` for a voice note). MiMo's recogniser takes only
these two (`ASR_AUDIO_FORMAT`, bench/RESULTS.md section 7):

| per hour of audio         | WAV, 16-bit     | MP3, 48 kbps                  |
|---------------------------|-----------------|-------------------------------|
| sent (base64)             | 154 MB          | 29 MB                         |
| conversion CPU            | decoding only   | + LAME: 20 to 35 % more       |
| heard by PocketSphinx     | as the original | about half its words otherwise |
| longest piece under 10 MB | about 3.5 min   | about 20 min                  |

WAV is lossless and costs no encoding: every recording is heard as it was, sooner and for less
CPU. MP3 sends a fifth of the bytes, for a bot on a slow or metered uplink. MiMo bills the
seconds it hears either way.

Every MP3 voicebridge sends MiMo is mono, 16 kHz, 48 kbps CBR: the pieces of a transcript under
ASR_AUDIO_FORMAT=mp3, questions about a recording (`question_input`) and clone samples. Where
bytes count, MP3 at 48 kbps is 6 kB/s (360 kB a minute) against 16-bit WAV's 32 kB/s: about 21
minutes fit MiMo's 10 MB request instead of 4. Why 48 kbps: at 16 kHz LAME keeps speech up to
about 7 kHz from 32 kbps up, but its error against the source levels off only at 48 kbps (pink
noise: 11.3 dB SNR at 32k, 13.2 at 48k, 13.3 at 64k); 24 kbps cuts at 5.5 kHz and dulls
fricatives.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.infra.audio.ffmpeg_inputs import mono

__all__ = [
    "ASR_FORMATS",
    "MONO_16K",
    "MP3",
    "MP3_ARGS",
    "MP3_BYTES_PER_SECOND",
    "MP3_CODEC",
    "WAV",
    "AsrFormat",
]

MP3_BYTES_PER_SECOND = 48_000 // 8

# LAME's -q 7 skips its psychoacoustic noise shaping: 40% less encoding time, and on the JFK clip
# a smaller error against the source (25.8 dB SNR against 23.7 dB at the default -q 3).
MP3_CODEC = ("-c:a", "libmp3lame", "-b:a", "48k", "-compression_level", "7")

MP3_ARGS = ("-map", "0:a:0", "-map_metadata", "-1", "-ac", "1", "-ar", "16000", *MP3_CODEC)

# What every piece is, made by the conversion's filter chain (or its pause filter) before the codec.
MONO_16K = mono(16_000)


@dataclass(frozen=True)
class AsrFormat:
    name: str  # as ASR_AUDIO_FORMAT spells it
    codec: tuple[str, ...]  # ffmpeg's output options for the codec (mono 16 kHz: `MONO_16K`)
    segment: tuple[str, ...]  # the segment muxer's options for one piece file
    suffix: str
    mime: str
    bytes_per_second: int

    def max_piece_seconds(self, max_base64: int) -> float:
        """The longest piece whose base64 fits the cap (`AudioCaps.asr`), with a 10% margin
        (which also fits a decimal reading of MiMo's "10 MB")."""
        return max_base64 * 3 / 4 * 0.9 / self.bytes_per_second


WAV = AsrFormat(
    name="wav",
    codec=("-c:a", "pcm_s16le"),
    segment=("-segment_format", "wav"),
    suffix=".wav",
    mime="audio/wav",
    bytes_per_second=16_000 * 2,
)

# Without the bit reservoir and without a Xing/LAME header, so each piece decodes on its own:
# no frame borrows bits from the previous piece, and no decoder trims the encoder delay (which
# belongs to the first piece only) from the start of later pieces.
MP3 = AsrFormat(
    name="mp3",
    codec=(*MP3_CODEC, "-reservoir", "0"),
    segment=("-segment_format", "mp3", "-segment_format_options", "write_xing=0:id3v2_version=0"),
    suffix=".mp3",
    mime="audio/mpeg",
    bytes_per_second=MP3_BYTES_PER_SECOND,
)

ASR_FORMATS = {encoding.name: encoding for encoding in (WAV, MP3)}
