"""What a running bot adds for operations: the heartbeat loop and the metrics endpoint.

The app (Discord shell or console mode) does::

    ops = OpsRuntime(services.settings, services.db, services.clock, mode="discord")
    await ops.start()      # inside the running loop
    ...
    await ops.stop()       # records a clean stop for `beatwatch health`

A scheduler may call :func:`bot.ops.health.heartbeat` itself instead; both write the same row.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import datetime

from bot.clock import Clock
from bot.errors import StorageError
from bot.ops import counters, problems
from bot.ops.health import heartbeat, mark_stopped
from bot.ops.metrics import MetricsServer, start_metrics_server
from bot.settings import Settings
from bot.storage import ops as ops_store
from bot.storage.database import Database

log = logging.getLogger(__name__)


class OpsRuntime:
    def __init__(self, settings: Settings, db: Database, clock: Clock, mode: str = "") -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.detail = f"mode={mode}" if mode else ""
        self.started_at: datetime = clock.now()
        self.metrics: MetricsServer | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.started_at = self.clock.now()
        await self.beat()
        if self.settings.metrics_port is not None:
            self.metrics = await start_metrics_server(
                self.settings.metrics_host, self.settings.metrics_port, refresh=self.refresh_gauges
            )
        self._task = asyncio.create_task(self._loop(), name="ops-heartbeat")

    async def refresh_gauges(self) -> None:
        """Database gauges for a scrape: rows by table/state, heartbeat age."""
        for table, states in (await ops_store.state_counts(self.db.reader)).items():
            for state, n in states.items():
                counters.ROWS.set(n, table=table, state=state)
        beat = await ops_store.get_heartbeat(self.db.reader)
        if beat is not None:
            counters.HEARTBEAT_AGE.set((self.clock.now() - beat.at).total_seconds())

    async def beat(self) -> bool:
        """Write one heartbeat; a busy/locked database is logged and counted, never raised."""
        try:
            await heartbeat(self.db, self.clock, detail=self._detail(), started_at=self.started_at)
        except (sqlite3.Error, StorageError) as exc:
            counters.HEARTBEAT_FAILURES.inc()
            problems.report("database", f"cannot write: {exc}", self.clock.now())
            log.warning("event=heartbeat_failed error=%s", exc)
            return False
        problems.clear("database")
        return True

    def _detail(self) -> str:
        # A heartbeat that gets written proves the database takes writes again.
        current = problems.summary(exclude=("database",))
        return f"{self.detail} problems={current}" if current else self.detail

    async def _loop(self) -> None:
        interval = self.settings.heartbeat_interval_seconds
        while True:
            await asyncio.sleep(interval)
            try:
                await self.beat()
            except Exception:  # boundary: the heartbeat loop must not die silently
                log.exception("event=heartbeat_loop_error")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        if self.metrics is not None:
            await self.metrics.close()
            self.metrics = None
        try:
            await mark_stopped(self.db, self.clock)
        except (sqlite3.Error, StorageError) as exc:
            log.warning("event=heartbeat_stop_failed error=%s", exc)
