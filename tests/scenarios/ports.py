"""Loopback ports nothing listens on, for a server a test or a benchmark starts later."""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
from collections.abc import Iterator


def free_ports(count: int = 1) -> list[int]:
    """`count` different loopback ports nothing listens on, for a server the test starts later.

    Taken from a block of this test worker's own below the ephemeral range (32768 and up on
    Linux), where the OS hands out ports to every `bind(0)` and outgoing connection: a port
    chosen here cannot be given to a stand-in or a client meanwhile, nor to another worker."""
    found: list[int] = []
    while len(found) < count:
        port = next(_PORTS)
        with contextlib.closing(socket.socket()) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use: a test's server still there, or something of the machine's
        found.append(port)
    return found


def _worker_ports() -> Iterator[int]:
    """This worker's block of 500 ports. TEST_PORT_BASE (20000 unless set) moves every block, so
    that two runs of the suite on one machine (two checkouts, say) use ports of their own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    base = int(os.environ.get("TEST_PORT_BASE", "20000"))
    first = base + 500 * (int(worker) if worker.isdigit() else 0) % 12_000
    return itertools.cycle(range(first, first + 500))


_PORTS = _worker_ports()


def free_listens(count: int = 1) -> list[str]:
    """`free_ports` as `host:port`, what OPS_LISTEN and TELEGRAM_WEBHOOK_LISTEN take."""
    return [f"127.0.0.1:{port}" for port in free_ports(count)]
