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
    status: str = "queued",
) -> bool:
    """Claim the period; False if a run for it already exists (never twice).

    ``status='waiting_channel'``: claimed, but held (nothing queued) until the server has a
    channel for it."""
    async with conn.execute(
        """INSERT INTO digest_runs (guild_id, period, status, since, until, chunks, started_at)
           VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, period) DO NOTHING""",
        (guild_id, period, status, to_iso(since), to_iso(until), chunks, to_iso(now)),
    ) as cur:
        return bool(cur.rowcount)


async def waiting_runs(conn: aiosqlite.Connection) -> list[DigestRun]:
    """Runs held because their server had no channel for the digest."""
    async with conn.execute(
        "SELECT * FROM digest_runs WHERE status = 'waiting_channel' ORDER BY guild_id, period"
    ) as cur:
        return [_run(r) for r in await cur.fetchall()]


async def waiting_run(conn: aiosqlite.Connection, guild_id: int) -> DigestRun | None:
    async with conn.execute(
        """SELECT * FROM digest_runs WHERE guild_id = ? AND status = 'waiting_channel'
           ORDER BY period LIMIT 1""",
        (guild_id,),
    ) as cur:
        row = await cur.fetchone()
    return None if row is None else _run(row)


async def delete_waiting_run(conn: aiosqlite.Connection, guild_id: int, period: str) -> None:
    """Drop a held run that a later run takes over (it starts where the held one started)."""
    await conn.execute(
        """DELETE FROM digest_runs
           WHERE guild_id = ? AND period = ? AND status = 'waiting_channel'""",
        (guild_id, period),
    )


async def release_run(
    conn: aiosqlite.Connection, guild_id: int, period: str, *, until: datetime, chunks: int
) -> bool:
    """A held run is queued now, covering up to ``until``; False if it was not held (any more)."""
    async with conn.execute(
        """UPDATE digest_runs SET status = 'queued', until = ?, chunks = ?
           WHERE guild_id = ? AND period = ? AND status = 'waiting_channel'""",
        (to_iso(until), chunks, guild_id, period),
    ) as cur:
        return bool(cur.rowcount)


async def mark_sent_if_complete(
    conn: aiosqlite.Connection, guild_id: int, period: str, group_key: str, now: datetime
) -> bool:
    """Set the run 'sent' once none of its outbox rows is left unsent; True when it just was."""
    async with conn.execute(
        """SELECT count(*) FROM outbox WHERE guild_id = ? AND group_key = ? AND status != 'sent'""",
        (guild_id, group_key),
    ) as cur:
        row = await cur.fetchone()
    if row is None or int(row[0]) > 0:
        return False
    async with conn.execute(
        """UPDATE digest_runs SET status = 'sent', sent_at = ?
           WHERE guild_id = ? AND period = ? AND status = 'queued'""",
        (to_iso(now), guild_id, period),
    ) as cur:
        return bool(cur.rowcount)
