"""Recordings downloaded from the platforms' file servers: streamed to disk, cut off past the
limit, and failures that never quote the URL (Telegram's carries the bot token). The far end is
httpx's transport; the whole bots download through the stand-ins in tests/integration."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from core.infra.recording_downloads import CHUNK_BYTES, DownloadFailed, HttpDownloads

URL = "https://api.telegram.org/file/bot123456:SECRET-token/voice/file_1.oga"


async def body(size: int) -> AsyncIterator[bytes]:
    """`size` bytes, sent in pieces as a server streams them."""
    for start in range(0, size, 100_000):
        yield bytes(min(100_000, size - start))


def downloads(handler: httpx.MockTransport) -> HttpDownloads:
    return HttpDownloads(httpx.AsyncClient(transport=handler))


async def test_the_file_arrives_whole(tmp_path: Path) -> None:
    served = bytes(range(256)) * 4000
    fetch = downloads(httpx.MockTransport(lambda request: httpx.Response(200, content=served)))

    await fetch.download(URL, tmp_path / "note", max_bytes=len(served))

    assert (tmp_path / "note").read_bytes() == served


async def test_a_downloaded_file_lasts_as_long_as_its_block_and_leaves_nothing() -> None:
    served = b"OggS" + bytes(5000)
    fetch = downloads(httpx.MockTransport(lambda request: httpx.Response(200, content=served)))

    async with fetch.downloaded(URL, max_bytes=len(served)) as path:
        assert path.read_bytes() == served
    with pytest.raises(DownloadFailed):
        async with downloads(httpx.MockTransport(lambda r: httpx.Response(404))).downloaded(
            URL, max_bytes=99
        ) as gone:
            raise AssertionError(f"a failed download gave {gone}")

    assert not path.parent.exists()


async def test_a_body_longer_than_the_limit_is_cut_off_just_past_it(tmp_path: Path) -> None:
    big = httpx.MockTransport(lambda request: httpx.Response(200, content=body(10_000_000)))

    await downloads(big).download(URL, tmp_path / "note", max_bytes=1_000_000)

    size = (tmp_path / "note").stat().st_size
    assert 1_000_000 < size <= 1_000_000 + CHUNK_BYTES


@pytest.mark.parametrize(
    "answer",
    [
        lambda request: httpx.Response(404, text=f"no such file: {request.url}"),
        lambda request: (_ for _ in ()).throw(httpx.ConnectError(f"cannot reach {request.url}")),
    ],
    ids=["gone", "unreachable"],
)
async def test_a_failed_download_says_why_without_the_url(
    answer: Callable[[httpx.Request], httpx.Response], tmp_path: Path
) -> None:
    with pytest.raises(DownloadFailed) as failed:
        await downloads(httpx.MockTransport(answer)).download(URL, tmp_path / "n", max_bytes=99)

    assert "SECRET" not in str(failed.value) and failed.value.__cause__ is None
