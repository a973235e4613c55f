"""Large blocks freed by worker threads go back to the system (`core.infra.malloc_tuning`): what a
transcript's WAV pieces, read in threads, would otherwise leave behind in every thread's heap."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# Six threads read a 1.9 MB piece twenty times each, as the pieces of an hour are read, and the
# process's resident memory is compared before and after (in kB).
_READER = textwrap.dedent("""
    import sys
    from concurrent.futures import ThreadPoolExecutor

    if sys.argv[2] == "on":
        from core.infra.malloc_tuning import return_large_blocks
        assert return_large_blocks()

    def resident():
        with open("/proc/self/status") as status:
            return int(next(l for l in status if l.startswith("VmRSS")).split()[1])

    def read(_):
        with open(sys.argv[1], "rb") as piece:
            return len(piece.read())

    before = resident()
    with ThreadPoolExecutor(6) as pool:
        for _ in range(20):
            list(pool.map(read, range(6)))
    print(resident() - before)
""")


def _growth(piece: Path, setting: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _READER, str(piece), setting],
        capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2],
    )  # fmt: skip
    return int(done.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc, read from /proc")
def test_pieces_read_in_threads_leave_no_memory_behind(tmp_path: Path) -> None:
    piece = tmp_path / "piece.wav"
    piece.write_bytes(bytes(range(256)) * 7500)  # 1.9 MB, a minute of 16 kHz WAV

    assert _growth(piece, "off") > 5_000  # glibc's own way: each thread's heap keeps pieces
    assert _growth(piece, "on") < 2_000
