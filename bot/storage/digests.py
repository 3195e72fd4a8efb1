"""The digest_runs table: one row per server per local date. Owner: ALERTS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.clock import from_iso, to_iso


@dataclass(frozen=True)
class DigestRun:
    guild_id: int
    period: str
    status: str
    since: datetime
    until: datetime
    chunks: int
    started_at: datetime
    sent_at: datetime | None


def _run(row: aiosqlite.Row) -> DigestRun:
    return DigestRun(
        guild_id=row["guild_id"],
        period=row["period"],
        status=row["status"],
        since=from_iso(row["since"]),
        until=from_iso(row["until"]),
        chunks=row["chunks"],
        started_at=from_iso(row["started_at"]),
        sent_at=None if row["sent_at"] is None else from_iso(row["sent_at"]),
    )


async def get_run(conn: aiosqlite.Connection, guild_id: int, period: str) -> DigestRun | None:
    async with conn.execute(
        "SELECT * FROM digest_runs WHERE guild_id = ? AND period = ?", (guild_id, period)
    ) as cur:
        row = await cur.fetchone()
    return None if row is None else _run(row)


async def last_run(conn: aiosqlite.Connection, guild_id: int) -> DigestRun | None:
    async with conn.execute(
        "SELECT * FROM digest_runs WHERE guild_id = ? ORDER BY until DESC LIMIT 1", (guild_id,)
    ) as cur:
        row = await cur.fetchone()
    return None if row is None else _run(row)


async def list_runs(conn: aiosqlite.Connection, guild_id: int) -> list[DigestRun]:
    async with conn.execute(
        "SELECT * FROM digest_runs WHERE guild_id = ? ORDER BY period", (guild_id,)
    ) as cur:
        return [_run(r) for r in await cur.fetchall()]


async def insert_run(
    conn: aiosqlite.Connection,
    *,
    guild_id: int,
    period: str,
    since: datetime,
    until: datetime,
    chunks: int,
    now: datetime,
) -> bool:
    """Claim the period; False if a run for it already exists (never twice)."""
    async with conn.execute(
        """INSERT INTO digest_runs (guild_id, period, status, since, until, chunks, started_at)
           VALUES (?, ?, 'queued', ?, ?, ?, ?) ON CONFLICT (guild_id, period) DO NOTHING""",
        (guild_id, period, to_iso(since), to_iso(until), chunks, to_iso(now)),
    ) as cur:
        return bool(cur.rowcount)


async def mark_sent_if_complete(
    conn: aiosqlite.Connection, guild_id: int, period: str, group_key: str, now: datetime
) -> bool:
    """Set the run 'sent' once none of its outbox rows is left unsent."""
    async with conn.execute(
        """SELECT count(*) FROM outbox WHERE guild_id = ? AND group_key = ? AND status != 'sent'""",
        (guild_id, group_key),
    ) as cur:
        row = await cur.fetchone()
    if row is None or int(row[0]) > 0:
        return False
    await conn.execute(
        """UPDATE digest_runs SET status = 'sent', sent_at = ?
           WHERE guild_id = ? AND period = ? AND status = 'queued'""",
        (to_iso(now), guild_id, period),
    )
    return True
