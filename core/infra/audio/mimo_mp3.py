"""The MP3 voicebridge sends MiMo: mono, 16 kHz, 48 kbps CBR. It carries questions about a
recording (`understanding`) and clone samples; transcripts' pieces are WAV unless
ASR_AUDIO_FORMAT=mp3 (`asr_formats` weighs the two).

Where bytes count, MP3 at 48 kbps is 6 kB/s (360 kB a minute) against 16-bit WAV's 32 kB/s:
about 21 minutes fit MiMo's 10 MB request instead of 4. Why 48 kbps: at 16 kHz LAME keeps
speech up to about 7 kHz from 32 kbps up, but its error against the source levels off only at
48 kbps (pink noise: 11.3 dB SNR at 32k, 13.2 at 48k, 13.3 at 64k); 24 kbps cuts at 5.5 kHz and
dulls fricatives.
"""

__all__ = ["MP3_ARGS", "MP3_BYTES_PER_SECOND", "MP3_CODEC"]

MP3_BYTES_PER_SECOND = 48_000 // 8
# LAME's -q 7 skips its psychoacoustic noise shaping: 40% less encoding time, and on the JFK clip
# a smaller error against the source (25.8 dB SNR against 23.7 dB at the default -q 3).
MP3_CODEC = ("-c:a", "libmp3lame", "-b:a", "48k", "-compression_level", "7")
MP3_ARGS = ("-map", "0:a:0", "-map_metadata", "-1", "-ac", "1", "-ar", "16000", *MP3_CODEC)
