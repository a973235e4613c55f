"""Files that would make ffmpeg open other files: an HLS playlist and a concat list, each
naming other recordings as a user may name them (`file:/abs/path`, or a path relative to the
list, as the Bot API server's neighbouring files are), with what those recordings say.

A list read as a list sends ffmpeg to its entries: their speech would reach MiMo as the list's.
The tests that use these say what a user notices: the list is refused as not a recording, and
nothing its entries say is heard, kept or found.
"""

from __future__ import annotations

from pathlib import Path

from tests.audio_factory import make_reading

SECRET = "The safe's code is 4-8-1-5."  # what the recording a list names says


def private_recording(folder: Path, *, name: str = "private.ogg") -> Path:
    """A voice note saying `SECRET` (Opus in Ogg), at `folder / name`."""
    folder.mkdir(parents=True, exist_ok=True)
    return make_reading(folder, SECRET).rename(folder / name)


def hls_playlist(path: Path, *entries: str) -> Path:
    """A valid HLS playlist at `path` whose segments are `entries` (as written: `file:/abs`,
    `../music/file_1.mp3`...)."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:30", "#EXT-X-MEDIA-SEQUENCE:0"]
    for entry in entries:
        lines += ["#EXTINF:10.0,", entry]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([*lines, "#EXT-X-ENDLIST", ""]))
    return path


def concat_list(path: Path, *entries: str) -> Path:
    """An ffconcat list at `path` naming `entries` (as written), read by its content whatever
    its name."""
    lines = ["ffconcat version 1.0", *(f"file '{entry}'" for entry in entries)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([*lines, ""]))
    return path
