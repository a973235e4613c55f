"""The `voicebridge` command as a user runs it: a real process in a folder of its own,
configured by its environment alone, its output read from pipes or from a pseudo-terminal; and
the long recordings it is given."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import pty
import subprocess
import termios
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.audio_factory import make_speech_like
from tests.standins.mimo import FakeMimo
from tests.voicebridge_process import DEVNULL, PIPE, installed, start

TIMEOUT = 120  # seconds; a busy shared machine converts slowly
PIECE_SECONDS = "10"  # the smallest ASR_PIECE_SECONDS: several pieces from a short recording


@dataclass(frozen=True)
class Done:
    code: int
    out: bytes  # standard output as written: audio, for `say -o -`
    err: str  # standard error, or what the terminal showed

    @property
    def text(self) -> str:
        return self.out.decode()


def clean_env(**settings: str) -> dict[str, str]:
    """Nothing from the developer's shell but PATH and HOME, in a locale that speaks English
    (the command line speaks the shell's language), then `settings`. PYTHONPATH is kept where
    it is set: `python -m tests.breaks` plants a break in a copy of the code found through it,
    and a command that imported the checkout instead would never see the break."""
    base = {k: os.environ[k] for k in ("PATH", "HOME", "PYTHONPATH") if k in os.environ}
    return base | {"LANG": "C.UTF-8"} | settings


def env(mimo: FakeMimo, **settings: str) -> dict[str, str]:
    """What a user exports: the key and MiMo's address, and no database anywhere."""
    return clean_env(MIMO_API_KEY=mimo.api_key, MIMO_BASE_URL=mimo.base_url, **settings)


def long_recording(folder: Path, name: str, *, bursts: int = 4) -> Path:
    """Speech-like bursts of 8 s with pauses between: several pieces at PIECE_SECONDS."""
    fmt = name.rsplit(".", 1)[1]
    return make_speech_like(folder / name, fmt=fmt, bursts=bursts, burst_seconds=8, pause_seconds=1)


async def voicebridge(
    *args: str, cwd: Path, env: dict[str, str], stdin: bytes | None = None
) -> Done:
    process = await start(*args, cwd=cwd, env=env, stdin=PIPE if stdin is not None else DEVNULL)
    out, err = await asyncio.wait_for(process.communicate(stdin), timeout=TIMEOUT)
    assert out is not None and err is not None
    return Done(process.returncode or 0, out, err.decode())


async def voicebridge_on_terminal(*args: str, cwd: Path, env: dict[str, str]) -> Done:
    """Like `voicebridge`, with standard error on a pseudo-terminal, as in an interactive
    shell; `err` is what the terminal received (with its carriage returns and escapes)."""
    terminal, attached = pty.openpty()
    try:
        process = await start(
            *args, cwd=cwd, env=env | {"TERM": "xterm", "COLUMNS": "120"}, stderr=attached
        )
    finally:
        os.close(attached)
    try:
        # Read while it runs: a full terminal buffer would block the process.
        shown = asyncio.ensure_future(asyncio.to_thread(rest_of, terminal))
        out = await asyncio.wait_for(process.stdout.read() if process.stdout else _none(), TIMEOUT)
        await asyncio.wait_for(process.wait(), timeout=TIMEOUT)
        err = await asyncio.wait_for(shown, timeout=TIMEOUT)
    finally:
        os.close(terminal)
    return Done(process.returncode or 0, out, err.decode(errors="replace"))


@contextlib.contextmanager
def on_a_terminal(
    *args: str, cwd: Path, env: dict[str, str]
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`voicebridge *args` with a pseudo-terminal as its controlling terminal, for all three of
    its streams (so Ctrl-C typed there is SIGINT, and hidden prompts turn its echo off); yields
    the process and the terminal's other end."""
    terminal, attached = pty.openpty()

    def take_the_terminal() -> None:  # in the child: its session's controlling terminal
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        [*installed(), *args],
        cwd=cwd,
        env=env | {"TERM": "xterm"},
        stdin=attached,
        stdout=attached,
        stderr=attached,
        start_new_session=True,
        preexec_fn=take_the_terminal,
    )
    os.close(attached)
    try:
        yield process, terminal
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(terminal)


def shown_until(terminal: int, words: bytes) -> bytes:
    """What the terminal shows, read until `words` appear (or it closes)."""
    shown = b""
    with contextlib.suppress(OSError):  # EIO once the process has closed its end
        while words not in shown and (chunk := os.read(terminal, 4096)):
            shown += chunk
    return shown


def rest_of(terminal: int) -> bytes:
    """What the terminal shows until the process closes it."""
    return shown_until(terminal, b"\0never\0")


async def _none() -> bytes:
    return b""
