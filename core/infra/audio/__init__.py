"""Audio on ffmpeg: what users send becomes ASR pieces, MiMo's speech becomes voice notes.

    converter.py      FfmpegAudio, the audio port's adapter: one method per conversion
    processes.py      FfmpegProcesses, the process limit; running ffmpeg without blocking
    ffmpeg.py         which ffmpeg runs (the imageio-ffmpeg wheel's, or FFMPEG_BINARY), and why
    probe.py          what a file holds and how long it really is
    sources.py        reading it: an input, or inside the filter graph (Opus: far less CPU)
    pieces.py         a recording converted for ASR: pieces cut in pauses, converted side by side
    asr_short_notes.py  a short voice note converted for ASR: one ffmpeg decodes, Python compacts
    asr_formats.py    the formats of the pieces, 16 kHz WAV (the default) or MP3, and why
    ogg.py            Ogg pages read in Python: a voice note's length, an empty file
    loudness.py       loudness around the planned cuts, so each cut falls in a pause
    segments.py       following ffmpeg's segment muxer: which pieces are complete
    compaction.py     long pauses shortened in the conversion's own pass (COMPACT_PAUSES)
    mimo_mp3.py       the MP3 MiMo is sent for questions and clone samples (and ASR, if asked)
    tts_voice_notes.py  MiMo's speech (WAV) to OGG/Opus voice notes, and joining WAVs; the
                      command line's speech files (OGG, MP3, WAV)
    understanding.py  a recording for a question about it
    clone_samples.py  the sample a cloned voice speaks from

ffmpeg runs as asyncio subprocesses under the batch scheduling policy and pydub in a thread, so
the event loop never blocks; a cancelled caller kills its ffmpeg. Only `core.domain.errors`
types escape; ffmpeg's output goes to the DEBUG log, never into a message.
"""

import warnings

# Set before any module here imports pydub, which warns at import when ffmpeg is not on PATH:
# `point_pydub_at` points it at the ffmpeg that runs (`ffmpeg`), so the warning would only mislead.
warnings.filterwarnings("ignore", message="Couldn't find ffmpeg or avconv", category=RuntimeWarning)
