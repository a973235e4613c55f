"""Benchmarks 2 and 4's worker: the bot's own service, built by `core.bootstrap` exactly as the
bot builds it (SQLite storage, the real MimoClient, core.infra.audio), with the Telegram adapter's
modules loaded, transcribes one recording against MiMo's stand-in. Prints a JSON line.

    python -m bench.long_audio NOTE BASE_URL API_KEY IN_FLIGHT

IN_FLIGHT is the chat's request limit (ASR_CONCURRENCY): 8 for the parallel run, 1 for one
piece at a time. Times are taken from the call, the way a chat sees them once the recording is
downloaded: the first text is the first progress report that carries a piece's text. How soon
those words reach a chat's screen is benchmark 19's (bench/long_audio_words.py).
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import bots.telegram.application.update_filters  # noqa: F401  # the bot process holds the Telegram adapter too
from core.bootstrap import bootstrap
from core.config import Settings
from core.domain.recordings.transcript_values import Progress
from core.domain.shared_values import ChatRef, Preferences
from core.infra.mimo import MimoClient


class InFlight:
    """Counts the speech requests running at once, around the real client's method."""

    def __init__(self) -> None:
        self.now = self.most = 0

    def wrap(self) -> None:
        real = MimoClient.transcribe

        async def counted(client: MimoClient, *args: object, **kwargs: object) -> object:
            self.now += 1
            self.most = max(self.most, self.now)
            try:
                return await real(client, *args, **kwargs)  # type: ignore[arg-type]
            finally:
                self.now -= 1

        MimoClient.transcribe = counted  # type: ignore[assignment,method-assign]


async def run(note: Path, base_url: str, api_key: str, in_flight: int) -> dict[str, object]:
    counter = InFlight()
    counter.wrap()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None,
            mimo_api_key=api_key,
            mimo_base_url=base_url,
            database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
            asr_concurrency=in_flight,
            max_audio_seconds=4 * 3600,  # a "60 minute" file is 3600.0x s long
        )
        async with bootstrap(settings) as runtime:
            reports: list[tuple[float, Progress]] = []
            started = time.monotonic()

            def progress(report: Progress) -> None:
                reports.append((time.monotonic() - started, report))

            result = await runtime.transcription.transcribe_recording(
                ChatRef("telegram", "1"), note, prefs=Preferences(), progress=progress
            )
            wall = time.monotonic() - started
    texts = [(at, r.part) for at, r in reports if r.part is not None and r.part.text]
    first_in_order = next(at for at, part in texts if part is not None and part.start == 0)
    return {
        "seconds": wall,
        "first_text": texts[0][0],
        "first_text_from_the_start": first_in_order,
        "pieces": len(result.parts),
        "missing": len(result.missing),
        "most_in_flight": counter.most,
        "progress_reports": len(reports),
        "transcript_chars": len(result.text),
        "worker_max_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


if __name__ == "__main__":
    note, base_url, api_key, in_flight = sys.argv[1:5]
    print(json.dumps(asyncio.run(run(Path(note), base_url, api_key, int(in_flight)))))
