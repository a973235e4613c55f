"""Inputs and outputs of the shell commands: files named on the command line or standard input
(`-`) in; the files asked for (or standard output) out, and nothing else anywhere."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from bots.cli.command_line_wording import text
from bots.cli.common_options import LOCAL
from bots.cli.exit_code_per_failure import CommandFailed
from bots.cli.exit_codes import ExitCode

if TYPE_CHECKING:
    from core.bootstrap import Standalone
    from core.config import Settings

__all__ = ["DASH", "check_readable", "is_dash", "one_recording", "read_text", "recording", "write"]

DASH = "-"  # standard input or output, as a file name
_COPY_CHUNK = 1024 * 1024


def is_dash(path: Path | str) -> bool:
    return str(path) == DASH


def check_readable(paths: Sequence[Path]) -> None:
    """Refuse, before any work starts, a file that cannot be read, and `-` named twice."""
    if sum(1 for path in paths if is_dash(path)) > 1:
        raise CommandFailed(ExitCode.USAGE, text("cli.stdin_once"))
    for path in paths:
        if is_dash(path):
            continue
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            line = text("cli.unreadable", path=path, reason=reason)
            raise CommandFailed(ExitCode.FILE, line) from None


@asynccontextmanager
async def recording(source: Path, *, max_bytes: int) -> AsyncIterator[Path]:
    """The file to read `source` from: itself, or for `-` standard input saved to a temporary
    file (ffmpeg needs one it can seek in), deleted afterwards. Of standard input at most
    `max_bytes` and one more are kept, enough for the size limit to refuse it."""
    if not is_dash(source):
        yield source
        return
    with tempfile.TemporaryDirectory(prefix="voicebridge-stdin-") as folder:
        saved = Path(folder) / "stdin"
        await _in_daemon_thread(_save_stdin, saved, max_bytes + 1)
        yield saved


def read_text(value: str) -> str:
    """`value`, or all of standard input for `-`."""
    return sys.stdin.read() if is_dash(value) else value


def write(path: Path, data: bytes) -> None:
    """`data` into `path` (its folder made if need be), or to standard output for `-`."""
    if is_dash(path):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        line = text("cli.unwritable", path=path, reason=reason)
        raise CommandFailed(ExitCode.FILE, line) from None


async def _in_daemon_thread(work: Callable[..., None], *args: object) -> None:
    """`work(*args)` in a daemon thread of its own. A thread of asyncio's pool would make an
    interrupted command wait at exit until whoever writes to standard input stops; a daemon
    thread is left behind, blocked in its read."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def settle(error: BaseException | None) -> None:
        if done.done():
            return
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)

    def run() -> None:
        error: BaseException | None = None
        try:
            work(*args)
        except BaseException as exc:  # handed to the waiting coroutine
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody waits any more
            loop.call_soon_threadsafe(settle, error)

    threading.Thread(target=run, name="voicebridge-stdin", daemon=True).start()
    await done


def _save_stdin(path: Path, limit: int) -> None:
    # From the descriptor, not `sys.stdin.buffer`: a thread left blocked in the buffer's read
    # would hold its lock while the interpreter shuts down, which aborts it.
    stdin = sys.stdin.fileno()
    with path.open("wb") as out:
        left = limit
        while left > 0:
            chunk = os.read(stdin, min(_COPY_CHUNK, left))
            if not chunk:
                return
            out.write(chunk)
            left -= len(chunk)


@asynccontextmanager
async def one_recording(
    settings: Settings, file: Path, *, language: str
) -> AsyncIterator[tuple[Standalone, Path]]:
    """What `ask` and `summarise` start from: the command line's runtime, with the transcript
    language set, and `file` checked and ready to read."""
    from core.bootstrap import standalone  # imported late: --help stays quick

    check_readable([file])
    async with (
        standalone(settings) as runtime,
        recording(file, max_bytes=settings.max_audio_bytes()) as path,
    ):
        await runtime.preferences.set_language(LOCAL, language, can_manage=True)
        yield runtime, path
