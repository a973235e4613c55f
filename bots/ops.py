"""The operations endpoint on OPS_LISTEN: `/healthz` and `/metrics` (served by `bots.http`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from core.bootstrap import Runtime

__all__ = ["ops_routes"]


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
