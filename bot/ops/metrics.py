"""The optional Prometheus endpoint: ``GET /metrics`` on ``metrics_host:metrics_port``.

Off unless ``BEATWATCH_METRICS_PORT`` is set; binds to ``BEATWATCH_METRICS_HOST``
(127.0.0.1 by default, so it is only reachable from the machine itself).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.ops.counters import REGISTRY, Registry

log = logging.getLogger(__name__)

Refresh = Callable[[], Awaitable[None]]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def build_app(registry: Registry = REGISTRY, refresh: Refresh | None = None) -> web.Application:
    async def metrics(request: web.Request) -> web.Response:
        if refresh is not None:
            try:
                await refresh()
            except Exception:  # boundary: a scrape must answer even if the database is busy
                log.warning("event=metrics_refresh_failed", exc_info=True)
        return web.Response(
            body=registry.render().encode("utf-8"), headers={"Content-Type": CONTENT_TYPE}
        )

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    return app


class MetricsServer:
    def __init__(self, runner: web.AppRunner, host: str, port: int) -> None:
        self._runner = runner
        self.host = host
        self.port = port

    async def close(self) -> None:
        await self._runner.cleanup()


async def start_metrics_server(
    host: str, port: int, registry: Registry = REGISTRY, refresh: Refresh | None = None
) -> MetricsServer:
    """Serve ``registry`` on ``host:port`` (port 0 picks a free one; see ``.port``).

    ``refresh`` runs before each scrape (the runtime uses it to update the database gauges).
    """
    runner = web.AppRunner(build_app(registry, refresh), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = port
    server = getattr(site, "_server", None)
    if server is not None and server.sockets:
        bound = int(server.sockets[0].getsockname()[1])
    log.info("event=metrics_started host=%s port=%s", host, bound)
    return MetricsServer(runner, host, bound)
