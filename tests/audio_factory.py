"""Generate test audio with the project's ffmpeg, so no test reads a file from outside the repo.

Every maker writes one file and returns its path. `dest` is either a directory (the file gets a
descriptive name inside it) or a full file path. Tones are sines (440 Hz unless told), optionally
mixed with pink noise so encoders have something realistic to chew on.

    make_audio(tmp_path, fmt="ogg", seconds=3)           # Telegram-style voice note
    make_audio(tmp_path, fmt="mp4", seconds=2)           # a video with an audio track
    make_silent_video(tmp_path, seconds=2)               # a video with NO audio track
    make_speech_like(tmp_path, bursts=3)                 # tone, pause, tone, pause, tone
    make_speech_like(tmp_path, bursts=3, noise=0.01)     # ...in a room: the pauses are not silent
    with_cover_art(mp3_path)                             # an mp3 carrying a cover picture
    wav_bytes(tone_seconds=1, silence_seconds=1)         # in-memory WAV, like MiMo's TTS output
    truncated(path, keep=0.5) / corrupted(path)          # damaged copies of a good file
    make_garbage(tmp_path) / make_text_file(tmp_path) / make_empty_file(tmp_path)

What ffmpeg makes from nothing but its own sources (the makers above, not `with_cover_art`) is
made once per process and copied for every later call with the same arguments: the same bytes
ffmpeg would write again (Opus bit-exact), without an encoder's start and work for each of
some hundreds of voice notes.
"""

from __future__ import annotations

import io
import math
import random
import subprocess
import wave
from array import array
from pathlib import Path

from core.infra.audio.ffmpeg_binary import ffmpeg_exe

# fmt -> (file extension, ffmpeg output arguments). Voice notes copy what Telegram sends.
FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    # Bit-exact: the same bytes every run (the Ogg muxer otherwise picks a random stream serial,
    # and a corrupted file's fate could change from run to run).
    "ogg": ("ogg", ("-ac", "1", "-ar", "48000", "-c:a", "libopus", "-b:a", "32k",
                    "-fflags", "+bitexact", "-f", "ogg")),
    "mp3": ("mp3", ("-ac", "2", "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3")),
    "m4a": ("m4a", ("-ac", "2", "-ar", "44100", "-c:a", "aac", "-b:a", "96k", "-f", "ipod")),
    "wav": ("wav", ("-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", "-f", "wav")),
    "flac": ("flac", ("-ac", "2", "-ar", "44100", "-c:a", "flac", "-f", "flac")),
    "webm": ("webm", ("-ac", "1", "-ar", "48000", "-c:a", "libopus", "-b:a", "48k", "-f", "webm")),
    "mp4": ("mp4", ("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-b:a", "96k", "-shortest", "-f", "mp4")),
}  # fmt: skip
AUDIO_FORMATS = tuple(FORMATS)


# The same noise every run: a test's recording is the same file wherever and whenever it runs.
NOISE_SEED = 20261125


_MADE: dict[tuple[str, ...], bytes] = {}  # what `generated` made in this process, by its arguments


def generated(path: Path, *args: str) -> None:
    """Write to `path` what ffmpeg makes with `args` from its own sources (lavfi, no input file):
    made once per process, copied after."""
    key = (*args, path.suffix)
    if key not in _MADE:
        run_ffmpeg(*args, str(path))
        _MADE[key] = path.read_bytes()
    else:
        path.write_bytes(_MADE[key])


def run_ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly; raise with its error output when it fails."""
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"ffmpeg failed: {done.stderr.strip()}")


def make_audio(
    dest: Path,
    *,
    fmt: str,
    seconds: float,
    freq: float = 440,
    noise: float = 0.0,
) -> Path:
    """Write `seconds` of a sine (plus pink noise of amplitude `noise`) in format `fmt`.

    `fmt` is one of AUDIO_FORMATS: ogg (mono 48 kHz Opus, a Telegram voice note), mp3, m4a (AAC),
    wav (16-bit), flac, webm (Opus) or mp4 (a 64x64 video with an AAC audio track).
    """
    ext, out_args = FORMATS[fmt]
    path = _target(dest, f"{fmt}-{seconds:g}s.{ext}")
    sources = [f"sine=frequency={freq:g}:sample_rate=48000:duration={seconds:g}"]
    maps = ["-map", "0:a"]
    if noise:
        sources.append(f"anoisesrc=c=pink:r=48000:a={noise:g}:d={seconds:g}:seed={NOISE_SEED}")
        mix = "[0:a][1:a]amix=inputs=2:normalize=0[a]"
        maps = ["-filter_complex", mix, "-map", "[a]"]
    if fmt == "mp4":
        sources.append(f"color=c=blue:s=64x64:r=10:d={seconds:g}")
        maps += ["-map", f"{len(sources) - 1}:v"]
    inputs = [arg for source in sources for arg in ("-f", "lavfi", "-i", source)]
    generated(path, *inputs, *maps, *out_args)
    return path


def make_silent_video(dest: Path, *, seconds: float = 2.0) -> Path:
    """Write an mp4 with a video track and no audio track at all."""
    path = _target(dest, f"silent-video-{seconds:g}s.mp4")
    source = f"color=c=red:s=64x64:r=10:d={seconds:g}"
    generated(path, "-f", "lavfi", "-i", source, "-c:v", "libx264", "-preset", "ultrafast",
              "-pix_fmt", "yuv420p", "-f", "mp4")  # fmt: skip
    return path


def with_cover_art(src: Path) -> Path:
    """Copy an mp3 with a small cover picture attached, as music files often have."""
    cover = src.with_name(f"{src.stem}.cover.jpg")
    run_ffmpeg("-f", "lavfi", "-i", "color=s=32x32", "-frames:v", "1", str(cover))
    path = src.with_name(f"{src.stem}.cover{src.suffix}")
    run_ffmpeg("-i", str(src), "-i", str(cover), "-map", "0:a", "-map", "1:v", "-c", "copy",
               "-disposition:v", "attached_pic", "-id3v2_version", "3", str(path))  # fmt: skip
    return path


def make_speech_like(
    dest: Path,
    *,
    fmt: str = "ogg",
    bursts: int = 3,
    burst_seconds: float = 2.0,
    pause_seconds: float = 0.5,
    freq: float = 440,
    noise: float = 0.0,
) -> Path:
    """Write tone bursts separated by digital silence: burst, pause, burst, ..., burst.

    The k-th pause (0-based) spans [k*(b+p) + b, (k+1)*(b+p)) with b = burst_seconds and
    p = pause_seconds; the total length is bursts*b + (bursts-1)*p. Made for silence detection.
    With `noise`, pink noise of that amplitude runs under everything, pauses included.
    """
    ext, out_args = FORMATS[fmt]
    period = burst_seconds + pause_seconds
    total = bursts * burst_seconds + (bursts - 1) * pause_seconds
    path = _target(dest, f"speech-like-{bursts}x{burst_seconds:g}s.{ext}")
    expr = f"0.5*sin(2*PI*{freq:g}*t)*lt(mod(t\\,{period:g})\\,{burst_seconds:g})"
    sources = ["-f", "lavfi", "-i", f"aevalsrc={expr}:s=48000:d={total:g}"]
    if noise:
        noisy = f"anoisesrc=c=pink:r=48000:a={noise:g}:d={total:g}:seed={NOISE_SEED}"
        sources += ["-f", "lavfi", "-i", noisy]
        sources += ["-filter_complex", "[0:a][1:a]amix=inputs=2:normalize=0"]
    generated(path, *sources, *out_args)
    return path


def wav_bytes(
    *,
    tone_seconds: float,
    silence_seconds: float = 0.0,
    sample_rate: int = 24000,
    freq: float = 440,
) -> bytes:
    """A mono 16-bit WAV: `silence_seconds` of silence, then `tone_seconds` of a loud sine.

    Built in Python (no ffmpeg), like the WAV MiMo's speech synthesis returns (24 kHz mono).
    """
    silent = int(silence_seconds * sample_rate)
    tone = int(tone_seconds * sample_rate)
    samples = array("h", bytes(2 * silent))
    step = 2 * math.pi * freq / sample_rate
    samples.extend(int(20000 * math.sin(step * i)) for i in range(tone))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(samples.tobytes())
    return out.getvalue()


def truncated(src: Path, *, keep: float | int) -> Path:
    """Copy the first part of `src`: a fraction when `keep` is a float, else that many bytes."""
    data = src.read_bytes()
    size = int(len(data) * keep) if isinstance(keep, float) else keep
    path = src.with_name(f"{src.stem}.truncated{src.suffix}")
    path.write_bytes(data[:size])
    return path


def corrupted(src: Path, *, start: int = 0, length: int = 1024, seed: int = 0) -> Path:
    """Copy `src` with `length` bytes from `start` overwritten by random bytes (the header, by
    default, which leaves the data intact but the file unreadable)."""
    data = bytearray(src.read_bytes())
    noise = random.Random(seed).randbytes(length)
    data[start : start + length] = noise[: max(0, len(data) - start)]
    path = src.with_name(f"{src.stem}.corrupt{src.suffix}")
    path.write_bytes(bytes(data))
    return path


def make_garbage(
    dest: Path, *, size: int = 64 * 1024, seed: int = 0, name: str = "garbage.ogg"
) -> Path:
    """Write `size` random bytes under an audio-looking name."""
    path = _target(dest, name)
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


def make_text_file(dest: Path, *, name: str = "not-audio.ogg") -> Path:
    """Write a plain text file under an audio-looking name."""
    path = _target(dest, name)
    path.write_text("This is a shopping list, not a voice note.\nmilk\neggs\n" * 20)
    return path


def make_empty_file(dest: Path, *, name: str = "empty.ogg") -> Path:
    """Write a zero-byte file under an audio-looking name."""
    path = _target(dest, name)
    path.write_bytes(b"")
    return path


def _target(dest: Path, default_name: str) -> Path:
    """`dest` itself when it names a file, else `default_name` inside the directory `dest`."""
    if dest.is_dir():
        return dest / default_name
    dest.parent.mkdir(parents=True, exist_ok=True)
    return dest


def make_reading(dest: Path, words: str, *, seconds: float | None = None) -> Path:
    """A voice note (Opus in Ogg, as Telegram's) of someone reading `words` aloud, as the MiMo
    stand-in hears words (`tests.standins.spoken_words`); `seconds`: the note that long, the
    reading followed by silence."""
    from tests.standins.spoken_words import spoken

    samples = spoken(words, rate=48_000)
    if seconds is not None:
        samples.extend([0] * max(0, round(seconds * 48_000) - len(samples)))
    wav = _target(dest, f"reading-{abs(hash(words)) % 10**8}-{len(samples)}.wav")
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(48_000)
        out.writeframes(samples.tobytes())
    ext, out_args = FORMATS["ogg"]
    path = wav.with_suffix(f".{ext}")
    run_ffmpeg("-i", str(wav), *out_args, str(path))
    return path
