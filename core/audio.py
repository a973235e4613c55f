"""Audio conversion: whatever users send becomes ASR pieces, synthesized WAV becomes voice notes.

Speech recognition input (`to_asr_pieces`)::

    voice note / audio file / video
      -> probe: ffmpeg demuxes the first audio stream (no decoding) and counts its real length
      -> limits checked, cut points planned (evenly now; at pauses later)
      -> ONE ffmpeg pass: decode, downmix to mono, resample to 16 kHz, MP3 48 kbps CBR, and the
         segment muxer writes one file per piece into a temporary directory (no PCM in Python)
      -> AsrPiece(bytes, offset, duration) per file

Why MP3 and not WAV: MiMo caps the base64 string at 10 MB, about 7.5 MB of audio bytes. 16 kHz
16-bit WAV is 32 kB/s, about 4 minutes per request; MP3 at 48 kbps is 6 kB/s (360 kB a minute),
about 21 minutes per request, and five times less to upload. Why 48 kbps: at 16 kHz LAME keeps
speech up to about 7 kHz from 32 kbps up, but its error against the source levels off only at
48 kbps (pink noise: 11.3 dB SNR at 32k, 13.2 at 48k, 13.3 at 64k); 24 kbps cuts at 5.5 kHz and
dulls fricatives. Pieces are encoded without the bit reservoir and without a Xing/LAME header, so
each piece decodes on its own: no frame borrows bits from the previous piece, and no decoder
trims the encoder delay (which belongs to the first piece only) from the start of later pieces.

Voice notes (`to_voice_note`): pydub reads the WAV, exports OGG/Opus mono 48 kHz 32 kbps (clean
synthesized speech at 24 kHz is transparent there) and computes Discord's waveform bytes.

ffmpeg runs as asyncio subprocesses and pydub in a thread, so the event loop never blocks; a
cancelled caller kills its ffmpeg. Only `core.errors` types escape; ffmpeg's output goes to the
DEBUG log, never into a message.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import itertools
import logging
import math
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydub import AudioSegment
from pydub.exceptions import CouldntEncodeError

from core.domain import AsrPiece, VoiceNote
from core.errors import AudioTooLarge, EmptyAudio, UndecodableAudio
from core.ffmpeg import ffmpeg_exe

logger = logging.getLogger(__name__)

ASR_MAX_BASE64 = 10 * 1024 * 1024  # MiMo ASR cap on the base64 string
MP3_BYTES_PER_SECOND = 48_000 // 8
# 10% margin: also fits a decimal reading of "10 MB" (10,000,000 characters: 1250 s).
MAX_PIECE_SECONDS = ASR_MAX_BASE64 * 3 / 4 * 0.9 / MP3_BYTES_PER_SECOND  # about 1180 s
MIN_PIECE_SECONDS = 1.0
MIN_AUDIO_SECONDS = 0.05  # shorter than anything a person can say
# A cut lands on the next 36 ms MP3 frame, and the first piece also carries 69 ms of encoder delay.
_CUT_SLACK = 0.2
_MP3 = ("-map", "0:a:0", "-map_metadata", "-1", "-ac", "1", "-ar", "16000",
        "-c:a", "libmp3lame", "-b:a", "48k")  # fmt: skip
_PIECES = ("-reservoir", "0", "-f", "segment", "-segment_format", "mp3",
           "-segment_format_options", "write_xing=0:id3v2_version=0", "-reset_timestamps", "1",
           "-avoid_negative_ts", "disabled", "-segment_list_type", "csv")  # fmt: skip
_ONE_PIECE = ("-segment_time", "1000000000")
_PASSTHROUGH = {
    ("mp3", "mp3"): "audio/mpeg",
    ("wav", "pcm_s16le"): "audio/wav",
    ("flac", "flac"): "audio/flac",
    ("mov,mp4,m4a,3gp,3g2,mj2", "aac"): "audio/mp4",
    ("ogg", "opus"): "audio/ogg",
    ("ogg", "vorbis"): "audio/ogg",
}
WAVEFORM_BYTES = 256  # Discord's maximum
WAVEFORM_WINDOWS_PER_SECOND = 10
_KEEP_OUTPUT = 64 * 1024  # bytes of ffmpeg output kept from each end of a stream
_INPUT = re.compile(r"^Input #0, (.+?), from ", re.MULTILINE)
_STREAM = re.compile(r"^\s*Stream #0:\d+\S*: (Audio|Video): ([\w-]+)(.*)$", re.MULTILINE)
_OUT_TIME = re.compile(r"^out_time_us=(\d+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class AudioInfo:
    duration: float  # seconds of the first audio stream
    has_audio: bool
    codec: str | None  # ffmpeg's decoder name: opus, mp3, aac, pcm_s16le, ...
    container: str | None  # ffmpeg's demuxer name: ogg, mp3, wav, "mov,mp4,m4a,3gp,3g2,mj2", ...


@dataclass(frozen=True)
class _Media:
    info: AudioInfo
    has_video: bool  # a real video track, not an mp3's cover picture
    size: int  # bytes


@dataclass(frozen=True)
class _Run:
    returncode: int
    stdout: str
    stderr: str


async def probe(path: Path) -> AudioInfo:
    """Describe the first audio stream, its duration measured by decoding it all (headers lie)."""
    return (await _inspect(path, decode=True)).info


async def to_asr_pieces(
    path: Path, *, piece_seconds: float = 600, max_seconds: float | None = None
) -> list[AsrPiece]:
    """Convert any audio or video to mono 16 kHz MP3 pieces of at most `piece_seconds` each."""
    limit = _piece_limit(piece_seconds)
    media = await _inspect(path, decode=False)
    _check_duration(media.info.duration, max_seconds)
    cuts = _plan_cuts(media.info.duration, limit)
    with tempfile.TemporaryDirectory(prefix="voicebridge-asr-") as tmp:
        listing = await _encode_pieces(path, Path(tmp), cuts)
        pieces = await asyncio.to_thread(_read_pieces, Path(tmp), listing)
    if sum(piece.duration for piece in pieces) < MIN_AUDIO_SECONDS:
        raise EmptyAudio("the audio is empty")
    return pieces


async def to_voice_note(wav: bytes) -> VoiceNote:
    """Encode a WAV (any rate) as an OGG/Opus voice note with its duration and waveform."""
    ffmpeg_exe()  # points pydub at the binary before the worker thread needs it
    return await asyncio.to_thread(_voice_note, wav)


async def to_understanding_input(
    path: Path, *, max_base64: int = 50 * 1024 * 1024
) -> tuple[bytes, str]:
    """Bytes and MIME type for audio understanding: the file itself when MiMo takes it, else MP3."""
    media = await _inspect(path, decode=False)
    mime = _passthrough_mime(media)
    if mime is not None and _base64_size(media.size) < max_base64:
        return await asyncio.to_thread(path.read_bytes), mime
    _check_size(int(media.info.duration * MP3_BYTES_PER_SECOND), max_base64)  # before converting
    data = await _encode_mp3(path)
    _check_size(len(data), max_base64)
    return data, "audio/mpeg"


# --- probing ---------------------------------------------------------------------------------


async def _inspect(path: Path, *, decode: bool) -> _Media:
    """What ffmpeg finds in `path`. Demuxing alone already counts the packets really there;
    decoding also proves they decode, at several times the cost."""
    size = (await asyncio.to_thread(path.stat)).st_size
    if size == 0:
        raise EmptyAudio("the file is empty")
    copy = () if decode else ("-c", "copy")
    run = await _ffmpeg(
        "-progress", "pipe:1", "-i", _url(path), "-map", "0:a:0", *copy, "-f", "null", "-"
    )
    return _parse_probe(run, size)


def _parse_probe(run: _Run, size: int) -> _Media:
    """Translate ffmpeg's description of its input and its progress report into a `_Media`."""
    inputs = run.stderr.split("Stream mapping:")[0]  # what follows describes the output
    container = _INPUT.search(inputs)
    if container is None:
        raise UndecodableAudio("not a readable audio or video file")
    streams = _STREAM.findall(inputs)
    codecs = [codec for kind, codec, _ in streams if kind == "Audio"]
    has_video = any(kind == "Video" and "(attached pic)" not in rest for kind, _, rest in streams)
    if not codecs:
        raise EmptyAudio("the file has no audio track")
    if run.returncode != 0:
        raise UndecodableAudio("the audio could not be decoded")
    times = _OUT_TIME.findall(run.stdout)
    duration = int(times[-1]) / 1_000_000 if times else 0.0
    if duration < MIN_AUDIO_SECONDS:
        raise EmptyAudio("the audio is empty")
    return _Media(AudioInfo(duration, True, codecs[0], container.group(1)), has_video, size)


# --- speech recognition pieces ---------------------------------------------------------------


def _piece_limit(piece_seconds: float) -> float:
    """The longest piece allowed: as asked, but never over what fits under the base64 cap."""
    if piece_seconds < MIN_PIECE_SECONDS:
        raise ValueError(f"piece_seconds must be at least {MIN_PIECE_SECONDS}")
    return min(piece_seconds, MAX_PIECE_SECONDS)


def _plan_cuts(duration: float, limit: float) -> list[float]:
    """Cut points splitting `duration` into the fewest equal pieces no longer than `limit`
    (equal, so the last piece is never a sliver and parallel requests finish together)."""
    count = math.ceil(duration / (limit - _CUT_SLACK))
    return [duration * i / count for i in range(1, count)]


async def _encode_pieces(src: Path, folder: Path, cuts: Sequence[float]) -> list[list[str]]:
    """One ffmpeg pass writing piece files into `folder`; returns the segment list's rows
    (file name, start, end in seconds of the source)."""
    listing = folder / "pieces.csv"
    # Without cut points the segment muxer would cut every 2 s: ask for one endless piece.
    times = ("-segment_times", ",".join(f"{cut:.3f}" for cut in cuts)) if cuts else _ONE_PIECE
    run = await _ffmpeg("-i", _url(src), *_MP3, *_PIECES, *times,
                        "-segment_list", str(listing), str(folder / "piece%05d.mp3"))  # fmt: skip
    if run.returncode != 0:
        raise UndecodableAudio("the audio could not be decoded")
    with listing.open(newline="") as rows:
        return [row for row in csv.reader(rows) if len(row) == 3]


def _read_pieces(folder: Path, listing: list[list[str]]) -> list[AsrPiece]:
    """Load the piece files named in the segment list, in order, skipping empty ones."""
    pieces = []
    for name, start_text, end_text in listing:
        data = (folder / name).read_bytes()
        start, end = max(0.0, float(start_text)), float(end_text)
        if data and end > start:
            _check_size(len(data), ASR_MAX_BASE64)  # guaranteed by _piece_limit; checked anyway
            piece = AsrPiece(data=data, mime="audio/mpeg", offset=start, duration=end - start)
            pieces.append(piece)
    return pieces


# --- audio understanding ---------------------------------------------------------------------


def _passthrough_mime(media: _Media) -> str | None:
    """The MIME type to send `media` as it is, or None when it needs converting."""
    if media.has_video:
        return None
    return _PASSTHROUGH.get((media.info.container or "", media.info.codec or ""))


async def _encode_mp3(src: Path) -> bytes:
    """The first audio stream of `src` as one mono 16 kHz MP3."""
    with tempfile.TemporaryDirectory(prefix="voicebridge-mp3-") as tmp:
        out = Path(tmp) / "audio.mp3"
        run = await _ffmpeg("-i", _url(src), *_MP3, "-f", "mp3", str(out))
        if run.returncode != 0:
            raise UndecodableAudio("the audio could not be decoded")
        return await asyncio.to_thread(out.read_bytes)


# --- voice notes -----------------------------------------------------------------------------


def _voice_note(wav: bytes) -> VoiceNote:
    """Synchronous body of `to_voice_note`, run in a worker thread."""
    clip = _read_wav(wav).set_channels(1)
    if clip.frame_count() == 0:
        raise EmptyAudio("the synthesized audio is empty")
    try:
        encoded = clip.export(format="ogg", codec="libopus", bitrate="32k",
                              parameters=["-ar", "48000"])  # fmt: skip
    except CouldntEncodeError as exc:
        logger.debug("libopus encoding failed: %s", exc)
        raise UndecodableAudio("the audio could not be encoded") from None
    with encoded:
        data = bytes(encoded.read())
    return VoiceNote(data=data, duration=float(clip.duration_seconds), waveform=_waveform(clip))


def _read_wav(wav: bytes) -> Any:
    """The WAV bytes as a pydub AudioSegment, or UndecodableAudio."""
    if wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        raise UndecodableAudio("the synthesized audio is not a WAV file")
    try:
        return AudioSegment(data=wav)
    except Exception as exc:  # pydub raises several types on malformed headers
        logger.debug("pydub could not read the WAV: %r", exc)
        raise UndecodableAudio("the synthesized audio is not a WAV file") from None


def _waveform(clip: Any) -> bytes:
    """Discord's waveform: loudness per ~100 ms window (at most 256 windows), 0..255 relative
    to the loudest window."""
    frames = int(clip.frame_count())
    windows = -(-frames * WAVEFORM_WINDOWS_PER_SECOND // int(clip.frame_rate))  # ceiling
    count = max(1, min(WAVEFORM_BYTES, windows))
    bounds = [frames * i // count for i in range(count + 1)]
    levels = [int(clip.get_sample_slice(a, b).rms) for a, b in itertools.pairwise(bounds)]
    loudest = max(levels)
    return bytes(round(255 * level / loudest) if loudest else 0 for level in levels)


# --- helpers ---------------------------------------------------------------------------------


def _check_duration(duration: float, max_seconds: float | None) -> None:
    if max_seconds is not None and duration > max_seconds:
        raise AudioTooLarge("the recording is too long", limit=_human_duration(max_seconds))


def _check_size(size: int, max_base64: int) -> None:
    if _base64_size(size) >= max_base64:
        raise AudioTooLarge("the audio is too big", limit=f"{max_base64 / 1024 / 1024:g} MB")


def _base64_size(size: int) -> int:
    return 4 * math.ceil(size / 3)


def _human_duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else "",
             f"{secs} s" if secs else ""]  # fmt: skip
    return " ".join(part for part in parts if part) or "0 s"


def _url(path: Path) -> str:
    """`path` for ffmpeg's command line: the file: prefix stops a name like `-x.ogg` or
    `a:b.ogg` being read as an option or a protocol."""
    return f"file:{path}"


async def _ffmpeg(*args: str) -> _Run:
    """Run ffmpeg without blocking the event loop; kill it if the caller is cancelled."""
    proc = await asyncio.create_subprocess_exec(
        ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-y", *args,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    try:
        out, err = await asyncio.gather(_read_bounded(proc.stdout), _read_bounded(proc.stderr))
        returncode = await proc.wait()
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await asyncio.shield(proc.wait())
        raise
    logger.debug("ffmpeg %s exited with %d:\n%s", " ".join(args), returncode, err)
    return _Run(returncode, out, err)


async def _read_bounded(stream: asyncio.StreamReader) -> str:
    """All a stream says, keeping only its head and tail: a corrupt file can make ffmpeg print a
    line per broken packet, and memory must not grow with that."""
    head, tail, dropped = bytearray(), bytearray(), False
    while chunk := await stream.read(65536):
        room = max(0, _KEEP_OUTPUT - len(head))
        head += chunk[:room]
        tail += chunk[room:]
        dropped = dropped or len(tail) > _KEEP_OUTPUT
        del tail[:-_KEEP_OUTPUT]
    gap = b"\n[...]\n" if dropped else b""
    return (head + gap + tail).decode(errors="replace")
