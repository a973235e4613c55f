"""The command line reads nothing but the recordings it is given: `voicebridge import telegram`
of an export holding playlists and lists (HLS naming `file:/abs/...` or `../..`, a concat list
through a link) imports nothing from outside the export and says which file it refused, and
what the export names outside its folder is refused as outside; `voicebridge transcribe` of a
playlist refuses it. The real command against MiMo's stand-in, recordings made by ffmpeg."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.audio_factory import make_audio
from tests.integration.cli.process import env, voicebridge
from tests.playlists import SECRET, concat_list, hls_playlist, private_recording
from tests.standins.mimo import FakeMimo

UNREADABLE = "The file cannot be read as audio: is it damaged, or in a format ffmpeg does not read?"


def _recording(number: int, file: str, media: str = "audio_file") -> dict[str, Any]:
    sent = datetime.now(UTC) - timedelta(days=1)
    return {
        "id": number, "type": "message", "date": sent.replace(tzinfo=None).isoformat(),
        "date_unixtime": str(int(sent.timestamp())), "from": "Bob", "from_id": "user22",
        "text": "", "file": file, "media_type": media, "duration_seconds": 3,
    }  # fmt: skip


async def test_an_export_holding_playlists_imports_nothing_from_outside_it(
    cwd: Path, mimo: FakeMimo, tmp_path: Path
) -> None:
    private = private_recording(tmp_path / "private")  # Ann's, beside the export: never read
    folder = cwd / "ChatExport_2026-11-26"
    files = folder / "files"
    hls_playlist(files / "song.m3u8", f"file:{private}")
    hls_playlist(files / "near.m3u8", "../../../private/private.ogg")
    (files / "link.ogg").symlink_to(private)
    concat_list(files / "mix.ogg", "link.ogg")  # a list read by its content, through the link
    (folder / "voice_messages").mkdir()
    shutil.copy(make_audio(tmp_path, fmt="ogg", seconds=3), folder / "voice_messages/a.ogg")
    messages = [
        _recording(1, "voice_messages/a.ogg", "voice_message"),
        _recording(2, "files/song.m3u8"),
        _recording(3, "files/near.m3u8"),
        _recording(4, "files/mix.ogg", "voice_message"),
        _recording(5, "files/link.ogg"),
        _recording(6, "../../private/private.ogg"),
    ]
    export = {"name": "Flat 4B", "type": "private_supergroup", "id": 1555, "messages": messages}
    (folder / "result.json").write_text(json.dumps(export))
    database = cwd / "voicebridge.db"
    settings = env(mimo, DATABASE_URL=f"sqlite+aiosqlite:///{database}")

    done = await voicebridge("import", "telegram", str(folder), "--yes", cwd=cwd, env=settings)
    found = await voicebridge("find", "telegram:-1001555", "safe", cwd=cwd, env=settings)

    assert (
        "Files the export names outside its folder, not read: files/link.ogg, "
        "../../private/private.ogg." in done.text.splitlines()
    )
    assert sorted(done.err.splitlines()) == [  # heard side by side: in any order
        f"voicebridge: files/mix.ogg: {UNREADABLE}",
        f"voicebridge: files/near.m3u8: {UNREADABLE}",
        f"voicebridge: files/song.m3u8: {UNREADABLE}",
    ]
    assert done.code == 4
    assert len(mimo.calls("mimo-v2.5-asr")) == 1  # voice_messages/a.ogg alone
    assert SECRET not in found.text
    assert found.text.startswith("Nothing"), found.text


@pytest.mark.parametrize(
    "command",
    [("transcribe",), ("ask", "What is the code?"), ("summarise",)],
    ids=["transcribe", "ask", "summarise"],
)
async def test_a_playlist_on_the_command_line_is_refused(
    mimo: FakeMimo, cwd: Path, recordings: Path, command: tuple[str, ...]
) -> None:
    private = private_recording(recordings / "private")
    playlist = hls_playlist(recordings / "playlist.m3u8", f"file:{private}")
    name, *question = command

    done = await voicebridge(name, str(playlist), *question, cwd=cwd, env=env(mimo))

    assert done.code == 4
    assert done.err.splitlines()[-1].endswith(UNREADABLE), done.err
    assert done.text == ""
    assert mimo.requests == []  # nothing of the file it names reached MiMo
