"""MiMo's stand-in (tests/standins/mimo.py) on a loopback port, in a process of its own so that
its work does not run in the measured bot's process.

    python -m bench.mimo_server DELAY [--recognise] [--published [--minute SECONDS]
                                [--unenforced] [--report]]

It holds the raised minute of the account the benchmarks measure the bot on
(bench/account.py); with --published, MiMo's published minute. With --recognise, its ASR
answers with the words a real recogniser hears (bench/recogniser.py) instead of the seconds it
measured. Prints one JSON line with `base_url` and `api_key`, then serves until its stdin
closes. Every request waits DELAY seconds before it is answered, as a busy speech service
would make it.

For benchmark 20 (the account's minute, bench/minute.py): with --minute, the minute is SECONDS
long, its requests and tokens unchanged, a shortened minute whose ratios are kept; with
--unenforced, every request is let through and still counted (what a client that does not pace
would have met). With --report, once its stdin closes, a second JSON line says what the minute
saw: its 429s, the requests over it let through, every request counted (model, the time it came
on the machine's monotonic clock, its tokens), and for each request whose `x-bench-given` header
says when its client gave it its use of the minute (bench/minute_client.py), that time and the
time MiMo counted it (None: it was refused).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from aiohttp import web

from bench import recogniser
from bench.account import raised
from tests.standins.mimo import FakeMimo

GIVEN = "x-bench-given"


class TimedMimo(FakeMimo):
    """The stand-in, noting for each request its client's use given and when it was counted."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ways: list[tuple[float, float | None]] = []

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        answer = await super()._handle(request)
        if GIVEN in request.headers:
            counted = self._counting.get()  # set by this request's own handling, or not
            self.ways.append((float(request.headers[GIVEN]), counted.at if counted else None))
        return answer


async def serve(
    delay: float,
    *,
    recognise: bool,
    published: bool = False,
    minute: float | None = None,
    enforced: bool = True,
    report: bool = False,
) -> None:
    kwargs = {"asr_text": recogniser.recognise} if recognise else {}
    mimo = TimedMimo(delay=delay, **kwargs)
    if minute is not None:
        mimo.minute.seconds = minute
    mimo.minute.enforced = enforced
    async with mimo if published else raised(mimo):
        print(json.dumps({"base_url": mimo.base_url, "api_key": mimo.api_key}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        if not report:
            return
        seen = mimo.minute
        counted = [[c.model, c.at, c.tokens] for c in seen.counted]
        said = {"refused": seen.refused, "would_refuse": seen.would_refuse,
                "requests": len(mimo.requests), "counted": counted, "ways": mimo.ways}  # fmt: skip
        print(json.dumps(said), flush=True)


def parser() -> argparse.ArgumentParser:
    """The command line of the module docstring: `--help` says it, a mistake is one line."""
    said = argparse.ArgumentParser(
        prog="python -m bench.mimo_server",
        description=(__doc__ or "").split("\n\n")[0].replace("\n", " "),
    )
    said.add_argument(
        "delay", metavar="DELAY", type=float, help="seconds each request waits for its answer"
    )
    said.add_argument(
        "--recognise", action="store_true", help="answer speech with the words a recogniser hears"
    )
    said.add_argument(
        "--published", action="store_true", help="hold MiMo's published minute, not the raised one"
    )
    said.add_argument("--minute", type=float, help="a shorter minute, in seconds, its ratios kept")
    said.add_argument(
        "--unenforced", action="store_true", help="let every request through, counting the 429s"
    )
    said.add_argument(
        "--report", action="store_true", help="print what the minute counted once stdin closes"
    )
    return said


if __name__ == "__main__":
    args = parser().parse_args()
    asyncio.run(
        serve(args.delay, recognise=args.recognise, published=args.published,
              minute=args.minute, enforced=not args.unenforced, report=args.report)
    )  # fmt: skip
