"""The defaults worked out from the machine rather than written down: where voicebridge keeps
its data (`data_folder`), the database it opens there (`default_database_url`), and the name an
instance claims its work under (`host_name`)."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

__all__ = ["data_folder", "default_database_url", "host_name"]

DATABASE_FILE = "voicebridge.db"


def data_folder() -> Path:
    """Where voicebridge keeps its data unless told otherwise, the same from any current folder:
    `$XDG_DATA_HOME/voicebridge` (`~/.local/share/voicebridge`) on Linux and the BSDs,
    `~/Library/Application Support/voicebridge` on macOS, `%LOCALAPPDATA%\\voicebridge` on
    Windows."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return base / "voicebridge"


def default_database_url() -> str:
    """SQLite in `data_folder()`; or `./voicebridge.db` where there is one, the default of
    releases before 0.2 (so nobody's data is left behind when upgrading). A file there that is
    no SQLite database is none: `sqlite3 voicebridge.db ...` run in the wrong folder leaves an
    empty one, which no release ever wrote."""
    earlier = Path(DATABASE_FILE)
    path = earlier.resolve() if _is_sqlite(earlier) else data_folder() / DATABASE_FILE
    return f"sqlite+aiosqlite:///{path}"


def _is_sqlite(path: Path) -> bool:
    """Whether `path` is an SQLite database file: it starts with SQLite's header."""
    try:
        with path.open("rb") as file:
            return file.read(16) == b"SQLite format 3\0"
    except OSError:
        return False


def host_name() -> str:
    return socket.gethostname()[:128] or "voicebridge"
