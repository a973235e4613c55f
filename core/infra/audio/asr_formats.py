"""The formats a recording is converted to for speech recognition: 16 kHz mono WAV (the
default) or MP3; the conversion itself is `pieces` (and `asr_short_notes` for a voice note).

MiMo's recogniser takes only these two (`ASR_AUDIO_FORMAT`, bench/RESULTS.md section 7):

| per hour of audio         | WAV, 16-bit     | MP3, 48 kbps                  |
|---------------------------|-----------------|-------------------------------|
| sent (base64)             | 154 MB          | 29 MB                         |
| conversion CPU            | decoding only   | + LAME: 20 to 35 % more       |
| heard by PocketSphinx     | as the original | about half its words otherwise |
| longest piece under 10 MB | about 3.5 min   | about 20 min                  |

WAV is lossless and costs no encoding: every recording is heard as it was, sooner and for less
CPU. MP3 sends a fifth of the bytes, for a bot on a slow or metered uplink. MiMo bills the
seconds it hears either way.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.infra.audio.mimo_mp3 import MP3_BYTES_PER_SECOND, MP3_CODEC
from core.infra.audio.sources import mono

__all__ = ["ASR_FORMATS", "MONO_16K", "MP3", "WAV", "AsrFormat"]

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
