"""Liveness: the running bot writes a heartbeat row; ``beatwatch health`` reads it.

``heartbeat(db, clock)`` is what the app loop / scheduler calls (every
``settings.heartbeat_interval_seconds``). ``check_health`` never creates or migrates the
database: it opens the file read-only, so a container healthcheck cannot change anything.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import Clock, to_iso
from bot.storage import ops as ops_store
from bot.storage.database import Database


async def heartbeat(
    db: Database, clock: Clock, detail: str = "", started_at: datetime | None = None
) -> None:
    """Record that the app is alive now. ``detail`` is a short key=value status line."""
    async with db.transaction() as tx:
        await ops_store.write_heartbeat(tx, clock.now(), started_at=started_at, detail=detail)


async def mark_stopped(db: Database, clock: Clock, detail: str = "clean shutdown") -> None:
    """Record a clean stop, so ``health`` says "stopped" rather than "stale"."""
    async with db.transaction() as tx:
        await ops_store.write_heartbeat(tx, clock.now(), state="stopped", detail=detail)


async def last_heartbeat(db: Database) -> ops_store.Heartbeat | None:
    return await ops_store.get_heartbeat(db.reader)


@dataclass(frozen=True)
class HealthReport:
    status: str  # 'ok' | 'stale' | 'stopped' | 'not running' | 'error'
    line: str  # one line for humans and container logs

    @property
    def healthy(self) -> bool:
        return self.status == "ok"


def _age(delta: timedelta) -> str:
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"


def assess(path: Path, now: datetime, max_age: timedelta) -> HealthReport:
    """Synchronous core of :func:`check_health` (read-only)."""
    if not path.exists():
        return HealthReport("not running", f"not running: no database at {path} yet")
    try:
        status = ops_store.peek(path)
    except sqlite3.Error as exc:
        return HealthReport("error", f"unhealthy: cannot read database {path}: {exc}")
    beat = status.heartbeat
    if beat is None:
        return HealthReport("not running", "not running: no heartbeat recorded yet")
    age = now - beat.at
    if beat.state == "stopped":
        return HealthReport(
            "stopped", f"not running: stopped {_age(age)} ago at {to_iso(beat.at)} ({beat.detail})"
        )
    if age > max_age:
        return HealthReport(
            "stale",
            f"unhealthy: last heartbeat {_age(age)} ago (limit {_age(max_age)}), pid {beat.pid}",
        )
    extra = f" {beat.detail}" if beat.detail else ""
    return HealthReport(
        "ok",
        f"ok: heartbeat {_age(age)} ago, pid {beat.pid}, up {_age(now - beat.started_at)}{extra}",
    )


async def check_health(path: Path, clock: Clock, max_age: timedelta) -> HealthReport:
    return await asyncio.to_thread(assess, path, clock.now(), max_age)
