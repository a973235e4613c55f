"""voicebridge's benchmarks: `.venv/bin/python -m bench` runs them all, one after the other
(over an hour on a 2-core machine), and writes bench/RESULTS.md; tests never assert timings.
CI runs each in its quick form (`python -m bench --quick`: the same code at small sizes, its
report written to a temporary folder), so that a benchmark that no longer runs makes CI fail.

    bench/__main__.py     the run: inputs, each benchmark, the report
    bench/inputs.py       1, 10 and 60 minute OGG/Opus voice notes (cached in bench/out/)
    bench/procs.py        a child process run to completion while its whole tree's memory is polled
    bench/convert.py      benchmark 1's worker: one conversion by one method
    bench/long_audio.py   benchmarks 2 and 4's worker: the bot's service against MiMo's stand-in
    bench/burst.py        benchmark 3's machinery: the bot in a process of its own, watched
    bench/load.py         benchmark 3: 100 voice notes at once through the Telegram adapter
    bench/load_discord.py benchmark 3: 100 voice messages at once through the Discord adapter
    bench/load_worker.py  benchmark 3's bot: `voicebridge run` with an event-loop lateness sampler
    bench/load_report.py  benchmark 3's section of bench/RESULTS.md
    bench/builds.py       benchmark 8: which ffmpeg, by its start-up, a voice note, what it can do
    bench/mimo_server.py  MiMo's stand-in (tests/standins/mimo.py) in a process of its own
    bench/account.py      the MiMo account the bot is measured on: its minute raised
    bench/paced.py        MiMo at a pace: speech made at four times real time, in slices or whole
    bench/say_voice.py    benchmark 17: /say in a voice channel, to its first sound
    bench/reader_gap.py   benchmark 18: a channel read aloud, the silence between two messages
    bench/long_audio_words.py  benchmark 19: a long note's words on screen as they are heard
    bench/minute.py       benchmark 20: the account's minute, MiMo's limits paced (its replicas
                          bench/minute_client.py, its figures bench/minute_figures.py, its
                          section bench/minute_report.py)
    bench/walks.py        benchmark 21: the files a voice note and an imported message pass
    bench/report.py       bench/RESULTS.md
    bench/quick.py        the quick form: every benchmark at small sizes, in a temporary folder

The ffmpeg every benchmark runs is the one `FFMPEG_BINARY` in the environment names, as for the
bot, or the imageio-ffmpeg wheel's static build.
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from core.infra.audio.ffmpeg_binary import choose_ffmpeg

FFMPEG = choose_ffmpeg(os.environ.get("FFMPEG_BINARY"))
# The temporary folder of a quick run (`python -m bench --quick` sets it for the run and every
# process it starts): its RESULTS.md and out/ stand in for bench/'s, which it never writes.
QUICK = os.environ.get("BENCH_QUICK", "")
OUT = Path(QUICK) / "out" if QUICK else Path(__file__).parent / "out"
RESULTS = Path(QUICK) / "RESULTS.md" if QUICK else Path(__file__).parent / "RESULTS.md"

T = TypeVar("T")


def sized(full: T, quick: T) -> T:
    """`full` in a benchmark's run, `quick` in its quick form: fewer notes, members, rounds or
    lines, a shorter call or recording, through the same code."""
    return quick if QUICK else full


def ffmpeg_exe() -> str:
    """The ffmpeg the benchmarks run (`FFMPEG`)."""
    return FFMPEG


@contextmanager
def mimo_stand_in(delay: float, *flags: str) -> Iterator[tuple[str, str]]:
    """MiMo's stand-in in a process of its own (bench/mimo_server.py), answering each request
    after `delay` seconds, with `flags`: its base URL and API key, until the block ends."""
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.mimo_server", str(delay), *flags],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        found = json.loads(server.stdout.readline())
        yield found["base_url"], found["api_key"]
    finally:
        server.stdin.close()
        server.wait(timeout=30)
