"""Where a local Bot API server's files are read from: only from this machine's disk, at the
path the server named, and never from the working directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from bots.telegram.recordings.media_files import readable_local_file
from core.domain.errors import ConfigError

TOKEN = "123456:SECRET-token"


async def test_a_file_on_this_disk_is_read_in_place(tmp_path: Path) -> None:
    note = tmp_path / TOKEN / "voice" / "file_1.oga"
    note.parent.mkdir(parents=True)
    note.write_bytes(b"OggS")
    assert await readable_local_file(str(note)) == note


async def test_a_relative_path_is_never_looked_for_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "voice").mkdir()
    (tmp_path / "voice" / "file_1.oga").write_bytes(b"OggS")  # a stray file that must not count
    with pytest.raises(ConfigError, match="TELEGRAM_LOCAL_MODE is on"):
        await readable_local_file("voice/file_1.oga")


async def test_a_path_on_another_disk_is_named_without_the_token() -> None:
    url = f"https://api.telegram.org/file/bot{TOKEN}//var/lib/bot-api/{TOKEN}/voice/file_2.oga"
    with pytest.raises(ConfigError) as refused:
        await readable_local_file(url)
    assert "…/voice/file_2.oga" in str(refused.value)
    assert TOKEN not in str(refused.value)
