"""Audio on ffmpeg: what users send becomes ASR pieces, MiMo's speech becomes voice notes.

asr_formats.py        the formats of the pieces, 16 kHz WAV (the default) or MP3, and why; the MP3
                      MiMo is sent for questions and clone samples (and ASR, if asked)
asr_pieces.py         a recording converted for ASR: pieces cut in pauses, converted side by side
ffmpeg_binary.py      which ffmpeg runs (the imageio-ffmpeg wheel's, or FFMPEG_BINARY), and why
ffmpeg_converter.py   FfmpegAudio, the audio port's adapter: one method per conversion
ffmpeg_inputs.py      where ffmpeg reads a recording: an input, or inside the filter graph (Opus:
                      far less CPU)
ffmpeg_processes.py   FfmpegProcesses, the process limit; running ffmpeg without blocking
media_probe.py        Ogg pages read in Python: a voice note's length, an empty file; what a file
                      holds and how long it really is
pauses.py             long pauses shortened in the conversion's own pass (COMPACT_PAUSES); loudness
                      around the planned cuts, so each cut falls in a pause
piece_files.py        following ffmpeg's segment muxer: which pieces are complete
question_input.py     a recording for a question about it
short_voice_notes.py  a short voice note converted for ASR: one ffmpeg decodes, Python compacts
voice_note_encoding.py  the sample a cloned voice speaks from; MiMo's speech (WAV) to OGG/Opus voice
                      notes, and joining WAVs; the command line's speech files (OGG, MP3, WAV)

ffmpeg runs as asyncio subprocesses under the batch scheduling policy and pydub in a thread, so
the event loop never blocks; a cancelled caller kills its ffmpeg. Only `core.domain.errors`
types escape; ffmpeg's output goes to the DEBUG log, never into a message.
"""

import warnings

# Set before any module here imports pydub, which warns at import when ffmpeg is not on PATH:
# `point_pydub_at` points it at the ffmpeg that runs (`ffmpeg_binary`), so the warning would only
# mislead.
warnings.filterwarnings("ignore", message="Couldn't find ffmpeg or avconv", category=RuntimeWarning)
