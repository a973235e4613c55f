"""A real speech recogniser for MiMo's stand-in in the benchmarks: PocketSphinx (CMU Sphinx,
offline, its US English model ships inside the wheel), so that what the bench compares is the
words a recogniser hears in the audio voicebridge sends, not a length.

    python -m bench.mimo_server DELAY --recognise

It is not MiMo's recogniser and is far weaker (on the JFK clip it hears "and all my fellow
america..."), which suits the comparison it is for: whether shortening pauses changes what a
recogniser hears, measured as the word error rate of the compacted audio's words against the
uncompacted audio's words. A weak recogniser is, if anything, more easily thrown by a change.
"""

from __future__ import annotations

import base64
import re
import subprocess
from typing import Any

from bench import ffmpeg_exe

_DATA_URL = re.compile(r"^data:[^;,]+;base64,(.*)$", re.DOTALL)


def _decoder() -> Any:
    """A new decoder for every recording: one carries what it learnt of the last recording's
    channel (its cepstral mean) into the next, so the same audio heard twice gave different
    words."""
    from pocketsphinx import Decoder  # imported late: only the bench needs it

    return Decoder(logfn="/dev/null")


def words_in(audio: bytes) -> str:
    """What PocketSphinx hears in `audio` (any format ffmpeg reads), lower case."""
    pcm = subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-v", "error", "-i", "pipe:0", "-f", "s16le", "-ac", "1",
         "-ar", "16000", "pipe:1"],
        input=audio, capture_output=True, check=True,
    ).stdout  # fmt: skip
    decoder = _decoder()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr if hyp is not None else ""


def recognise(duration: float, body: dict[str, Any]) -> str:
    """The stand-in's ASR answer (`FakeMimo(asr_text=...)`): the words in the request's audio."""
    for message in body.get("messages", []):
        content = message.get("content")
        for item in content if isinstance(content, list) else []:
            found = _DATA_URL.match(str((item.get("input_audio") or {}).get("data", "")))
            if found:
                return words_in(base64.b64decode(found.group(1)))
    return ""


def word_error_rate(reference: str, heard: str) -> float:
    """Word-level edit distance of `heard` from `reference`, over the reference's word count."""
    ref, hyp = reference.split(), heard.split()
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, start=1):
        prev, row[0] = row[0], i
        for j, other in enumerate(hyp, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (word != other))
    return row[-1] / max(1, len(ref))
