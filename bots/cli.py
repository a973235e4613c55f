"""The `voicebridge` command: run the bots, or use the core from a shell."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bots.runner import run_bots
from core.bootstrap import Runtime, bootstrap, storage
from core.chat.languages import DEFAULT_LOCALE
from core.chat.messages import text
from core.config import Settings
from core.domain import errors
from core.domain.values import ChatRef
from core.infra.logs import Redactor, configure_logging
from core.infra.storage import current_revision, upgrade

LOCAL = ChatRef("cli", "local")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command: Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]] = args.command
    try:
        settings = Settings()
        configure_logging(settings.log_level, settings.secret_values(), fmt=settings.log_format)
        return asyncio.run(command(settings, args))
    except (errors.ConfigError, ValidationError) as exc:
        print(f"voicebridge: {_one_line(exc)}", file=sys.stderr)
        return 2
    except errors.StartupError as exc:
        said = Redactor(settings.secret_values()).redact(str(exc))
        print(f"voicebridge: {said}", file=sys.stderr)
        return 1
    except errors.VoicebridgeError as exc:
        print(f"voicebridge: {text(exc.key, DEFAULT_LOCALE, **exc.params)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voicebridge", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="start every bot whose token is set")
    run.set_defaults(command=_run)
    transcribe = commands.add_parser("transcribe", help="print the transcript of an audio file")
    transcribe.add_argument("file", type=Path)
    transcribe.set_defaults(command=_transcribe)
    say = commands.add_parser("say", help="speak TEXT into an OGG/Opus voice note")
    say.add_argument("text")
    say.add_argument("-o", "--output", type=Path, default=Path("voice.ogg"))
    say.set_defaults(command=_say)
    ask = commands.add_parser("ask", help="answer a question about an audio file")
    ask.add_argument("file", type=Path)
    ask.add_argument("question")
    ask.set_defaults(command=_ask)
    db = commands.add_parser("db", help="database schema and retention")
    db.add_argument(
        "action",
        choices=["upgrade", "current", "purge"],
        help="apply migrations, show the revision, or delete expired data now",
    )
    db.set_defaults(command=_db)
    return parser


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # What is loaded by now lives as long as the process: keep the collector from walking it
    # again and again (bench/load.py saw full collections stall the event loop 80-190 ms).
    gc.collect()
    gc.freeze()
    await run_bots(settings, stop)
    return 0


async def _transcribe(settings: Settings, args: argparse.Namespace) -> int:
    source = _existing(args.file)
    async with _runtime(settings) as runtime:
        transcript = await runtime.service.transcribe(LOCAL, source)
    print(transcript.text or text("transcript.empty", DEFAULT_LOCALE))
    return 0


async def _say(settings: Settings, args: argparse.Namespace) -> int:
    async with _runtime(settings) as runtime:
        note = await runtime.service.say(LOCAL, args.text)
    args.output.write_bytes(note.data)
    print(f"{args.output} ({note.duration:.1f} s)")
    return 0


async def _ask(settings: Settings, args: argparse.Namespace) -> int:
    source = _existing(args.file)
    async with _runtime(settings) as runtime:
        answer = await runtime.service.ask(LOCAL, source, args.question)
    print(answer.text)
    return 0


async def _db(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "purge":
        return await _purge(settings)
    if args.action == "upgrade":
        await upgrade(settings.database_url)
    print(await current_revision(settings.database_url) or "empty")
    return 0


async def _purge(settings: Settings) -> int:
    """Run every retention job once, as `voicebridge run` does each hour: for cron, or by hand.

    No migration: a purge from a host with an older release must not touch the schema."""
    async with storage(settings, migrate=False) as store:
        for job in store.retention:
            print(f"{job.name}: {await job.run()} ({job.horizon})")
    return 0


def _runtime(settings: Settings) -> contextlib.AbstractAsyncContextManager[Runtime]:
    settings.require_mimo_key()
    return bootstrap(settings)


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise errors.ConfigError(f"{path} is not a file")
    return path


def _one_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "a setting"
        return f"{name} is invalid: {first['msg']}"
    return str(exc)


if __name__ == "__main__":
    raise SystemExit(main())
