"""`voicebridge` in a process of its own, as a user starts it, without paying for its import at
every start.

A test that starts `voicebridge` (`run`, `doctor`, `transcribe`...) would spend most of the
start importing discord.py, python-telegram-bot, SQLAlchemy, Alembic, aiohttp and the project's
own modules: about two seconds of CPU each time, a third of the suite's CPU. So each test worker
keeps one process that has imported what `voicebridge run` imports and done nothing else (the
zygote: this file run as a script), and a start forks it. The child takes the test's standard
streams, folder, umask, environment and arguments, and runs the installed `voicebridge`'s entry
point: everything the command does (reading its settings, its locale, its database, its
network) happens in the child, as in a fresh process. The child is a process like any other
(its own pid, signals, exit code); it is only not the test's own child, so the zygote tells its
end over the socket the start was asked on.

What is about the start itself (what a command imports, a signal while it imports) still starts
a new interpreter (tests/unit/test_cli_start_up.py, tests/integration/cli/test_init.py, the
signal test's loading moment: `start(..., anew=True)`).
`VOICEBRIDGE_TEST_FORK=0` makes every start a new interpreter.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import gc
import io
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from functools import partial
from pathlib import Path
from typing import IO, Any

PIPE, STDOUT, DEVNULL = subprocess.PIPE, subprocess.STDOUT, subprocess.DEVNULL
Stream = int | IO[Any] | None

# What `voicebridge run` loads before its event loop starts (bots/cli/operations/run_command.py),
# with the rest of the command line. Imports only: no module of the project reads a setting, the
# environment, the folder or the clock as it is imported (the child reads them, after the fork);
# pydub's look for ffmpeg on PATH at import is overridden at run time (`point_pydub_at`).
PRELOADED = (
    "bots.cli.voicebridge_command",
    "bots.platform_runner",
    "core.bootstrap",
    "core.infra.storage.database_engines",
    "bots.telegram.application.update_filters",
    "bots.telegram.application.update_delivery",
    "bots.telegram.answers.telegram_progress_pace",
    "bots.telegram.summaries.telegram_summary_commands",
    "bots.discord.application.bot_intents",
    "bots.discord.application.gateway_connection",
    "bots.discord.voice_channels.speech_playback",
    "aiohttp.web",
    "alembic.command",
    "alembic.runtime.migration",
    # Loaded later by nearly every command: the log formats as logging is set up, and the HTTP
    # and SQLite layers under httpx and SQLAlchemy as the first client or engine is made.
    "core.infra.log_redaction",
    "httpcore",
    "anyio._backends._asyncio",
    "aiosqlite",
)


def installed() -> list[str]:
    """The `voicebridge` a user runs: the console script beside this Python, or the module."""
    return [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "bots.cli"]


SCRIPT = Path(sys.executable).parent / "voicebridge"


async def start(
    *args: str,
    cwd: Path | str,
    env: dict[str, str],
    stdin: Stream = DEVNULL,
    stdout: Stream = PIPE,
    stderr: Stream = PIPE,
    umask: int | None = None,
    anew: bool = False,
) -> Started:
    """`voicebridge ARGS...` started in `cwd` with exactly `env` (and `umask`, else this
    process's); the streams as `asyncio.create_subprocess_exec` takes them (PIPE, DEVNULL,
    STDOUT for stderr, a file or a descriptor). The returned process has the parts of asyncio's
    that the tests use. `anew`: a new interpreter, where the test is about what a start loads."""
    zygote = None if anew else _ZYGOTES.get(env)
    if zygote is None:
        process = await asyncio.create_subprocess_exec(
            *installed(), *args, cwd=cwd, env=env, stdin=stdin, stdout=stdout, stderr=stderr,
            preexec_fn=None if umask is None else partial(os.umask, umask),
        )  # fmt: skip
        return Started(process.pid, process=process)
    inherited = umask if umask is not None else _umask()
    request = {"argv": [*installed(), *args], "cwd": str(cwd), "env": env, "umask": inherited}
    return await zygote.fork(request, streams=(stdin, stdout, stderr))


def _umask() -> int:
    """This process's umask, which a child of its own would inherit (reading it sets it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class Started:
    """A started `voicebridge`: pid, returncode, the pipes asked for, wait, signals, communicate."""

    def __init__(
        self,
        pid: int,
        *,
        process: asyncio.subprocess.Process | None = None,
        ended: asyncio.Future[int] | None = None,
        telling: asyncio.Task[None] | None = None,  # what sets `ended`: kept while this lives
        stdin: asyncio.StreamWriter | None = None,
        stdout: asyncio.StreamReader | None = None,
        stderr: asyncio.StreamReader | None = None,
    ) -> None:
        self.pid = pid
        self._process = process
        self._ended = ended
        self._telling = telling
        self.stdin = process.stdin if process else stdin
        self.stdout = process.stdout if process else stdout
        self.stderr = process.stderr if process else stderr

    @property
    def returncode(self) -> int | None:
        if self._process is not None:
            return self._process.returncode
        assert self._ended is not None
        return self._ended.result() if self._ended.done() else None

    async def wait(self) -> int:
        if self._process is not None:
            return await self._process.wait()
        assert self._ended is not None
        return await asyncio.shield(self._ended)

    def send_signal(self, signum: int) -> None:
        if self.returncode is not None:
            raise ProcessLookupError(self.pid)
        os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    async def communicate(self, input: bytes | None = None) -> tuple[bytes | None, bytes | None]:
        if self._process is not None:
            return await self._process.communicate(input)
        if self.stdin is not None:
            if input:
                self.stdin.write(input)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    await self.stdin.drain()
            self.stdin.close()
        out, err = await asyncio.gather(_read_all(self.stdout), _read_all(self.stderr))
        await self.wait()
        return out, err


async def _read_all(stream: asyncio.StreamReader | None) -> bytes | None:
    return None if stream is None else await stream.read()


class _Zygote:
    """The worker's zygote: started at the first fork, ended with the worker (its stdin)."""

    def __init__(self, read_at_import: dict[str, str]) -> None:
        self._read_at_import = read_at_import
        self._folder = tempfile.mkdtemp(prefix="voicebridge-zygote-")
        self.address = os.path.join(self._folder, "socket")
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def _started(self) -> None:
        with self._lock:
            if self._process is None:
                self._process = subprocess.Popen(
                    [sys.executable, "-P", __file__, self.address],  # -P: not beside tests' modules
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    env=_zygote_env(self._read_at_import),
                )
                assert self._process.stdout is not None
                ready = self._process.stdout.readline()
                if ready != b"ready\n":
                    raise RuntimeError(f"the test zygote did not start: {ready!r}")
                atexit.register(self._end)

    def _end(self) -> None:
        """Closing its stdin ends it; waited for, so that its time counts as the worker's."""
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=10)
        shutil.rmtree(self._folder, ignore_errors=True)

    async def fork(
        self, request: dict[str, Any], *, streams: tuple[Stream, Stream, Stream]
    ) -> Started:
        if self._process is None:
            await asyncio.to_thread(self._started)
        loop = asyncio.get_running_loop()
        given, ours = _child_ends(streams)
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            connection.connect(self.address)
            socket.send_fds(connection, [json.dumps(request).encode()], given)
            pid = int(json.loads(connection.recv(256))["pid"])
        except BaseException:
            connection.close()
            for fd in ours.values():
                os.close(fd)
            raise
        finally:
            for fd in set(given):
                os.close(fd)
        connection.setblocking(False)
        ended = loop.create_future()
        telling = loop.create_task(_told_end(loop, connection, ended))
        return Started(pid, ended=ended, telling=telling, **await _streams(loop, ours))


async def _told_end(
    loop: asyncio.AbstractEventLoop, connection: socket.socket, ended: asyncio.Future[int]
) -> None:
    try:
        said = await loop.sock_recv(connection, 256)
        told = json.loads(said) if said else {"exit": -signal.SIGKILL}
        code = int(told["exit"])
        from tests import cpu_report  # the test's side only: the zygote runs as a script

        cpu_report.charge(float(told.get("cpu", 0.0)))
        if not ended.done():
            ended.set_result(code)
    finally:
        connection.close()


def _child_ends(streams: tuple[Stream, Stream, Stream]) -> tuple[list[int], dict[str, int]]:
    """The three descriptors the child takes as 0, 1 and 2 (each ours to close once sent), and
    our ends of the pipes asked for."""
    given: list[int] = []
    ours: dict[str, int] = {}
    for number, (name, spec) in enumerate(zip(("stdin", "stdout", "stderr"), streams, strict=True)):
        if spec == PIPE:
            read, write = os.pipe()
            given.append(read if number == 0 else write)
            ours[name] = write if number == 0 else read
        elif spec == DEVNULL:
            given.append(os.open(os.devnull, os.O_RDWR))
        elif spec == STDOUT:
            given.append(os.dup(given[1]))
        elif spec is None:
            given.append(os.dup(number))
        else:
            given.append(os.dup(spec if isinstance(spec, int) else spec.fileno()))
    return given, ours


async def _streams(loop: asyncio.AbstractEventLoop, ours: dict[str, int]) -> dict[str, Any]:
    made: dict[str, Any] = {}
    for name, fd in ours.items():
        if name == "stdin":
            transport, protocol = await loop.connect_write_pipe(_Written, os.fdopen(fd, "wb", 0))
            made[name] = asyncio.StreamWriter(transport, protocol, None, loop)
        else:
            reader = asyncio.StreamReader(limit=2**20)
            await loop.connect_read_pipe(
                lambda r=reader: asyncio.StreamReaderProtocol(r), os.fdopen(fd, "rb", 0)
            )
            made[name] = reader
    return made


class _Written(asyncio.streams.FlowControlMixin):
    """The child's standard input, as asyncio's own subprocess pipe behaves."""

    def __init__(self) -> None:
        super().__init__()
        self._closed = asyncio.get_running_loop().create_future()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if not self._closed.done():
            self._closed.set_result(None)

    def _get_close_waiter(self, stream: object) -> asyncio.Future[None]:
        return self._closed


# What is read from the environment as Python starts and kept: where modules are found
# (PYTHONPATH: `python -m tests.breaks` runs a copy of the code with a break planted), and the
# certificates trusted (SSL_CERT_FILE: a bot that joins the voice stand-in trusts its authority,
# and aiohttp makes its TLS contexts as it is imported). A child is forked from a zygote started
# with its own values: one a worker for the voice bots, whose authority file is the worker's
# (tests/standins/discord_voice.py, `worker_authority_file`).
READ_AT_IMPORT = ("PYTHONPATH", "SSL_CERT_FILE", "SSL_CERT_DIR")


def _zygote_env(read_at_import: dict[str, str]) -> dict[str, str]:
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PYTEST") and k not in READ_AT_IMPORT
    }
    return inherited | {"LANG": "C.UTF-8"} | read_at_import


class _Zygotes:
    """One zygote for each environment read at import that the worker's starts have asked."""

    def __init__(self) -> None:
        self._started: dict[tuple[tuple[str, str], ...], _Zygote] = {}

    def get(self, env: dict[str, str]) -> _Zygote | None:
        if os.environ.get("VOICEBRIDGE_TEST_FORK", "1") == "0" or not SCRIPT.exists():
            return None
        read = tuple((name, env[name]) for name in READ_AT_IMPORT if name in env)
        if read not in self._started:
            self._started[read] = _Zygote(dict(read))
        return self._started[read]


_ZYGOTES = _Zygotes()


# The zygote itself: this file run as a script, with the socket's path.


def _serve(address: str) -> None:
    import importlib

    for module in PRELOADED:
        importlib.import_module(module)
    # As `voicebridge run` does once loaded (bots/cli/operations/run_command.py): the collector is
    # kept off what lives as long as the process, here once for every child instead of once in each.
    gc.collect()
    gc.freeze()
    if threading.active_count() != 1:  # a fork would copy a thread's locks, not the thread
        raise SystemExit(f"a preloaded library started a thread: {threading.enumerate()}")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(address)
    listener.listen(64)
    woken, wake = os.pipe()
    os.set_blocking(wake, False)
    signal.set_wakeup_fd(wake)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "fork")
    selector.register(woken, selectors.EVENT_READ, "reap")
    selector.register(0, selectors.EVENT_READ, "worker")
    asked: dict[int, socket.socket] = {}
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        for key, _ in selector.select():
            if key.data == "worker" and not os.read(0, 4096):
                return  # the worker has ended; its children end on their own
            if key.data == "reap":
                os.read(woken, 4096)
            if key.data == "fork":
                connection, _ = listener.accept()
                message, fds, _, _ = socket.recv_fds(connection, 1 << 20, 3)
                pid = os.fork()
                if pid == 0:
                    selector.close()
                    listener.close()
                    os.close(woken)
                    os.close(wake)
                    _child(json.loads(message), fds, connection)
                for fd in fds:
                    os.close(fd)
                connection.sendall(json.dumps({"pid": pid}).encode())
                asked[pid] = connection
        _reap(asked)


def _reap(asked: dict[int, socket.socket]) -> None:
    while asked:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        connection = asked.pop(pid, None)
        if connection is not None:
            # Its CPU and its children's (ffmpeg): the test that started it is billed for it.
            ended = {"exit": os.waitstatus_to_exitcode(status),
                     "cpu": usage.ru_utime + usage.ru_stime}  # fmt: skip
            with contextlib.suppress(OSError):  # the test has gone: nobody to tell
                connection.sendall(json.dumps(ended).encode())
            connection.close()


def _child(request: dict[str, Any], fds: list[int], connection: socket.socket) -> None:
    """In the forked child: become `voicebridge` as the shell would have started it."""
    try:
        connection.close()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for number, fd in enumerate(fds):
            os.dup2(fd, number)
        for fd in set(fds) - {0, 1, 2}:
            os.close(fd)
        os.chdir(request["cwd"])
        os.umask(request["umask"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = request["argv"]
        sys.path.insert(0, str(SCRIPT.parent))  # where the console script is, as Python puts it
        sys.dont_write_bytecode = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
        _standard_streams()
        from bots.cli import script

        script()
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        os._exit(70)


def _standard_streams() -> None:
    """New sys.stdin, stdout and stderr on descriptors 0, 1 and 2, made as Python makes them."""
    encoding = os.environ.get("PYTHONIOENCODING", "").partition(":")[0] or "utf-8"
    unbuffered = bool(os.environ.get("PYTHONUNBUFFERED"))
    stdin = io.BufferedReader(io.FileIO(0, "r", closefd=False))
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(stdin, encoding, "strict")
    for number, errors, name in ((1, "strict", "stdout"), (2, "backslashreplace", "stderr")):
        raw = io.FileIO(number, "w", closefd=False)
        stream = io.TextIOWrapper(
            raw if unbuffered else io.BufferedWriter(raw),
            encoding,
            errors,
            line_buffering=name == "stderr" or raw.isatty(),
            write_through=unbuffered,
        )
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


if __name__ == "__main__":
    _serve(sys.argv[1])
