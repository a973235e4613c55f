"""Benchmark 5: peak memory of one 50 MB download and of one /ask carrying the most audio MiMo
takes (50 MB of base64), the way the bot did it before and does it now.

    before  download: python-telegram-bot's `File.download_to_drive` (discord.py's
            `Attachment.read` is the same: the whole body in memory, then written out)
            ask: the file read whole, then one JSON body built around its base64, as
            `understand_audio` did
    after   download: `core.infra.recording_downloads.HttpDownloads`, streamed to disk in chunks
            ask: `MimoClient.understand_audio`, the file's base64 streamed into the request

Each runs in a process of its own (bench/procs.py polls its memory); the file server (Python's
http.server) and MiMo's stand-in run in processes of their own, so their memory is not counted.
The worker also reports its own peak just before the work (VmHWM, with everything imported and
its clients made), so the growth is what the work itself took.

    python -m bench.memory download|ask before|after FILE URL [API_KEY]
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from telegram import Bot, File

from bench import sized
from bench.procs import run_worker
from bench.sections import loads, replace_section
from core.infra.mimo import MIMO_AUDIO_CAPS, MimoClient
from core.infra.recording_downloads import HttpDownloads

MB = 1024 * 1024
DOWNLOAD_BYTES = sized(50 * MB, 2 * MB)  # MAX_AUDIO_MB's default
# the largest recording MiMo takes as base64
ASK_BYTES = sized(MIMO_AUDIO_CAPS.understanding // 4 * 3 - 3, 2 * MB)
HEADING = "## 5. Peak memory of a 50 MB download and a 50 MB /ask"


# --- the worker ----------------------------------------------------------------------------


async def download(how: str, url: str, out: Path) -> None:
    if how == "after":
        async with httpx.AsyncClient() as http:
            await HttpDownloads(http).download(url, out, max_bytes=DOWNLOAD_BYTES)
        return
    bot = Bot("123456:bench-token-not-used-for-files")
    await bot.request.initialize()
    telegram_file = File(file_id="bench", file_unique_id="bench", file_path=url)
    telegram_file.set_bot(bot)
    await telegram_file.download_to_drive(out)
    await bot.request.shutdown()


async def ask(how: str, path: Path, base_url: str, api_key: str) -> None:
    async with httpx.AsyncClient() as http:
        client = MimoClient(http=http, api_key=api_key, base_url=base_url)
        if how == "after":
            await client.understand_audio(path, mime="audio/mpeg", question="What is it?")
            return
        # What `understand_audio` did before: the bytes, their base64 in a data URL, one body.
        data = await asyncio.to_thread(path.read_bytes)
        encoded = base64.b64encode(data).decode("ascii")
        part = {"type": "input_audio", "input_audio": {"data": f"data:audio/mpeg;base64,{encoded}"}}
        content = [part, {"type": "text", "text": "What is it?"}]
        body = {"model": client.models.audio, "messages": [{"role": "user", "content": content}]}
        await client._wire.post(body)


def work(kind: str, how: str, file: Path, url: str, api_key: str) -> dict[str, Any]:
    before = peak_rss()
    if kind == "download":
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(download(how, url, Path(tmp) / "recording"))
    else:
        asyncio.run(ask(how, file, url, api_key))
    return {"kind": kind, "how": how, "peak_before": before, "peak_after": peak_rss()}


def peak_rss() -> int:
    """This process's peak RSS so far (VmHWM: unlike getrusage's, it starts afresh at exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


# --- the benchmark -------------------------------------------------------------------------


def measure(folder: Path, mimo: tuple[str, str]) -> dict[str, dict[str, Any]]:
    """Every case once, the file server and MiMo's stand-in in processes of their own."""
    recording = folder / "recording.bin"
    question = folder / "question.mp3"
    for path, size in ((recording, DOWNLOAD_BYTES), (question, ASK_BYTES)):
        with path.open("wb") as file:
            file.write(bytes(range(256)) * (size // 256) + bytes(size % 256))
    found: dict[str, dict[str, Any]] = {}
    with file_server(folder) as root:
        for how in ("before", "after"):
            measured = run_worker(
                "bench.memory", "download", how, str(recording), f"{root}/recording.bin"
            )
            found[f"download {how}"] = measured.report
    for how in ("before", "after"):
        measured = run_worker("bench.memory", "ask", how, str(question), *mimo)
        found[f"ask {how}"] = measured.report
    for name, result in found.items():
        print(f"  {name}: peak {result['peak_after'] / MB:.0f} MB", flush=True)
    return found


@contextmanager
def file_server(folder: Path) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    server = subprocess.Popen(
        command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(100):
            with socket.socket() as attempt:
                if attempt.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def section(found: dict[str, dict[str, Any]]) -> str:
    machine = found.get("machine", {})
    when = f"Measured {machine['date']}, " if "date" in machine else ""
    load = loads(machine.get("load_before"), machine.get("load_after"))
    runs = [found[f"{kind} {how}"] for kind in ("download", "ask") for how in ("before", "after")]
    baseline = min(r["peak_before"] for r in runs)
    rows = []
    for kind, what in (("download", "a 50 MB download"), ("ask", "a /ask of 37.5 MB of audio")):
        for how in ("before", "after"):
            r = found[f"{kind} {how}"]
            growth = r["peak_after"] - r["peak_before"]
            rows.append(f"| {what}, {how} | {r['peak_after'] / MB:.0f} MB | {growth / MB:.0f} MB |")
    table = "\n".join(rows)
    return f"""{HEADING}

Each in a process of its own (`python -m bench --only memory`, bench/memory.py), against a file
server and MiMo's stand-in in other processes. "Before" is what the bot did until now: the
download held whole in memory (python-telegram-bot's `File.download_to_drive`, as discord.py's
`Attachment.read`), the question's file read whole and built into one JSON body. "After" is
what it does now: the download streamed to disk in 512 kB chunks, the question's base64 streamed
into the request in 768 kB chunks, both written and read in worker threads. The peak is the
process's own high-water mark (VmHWM, exact where polling can miss a short peak); the growth is
that peak less the one just before the work (everything imported, clients made: at least
{baseline / MB:.0f} MB).
{when}{load}.

| | peak RSS of the process | growth during the work |
|---|---|---|
{table}
"""


def with_section(results: str, text: str) -> str:
    """RESULTS.md with section 5 replaced by `text`."""
    return replace_section(results, HEADING, text)


if __name__ == "__main__":
    kind, how, file, url, *key = sys.argv[1:]
    print(json.dumps(work(kind, how, Path(file), url, key[0] if key else "")), flush=True)
