"""The bot's own HTTP servers: Telegram's webhook and the operations endpoint on OPS_LISTEN
(`/healthz` and `/metrics`, `ops_routes`).

aiohttp (already discord.py's HTTP library) serves them; one listen address may carry the
routes of both, so a single port can take the webhook and /healthz and /metrics together.
aiohttp is imported by the process that serves (`voicebridge run` loads it before its event
loop when it will: `bots.cli.operations.run_command`), not by a Telegram bot on polling, nor by `db`
or `doctor`.
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

    from core.bootstrap import Runtime

logger = logging.getLogger(__name__)

__all__ = ["ops_routes", "serving"]


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


def ops_routes(runtime: Runtime) -> list[web.RouteDef]:
    """`/healthz`: 200 {"status": "ok", "database": "ok"} while the database answers, else 503
    with "unreachable", from a check at most a second old; `/metrics`: what `runtime.metrics`
    counted, in Prometheus' format."""
    from aiohttp import web

    async def healthz(request: web.Request) -> web.Response:
        if await runtime.database_reachable():
            return web.json_response({"status": "ok", "database": "ok"})
        return web.json_response({"status": "unhealthy", "database": "unreachable"}, status=503)

    async def metrics(request: web.Request) -> web.Response:
        body = runtime.metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": runtime.metrics.content_type})

    return [web.get("/healthz", healthz), web.get("/metrics", metrics)]
