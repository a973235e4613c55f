"""A proxy that inspects TLS, as a company's does, for .ci/image's build: pip in the build
reaches PyPI through it and trusts what it shows only with the certificate authority the build
is given as its secret pip_ca, so a build that installs anything proves the secret reached pip.

    python .ci/tls_proxy.py CA_FILE

It makes a certificate authority of its own (trustme, as the tests' TLS stand-ins do), writes
its certificate to CA_FILE, listens on a free loopback port and prints `HTTPS_PROXY=URL`. Each
CONNECT is answered with a certificate for the host asked, signed by that authority; what the
client sends is relayed to the host over a TLS connection of the proxy's own, verified with this
machine's authorities (and PIP_CERT's, for a machine that is itself behind such a proxy), through
the HTTPS_PROXY of its environment where there is one. It prints `relayed HOST` for each
connection it opened, and ends when its standard input closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
import sys
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import trustme

AUTHORITY = trustme.CA(organization_name="voicebridge CI: a proxy that inspects TLS")


@cache
def shown_as(host: str) -> ssl.SSLContext:
    """What the proxy shows a client that asked for `host`: a certificate of its own for it."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    AUTHORITY.issue_cert(host).configure_cert(context)
    return context


def verifying() -> ssl.SSLContext:
    """How the proxy checks the real host: this machine's authorities, and PIP_CERT's."""
    context = ssl.create_default_context()
    if os.environ.get("PIP_CERT"):
        context.load_verify_locations(os.environ["PIP_CERT"])
    return context


UPSTREAM = verifying()
PARENT = urlsplit(os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy") or "")


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        request = await reader.readuntil(b"\r\n\r\n")
        method, target = request.split(b" ", 2)[:2]
        host, _, port = target.decode("ascii").rpartition(":")
        if method != b"CONNECT" or not host:
            writer.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        far_reader, far_writer = await reach(host, int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await writer.start_tls(shown_as(host))
        print(f"relayed {host}", flush=True)
        await asyncio.gather(relay(reader, far_writer), relay(far_reader, writer))
    except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass  # the client sees its connection end; pip says why in the build's output
    finally:
        writer.close()


async def reach(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A TLS connection to `host`, verified, through this machine's own proxy where it has one."""
    if not PARENT.hostname:
        return await asyncio.open_connection(host, port, ssl=UPSTREAM, server_hostname=host)
    reader, writer = await asyncio.open_connection(PARENT.hostname, PARENT.port or 80)
    writer.write(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
    answer = await reader.readuntil(b"\r\n\r\n")
    if answer.split(b" ", 2)[1] != b"200":
        raise OSError(f"the machine's proxy answered {answer.splitlines()[0]!r}")
    await writer.start_tls(UPSTREAM, server_hostname=host)
    return reader, writer


async def relay(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    """What one side sends, to the other, until it closes; then the other is closed too."""
    try:
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
    finally:
        with contextlib.suppress(OSError, RuntimeError):
            sink.close()


async def main(ca_file: Path) -> None:
    AUTHORITY.cert_pem.write_to_path(str(ca_file))
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"HTTPS_PROXY=http://127.0.0.1:{port}", flush=True)
    async with server:
        await asyncio.to_thread(sys.stdin.read)  # until .ci/image is done with it


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
