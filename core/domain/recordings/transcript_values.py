"""A transcript in the making and when done: timed parts, progress reports, missing stretches;
and speech as a file, timed the same way.

`core.app.recordings.transcription` builds them piece by piece; adapters show the progress and the
result. `core.app.voices.text_to_speech` speaks long texts in pieces too, and says when each is
heard (`SpeechFile`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from core.domain.message_splitting import format_duration
from core.domain.shared_values import Transcript, Usage

__all__ = [
    "AudioFormat",
    "HeardFromTheStart",
    "KeptTranscript",
    "LongTranscript",
    "Progress",
    "ProgressCallback",
    "SpeechFile",
    "TranscriptPart",
    "join_parts",
    "missing_marker",
]


@dataclass(frozen=True)
class TranscriptPart:
    """What was said from `start` to `end` (seconds); `text` is None when it could not be
    transcribed. In a call's transcript, `speaker` names who said it (their name at the time)
    and `speaker_id` is their platform id; a recording's parts have neither (how a line shows
    its speaker: `core.chat.transcript_files.said_by`)."""

    start: float
    end: float
    text: str | None
    speaker: str | None = None
    speaker_id: str | None = None


@dataclass(frozen=True)
class Progress:
    """Reported when the pieces are planned (`part` None) and after every piece, with the words
    of the pieces answered so far in order from the start (`in_order`: `HeardFromTheStart`); for
    a recording of one piece, also as its text streams in (`heard`: the text so far)."""

    done_seconds: float
    total_seconds: float
    part: TranscriptPart | None = None
    heard: str | None = None
    in_order: str = ""


ProgressCallback = Callable[[Progress], None]


def missing_marker(start: float, end: float) -> str:
    return f"[{format_duration(start)}–{format_duration(end)} could not be transcribed]"


@dataclass(frozen=True)
class LongTranscript:
    parts: tuple[TranscriptPart, ...]  # in order
    duration: float  # seconds of the whole recording
    usage: Usage = field(default_factory=Usage)
    # Seconds of it taken from a kept transcript rather than heard by MiMo again: not charged.
    reused_seconds: float = 0.0
    # What MiMo bills for the pieces it answered, each request rounded up to its whole second
    # where its answer did not say (`core.domain.rules.quotas_rules.billed_seconds`): what is
    # charged.
    billed_seconds: int = 0

    @property
    def text(self) -> str:
        return join_parts(self.parts)

    @property
    def missing(self) -> tuple[TranscriptPart, ...]:
        return tuple(part for part in self.parts if part.text is None)

    def as_transcript(self) -> Transcript:
        return Transcript(text=self.text, duration=self.duration, usage=self.usage)


def join_parts(
    parts: Sequence[TranscriptPart], *, marker: Callable[[float, float], str] = missing_marker
) -> str:
    """The parts' text in order; a run of missing parts becomes one marker naming its stretch."""
    words: list[str] = []
    gap: tuple[float, float] | None = None
    for part in parts:
        if part.text is None:
            gap = (gap[0] if gap else part.start, part.end)
            continue
        if gap:
            words.append(marker(*gap))
            gap = None
        if part.text:
            words.append(part.text)
    if gap:
        words.append(marker(*gap))
    return " ".join(words)


class HeardFromTheStart:
    """A recording's words heard so far, in order from its start: each piece is `expect`ed as
    it is sent (in the recording's order), and `add`ed once answered. Pieces may be answered out
    of order: one heard before an earlier one waits for it, so the text never skips a stretch
    still being heard. A piece that could not be heard counts as answered: its stretch is
    marked (`join_parts`)."""

    def __init__(self) -> None:
        self._expected: list[float] = []  # each piece's start, in the recording's order
        self._answered: dict[float, TranscriptPart] = {}
        self._in_order: list[TranscriptPart] = []
        self.text = ""

    def expect(self, start: float) -> None:
        """The piece starting at `start` is the next one sent."""
        self._expected.append(start)

    def add(self, part: TranscriptPart) -> None:
        """`part` was answered: the text goes on as far as the pieces before it allow."""
        self._answered[part.start] = part
        grew = False
        while len(self._in_order) < len(self._expected):
            following = self._answered.pop(self._expected[len(self._in_order)], None)
            if following is None:
                break
            self._in_order.append(following)
            grew = True
        if grew:
            self.text = join_parts(self._in_order)


@dataclass(frozen=True)
class KeptTranscript:
    """What is kept of one recording's transcript (`core.app.recordings.kept_transcripts`): the
    pieces heard so far, in the ASR `language` they were heard in; `duration` is set once every
    piece was heard."""

    language: str
    parts: tuple[TranscriptPart, ...]
    duration: float | None = None

    def whole(self) -> LongTranscript | None:
        """The transcript, when nothing of it is left to hear."""
        if self.duration is None:
            return None
        return LongTranscript(self.parts, self.duration, reused_seconds=self.duration)


AudioFormat = Literal["ogg", "mp3", "wav"]  # OGG/Opus, MP3, WAV (PCM)


@dataclass(frozen=True)
class SpeechFile:
    """Spoken text as one audio file, with each piece of the text and when it is heard: exact
    where one piece ends and the next begins (MiMo gives no timings within a piece)."""

    data: bytes
    format: AudioFormat
    duration: float
    parts: tuple[TranscriptPart, ...]
