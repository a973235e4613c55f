"""Benchmark 6's worker: the bot's service, built by `core.bootstrap` as the bot builds it,
transcribes one recording against MiMo's stand-in with COMPACT_PAUSES on or off, and prints a
JSON line: the time, the seconds MiMo billed (`usage.seconds`), the transcript's words and the
parts' timings (what the .srt export is made of).

    python -m bench.pauses RECORDING BASE_URL API_KEY on|off
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from core.bootstrap import bootstrap
from core.chat.transcript_files import to_srt
from core.config import Settings
from core.domain.shared_values import ChatRef, Preferences


async def run(recording: Path, base_url: str, api_key: str, compact: bool) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None,
            mimo_api_key=api_key,
            mimo_base_url=base_url,
            database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
            max_audio_seconds=4 * 3600,
            compact_pauses=compact,
        )
        async with bootstrap(settings) as runtime:
            started = time.monotonic()
            result = await runtime.transcription.transcribe_recording(
                ChatRef("telegram", "1"), recording, prefs=Preferences()
            )
            wall = time.monotonic() - started
    return {
        "seconds": wall,
        "duration": result.duration,
        "billed": result.usage.audio_seconds,
        "text": result.text,
        "parts": [(part.start, part.end) for part in result.parts],
        "srt": to_srt(result.parts),
    }


if __name__ == "__main__":
    recording, base_url, api_key, compact = sys.argv[1:5]
    print(json.dumps(asyncio.run(run(Path(recording), base_url, api_key, compact == "on"))))
