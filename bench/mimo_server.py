"""MiMo's stand-in (tests/standins/mimo.py) on a loopback port, in a process of its own so that
its work does not run in the measured bot's process.

    python -m bench.mimo_server DELAY [--recognise] [--published]

It holds the raised minute of the account the benchmarks measure the bot on
(bench/account.py); with --published, MiMo's published minute. With --recognise, its ASR
answers with the words a real recogniser hears (bench/recogniser.py) instead of the seconds it
measured. Prints one JSON line with `base_url` and `api_key`, then serves until its stdin
closes. Every request waits DELAY seconds before it is answered, as a busy speech service
would make it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from bench import recogniser
from bench.account import raised
from tests.standins.mimo import FakeMimo


async def serve(delay: float, *, recognise: bool, published: bool = False) -> None:
    kwargs = {"asr_text": recogniser.recognise} if recognise else {}
    mimo = FakeMimo(delay=delay, **kwargs)
    async with mimo if published else raised(mimo):
        print(json.dumps({"base_url": mimo.base_url, "api_key": mimo.api_key}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


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
    return said


if __name__ == "__main__":
    args = parser().parse_args()
    asyncio.run(serve(args.delay, recognise=args.recognise, published=args.published))
