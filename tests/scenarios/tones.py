"""Tones for voices: each member of a call speaks a tone whose pitch says whose voice it is, and
MiMo's stand-in answers a transcription with the pitch it heard (`tone_heard`), so what the bot
posts says whose voice reached it."""

from __future__ import annotations

import array
import base64
import io
import itertools
import wave

from tests.standins.mimo import Json


def tone_heard(duration: float, body: Json) -> str:
    """MiMo's answer: the pitch of the tone it was sent, to the nearest 10 Hz."""
    return f"tone {round(pitch_of(body), -1):.0f}"


def recording_of(body: Json) -> tuple[int, bytes]:
    """The sample rate and PCM of the recording in a transcription request."""
    [url] = [
        part["input_audio"]["data"]
        for message in body["messages"] if message.get("role") == "user"
        for part in message["content"] if part.get("type") == "input_audio"
    ]  # fmt: skip
    with wave.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as file:
        return file.getframerate(), file.readframes(file.getnframes())


def pitch_of(body: Json) -> float:
    rate, pcm = recording_of(body)
    values = array.array("h", pcm)[rate // 25 : -rate // 25]  # the codec's edges aside
    crossings = sum(1 for a, b in itertools.pairwise(values) if a < 0 <= b)
    return crossings / (len(values) / rate)


def sounding_pitch_of(body: Json) -> float:
    """`pitch_of` the sound alone: 20 ms windows of silence (a piece cut at a pause ends in
    some) left out, so a short piece measures its tone's pitch."""
    rate, pcm = recording_of(body)
    values, window = array.array("h", pcm), rate // 50
    windows = [values[at : at + window] for at in range(0, len(values) - window + 1, window)]
    loud = [w for w in windows if max(w) > 2000]
    crossings = sum(1 for w in loud for a, b in itertools.pairwise(w) if a < 0 <= b)
    return crossings / (len(loud) * window / rate) if loud else 0.0
