"""The bot's own HTTP servers: Telegram's webhook and the operations endpoint (`bots.ops`).

aiohttp (already discord.py's HTTP library) serves them; one listen address may carry the
routes of both, so a single port can take the webhook and /healthz and /metrics together.
aiohttp is imported by the process that serves (`voicebridge run` loads it before its event
loop when it will: `bots.cli.run`), not by a Telegram bot on polling, nor by `db` or `doctor`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from core.config import host_port
from core.domain.errors import ConfigError

if TYPE_CHECKING:
    from aiohttp import web

logger = logging.getLogger(__name__)

__all__ = ["serving"]


@asynccontextmanager
async def serving(listen: str, routes: Sequence[web.RouteDef], *, what: str) -> AsyncIterator[None]:
    """Serve `routes` on `listen` (host:port) for as long as the block lasts."""
    from aiohttp import web

    host, port = host_port(listen)
    app = web.Application()
    app.add_routes(routes)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=5.0)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:
            raise ConfigError(f"cannot serve {what} on {listen}: {exc.strerror or exc}") from None
        logger.info("serving %s on %s", what, listen)
        yield
    finally:
        await runner.cleanup()
