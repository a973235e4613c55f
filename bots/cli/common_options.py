"""What every command shares: settings from the environment and the settings file (which one is
`bots.cli.settings_file`'s choice), logging as asked, and each failure turned into its exit code and
one line on stderr (`bots.cli.exit_code_per_failure`)."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from bots.cli.exit_code_per_failure import Failure, failure, missing_setting_line
from bots.cli.exit_codes import SIGNALS, ExitCode, StopSignal, listen_again
from bots.cli.settings_file import chosen_env_file, settings_source
from core.domain import errors
from core.domain.shared_values import LANGUAGES, ChatRef, Language

if TYPE_CHECKING:
    from core.app.rules.request_audience import Request
    from core.bootstrap import Standalone
    from core.config import Settings

logger = logging.getLogger(__name__)

__all__ = [
    "LOCAL",
    "CommandLoop",
    "command_loop",
    "in_a_loop",
    "language_option",
    "local_request",
    "run",
    "run_outside_a_loop",
    "say_failure",
    "service_verbose_option",
    "spoken_language_option",
    "told",
    "verbose_option",
]

LOCAL = ChatRef("cli", "local")  # the one "chat" whose preferences the options set
F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
Body = Callable[["Settings"], Coroutine[Any, Any, int]]


async def local_request(runtime: Standalone, *, locale: str | None = None) -> Request:
    """The command line's request, as a bot builds one per command: its one chat (`LOCAL`),
    with the preferences its options set, answered in `locale` (else English)."""
    from core.chat.answer_languages import Audience  # imported late: --help stays quick

    return await runtime.audiences.request(LOCAL, Audience(person=locale))


def verbose_option(command: F) -> F:
    """`-v`/`--verbose`: log lines on stderr, which the commands otherwise never print."""
    return click.option(
        "-v",
        "--verbose",
        count=True,
        help="Log what happens on stderr, and where a failure came from; -vv logs in detail.",
    )(command)


def service_verbose_option(command: F) -> F:
    """`-v`/`--verbose` of the commands that log at LOG_LEVEL anyway (`run`, `db`, `doctor`)."""
    return click.option(
        "-v",
        "--verbose",
        count=True,
        help="Log at INFO at least, with where a failure came from; -vv logs at DEBUG.",
    )(command)


def language_option(description: str) -> Callable[[F], F]:
    """`-l`/`--language auto|zh|en`, as /language sets it for a chat."""
    return click.option(
        "-l",
        "--language",
        type=click.Choice(LANGUAGES),
        default="auto",
        show_default=True,
        help=description,
    )


# The languages the bot speaks, as spoken (Chinese in either script is one: zh). MiMo's speech
# recognition is told zh or en; the others it recognises by itself, as with auto.
SPOKEN: tuple[str, ...] = ("auto", "en", "zh", "ja", "ko", "ru", "uk", "es", "pt", "de", "fr", "id")


def spoken_language_option(description: str) -> Callable[[F], F]:
    """`-l`/`--language`: the language a recording is in, any the bot speaks."""
    return click.option(
        "-l",
        "--language",
        type=click.Choice(SPOKEN, case_sensitive=False),
        default="auto",
        show_default=True,
        help=f"{description} MiMo is told zh or en; it recognises the others by itself.",
    )


def told(language: str) -> Language:
    """What MiMo's speech recognition is told for a spoken `language` (`SPOKEN`)."""
    lowered = language.lower()
    return next((known for known in LANGUAGES if known == lowered), "auto")


def run(
    body: Body,
    *,
    verbose: int | None,
    before_the_loop: Callable[[Settings], None] | None = None,
    read_env_file: bool = True,
) -> int:
    """Run a command's `body` with the settings: logging at `verbose` (None: at LOG_LEVEL, as
    the bots log), and every failure one line on stderr with its exit code. `before_the_loop`
    runs first, where a signal stops it at once (`bots.cli.exit_codes`): what is slow to load.
    Without `read_env_file`, the settings come from the environment alone."""

    def in_the_loop(settings: Settings) -> int:
        if before_the_loop is not None:
            before_the_loop(settings)
        return in_a_loop(body(settings))

    env_file = chosen_env_file if read_env_file else _no_file
    return run_outside_a_loop(in_the_loop, verbose=verbose, env_file=env_file)


def run_outside_a_loop(
    body: Callable[[Settings], int],
    *,
    verbose: int | None,
    env_file: Callable[[], Path | None] = lambda: chosen_env_file(),
) -> int:
    """`run` for a `body` that runs in the main thread without an event loop, and starts one
    only for what it awaits (`in_a_loop`): `init`, whose questions must hear a signal at once.
    The settings come from the environment and `env_file()` (None: the environment alone)."""
    secrets: list[str] = []
    chosen: Path | None = None
    try:
        chosen = env_file()
        settings = _settings(chosen)
        secrets = settings.secret_values()
        _set_logging(settings, verbose)
        if chosen is not None:
            logger.debug("settings: %s", settings_source(chosen))
        return body(settings)
    except KeyboardInterrupt:  # run without `bots.cli.main`, which handles Ctrl-C itself
        return ExitCode.INTERRUPTED
    except click.Abort:  # Ctrl-C while Click itself was reading
        click.echo(file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): nothing to say, and nothing left to flush at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.BROKEN_PIPE
    except Exception as exc:
        found = failure(exc)
        if found.code == ExitCode.FAILED:
            # Where it came from, for a bug report: with -v, or at LOG_LEVEL=DEBUG.
            level = logging.ERROR if verbose else logging.DEBUG
            logger.log(level, "the command failed", exc_info=True)
        if isinstance(exc, errors.MissingSetting):
            found = Failure(found.code, missing_setting_line(exc, chosen))
        say_failure(found.line, secrets)
        return found.code


def in_a_loop(work: Coroutine[Any, Any, T]) -> T:
    """`work` on an event loop of its own, cancelled by Ctrl-C or SIGTERM (`StopSignal` then ends
    the command); once the loop is gone, a signal ends the command at once again."""
    try:
        with command_loop() as loop:
            return loop.run(work)
    finally:
        # A signal as the loop was being made (`StopSignal`, before its handlers) leaves it
        # never started: closed, it ends without Python's "never awaited" on stderr.
        work.close()


class CommandLoop:
    """One event loop for a command's whole life (`command_loop`): its steps run on it one
    after another (`run`), and the terminal's questions are asked between them, while it stands
    still and a signal ends the command at once (`bots.cli.setup.terminal_prompts`). What a step
    opens stays open for the next (`opened`): an import's runtime is built once for its plan, its
    question and its run."""

    def __init__(self, runner: asyncio.Runner) -> None:
        self._runner = runner
        self._loop = runner.get_loop()

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """`work` on the loop, cancelled by Ctrl-C or SIGTERM (`StopSignal` then ends the
        command); once it is done, a signal ends the command at once again."""
        signalled = _until_signalled(work)
        try:
            return self._runner.run(signalled)
        finally:
            # The loop's handlers go (a signal would only be written down for its next step)
            # and the command's come back: a signal while the loop stands still ends it.
            if threading.current_thread() is threading.main_thread():
                for sig in SIGNALS:
                    self._loop.remove_signal_handler(sig)
            listen_again()
            signalled.close()  # never started if a signal came first (`in_a_loop`)
            work.close()

    @contextmanager
    def opened(self, manager: AbstractAsyncContextManager[T]) -> Iterator[T]:
        """What `manager` opens, on the loop, for the block; closed on the loop as the block
        ends, however it ends (a signal at a question included)."""
        opened = self.run(manager.__aenter__())
        try:
            yield opened
        except BaseException as exc:
            if not self.run(manager.__aexit__(type(exc), exc, exc.__traceback__)):
                raise
        else:
            self.run(manager.__aexit__(None, None, None))


@contextmanager
def command_loop() -> Iterator[CommandLoop]:
    """An event loop kept for the block (`CommandLoop`), closed as it ends, with whatever still
    runs on it cancelled."""
    with asyncio.Runner() as runner:
        yield CommandLoop(runner)  # the loop made at once: a signal then ends the command


def _no_file() -> None:
    return None


async def _until_signalled(work: Coroutine[Any, Any, T]) -> T:
    """`work`, cancelled by Ctrl-C or SIGTERM: its clean-up runs (a temporary copy of standard
    input goes) before the command ends with `StopSignal`, where SIGTERM's default would kill it.
    A command may put handlers of its own in place (`run` sets its stop event instead)."""
    task, loop = asyncio.current_task(), asyncio.get_running_loop()
    assert task is not None
    signalled: list[int] = []

    def stop(signum: int) -> None:
        signalled.append(signum)
        task.cancel()

    # Signals reach the main thread only (a command run from another thread, as an embedding
    # program or a test may, keeps Python's own handling).
    if threading.current_thread() is threading.main_thread():
        for sig in SIGNALS:
            loop.add_signal_handler(sig, stop, sig)
    # Left in place once the work is done: a signal while the loop closes has nothing to stop.
    try:
        return await work
    except asyncio.CancelledError:
        if signalled:
            raise StopSignal(signalled[0]) from None
        raise


def say_failure(line: str, secrets: list[str]) -> None:
    """One line on stderr, secrets taken out."""
    from core.infra.log_redaction import Redactor

    click.echo(f"voicebridge: {Redactor(secrets).redact(line)}", file=sys.stderr)


def _settings(env_file: Path | None) -> Settings:
    from pydantic import ValidationError

    from core.config import Settings

    try:
        return Settings(_env_file=env_file)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "a setting"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise errors.ConfigError(f"{name} is invalid: {message}") from None


def _set_logging(settings: Settings, verbose: int | None) -> None:
    from core.infra.log_redaction import configure_logging

    if verbose == 0:
        # Not even warnings: without handlers Python would print them on stderr by itself.
        logging.disable(logging.CRITICAL)
        return
    level = settings.log_level if verbose is None else "INFO" if verbose == 1 else "DEBUG"
    configure_logging(level, settings.secret_values(), fmt=settings.log_format)
