"""Where an ffmpeg command reads a recording from: an input of its own (`-i`), or, for Opus, a
source filter inside the filter graph (`amovie`).

Why a source filter: since ffmpeg 7 the command line gives each input a demuxer thread and a
decoder thread, and every 20 ms packet of a voice note crosses from demuxer to decoder to
filters to encoder to muxer, each crossing a wake-up. For an hour of Opus those cost as much CPU
as the decoding itself. `amovie` demuxes and decodes in the graph's own thread; only what leaves
the graph is handed on, in frames of 50 ms (`mono`). Decoding an hour's voice note to 16 kHz
took 15.7 CPU-seconds as an input and 10.8 in the graph on the bundled ffmpeg 9, with the same
samples, bit for bit (bench/RESULTS.md, section 1, for the whole conversion). From a seek the two
ways differ by where they round it, one 48 kHz sample apart. An older, single-threaded ffmpeg
(Debian's 5.1) does the same work either way.

Why only Opus: a source filter cannot follow a stream whose sample format or rate changes
midway, which the command line handles. Opus always decodes to the same format and rate, and
it is what voice notes and Discord's voice messages are; anything else is read with `-i`.

A source filter opens its file itself, past the input options that keep a playlist or a list
from opening other files (`ffmpeg_processes`): it is told the demuxer the probe found (`f=`), which
for a recording's container opens nothing else.

The filter sees the stream's own timestamps, so a span is trimmed by them (`atrim`, exact to the
sample, after a seek to just before it) and counted from the span's start, as `-ss` does. A
span from the start is timed by counting samples instead: ffmpeg 5.1 stamps an Opus stream's
first frame 6.5 ms early (before the decoder drops its pre-skip), which would trim that much
speech away.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from core.infra.audio.ffmpeg_processes import RECORDING_FORMATS, file_url
from core.infra.audio.media_probe import Media

__all__ = ["AudioSource", "mono", "source_of"]

# Characters a filter graph reads as they are; any other is escaped with a backslash, which
# either level ffmpeg parses (the option's value, then the graph) accepts before any character.
_PLAIN = frozenset(string.ascii_letters + string.digits + "/._-+")


@dataclass(frozen=True)
class AudioSource:
    """The first audio stream of `path`. `start`: where the file's timeline starts, as ffmpeg
    reports it (0 for most audio files). `in_graph`: read by a source filter, as `demuxer`
    reads it (one of ffmpeg's names for the container the probe found)."""

    path: Path
    start: float = 0.0
    in_graph: bool = False
    demuxer: str = "ogg"

    def reading(self, index: int, begin: float = 0.0, end: float | None = None) -> SourceInput:
        """How to read the stream from `begin` to `end` seconds (the end when None), timed
        from `begin` as 0. `index`: the command's input number, if this needs an input."""
        if not self.in_graph:
            seek = ("-ss", f"{begin:.6f}") if begin > 0 else ()
            length = () if end is None else ("-t", f"{end - begin:.6f}")
            return SourceInput((*seek, *length, "-i", file_url(self.path)), f"[{index}:a:0]")
        movie = (
            f"amovie={graph_escaped(file_url(self.path))}:f={graph_escaped(self.demuxer)}"
            f":s={graph_escaped('a:0')}"
        )
        if begin <= 0:  # from the first sample, counted in samples (see the module's docstring)
            last = "" if end is None else f"atrim=end={end:.6f},"
            return SourceInput((), f"{movie},asetpts=N/SR/TB,{last}")
        first = self.start + begin
        last = "" if end is None else f":end={self.start + end:.6f}"
        return SourceInput(
            (), f"{movie}:sp={begin:.6f},atrim=start={first:.6f}{last},asetpts=PTS-{first:.6f}/TB,"
        )


@dataclass(frozen=True)
class SourceInput:
    inputs: tuple[str, ...]  # command-line options before the filter graph
    head: str  # what the graph's chain starts with: an input's label or a source filter's chain


def mono(rate: int) -> str:
    """A filter chain that makes the stream mono at `rate`, in frames of 50 ms: what leaves a
    graph is handed from thread to thread frame by frame, and Opus frames are 20 ms. Larger
    frames cost a segment muxer precision: it cuts where a frame starts."""
    return f"aformat=sample_rates={rate}:channel_layouts=mono,asetnsamples=n={rate // 20}:p=0"


def source_of(path: Path, media: Media) -> AudioSource:
    """How to read `path`, as probed (`media`)."""
    demuxer = (media.info.container or "").split(",")[0]
    in_graph = media.info.codec == "opus" and demuxer in RECORDING_FORMATS
    return AudioSource(path, media.start, in_graph=in_graph, demuxer=demuxer)


def graph_escaped(value: str) -> str:
    """`value` as a filter option's value inside a filter graph: escaped for the option, then
    for the graph."""
    return _escape(_escape(value))


def _escape(text: str) -> str:
    return "".join(c if c in _PLAIN else "\\" + c for c in text)
