"""The outbox (messages to deliver, in order), delivery cursors and feed-health events. Owner: ALERTS.

Every function that writes takes the caller's transaction connection (``db.transaction()``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import from_iso, from_iso_or_none, to_iso
from bot.models import OutboxEntry
from bot.storage.database import fetch_all, fetch_one


@dataclass(frozen=True)
class OutboxRow:
    id: int
    guild_id: int
    channel_id: int | None
    kind: str
    alert_id: int | None
    source_key: str | None
    group_key: str | None
    position: int
    payload: dict[str, Any]
    version: int
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    message_ref: str | None
    created_at: datetime
    sent_at: datetime | None
    claimed_by: str | None = None  # the deliverer sending it now (or that died sending it)
    claimed_at: datetime | None = None
    in_doubt: bool = False  # an earlier send may have posted it without being recorded

    def entry(self, summary: str = "") -> OutboxEntry:
        return OutboxEntry(
            id=self.id,
            guild_id=self.guild_id,
            kind=self.kind,
            alert_id=self.alert_id,
            status=self.status,
            version=self.version,
            attempts=self.attempts,
            next_attempt_at=self.next_attempt_at,
            last_error=self.last_error,
            message_ref=self.message_ref,
            created_at=self.created_at,
            sent_at=self.sent_at,
            summary=summary,
        )


def _outbox(row: aiosqlite.Row) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        kind=row["kind"],
        alert_id=row["alert_id"],
        source_key=row["source_key"],
        group_key=row["group_key"],
        position=row["position"] if row["position"] is not None else row["id"],
        payload=json.loads(row["payload"]),
        version=row["version"],
        status=row["status"],
        attempts=row["attempts"],
        next_attempt_at=from_iso(row["next_attempt_at"]),
        last_error=row["last_error"],
        message_ref=row["message_ref"],
        created_at=from_iso(row["created_at"]),
        sent_at=from_iso_or_none(row["sent_at"]),
        claimed_by=row["claimed_by"],
        claimed_at=from_iso_or_none(row["claimed_at"]),
        in_doubt=bool(row["in_doubt"]),
    )


async def enqueue(
    conn: aiosqlite.Connection,
    *,
    guild_id: int,
    kind: str,
    now: datetime,
    channel_id: int | None = None,
    alert_id: int | None = None,
    payload: dict[str, Any] | None = None,
    source_key: str | None = None,
    group_key: str | None = None,
    not_before: datetime | None = None,
    position: int | None = None,
) -> int | None:
    """Add a row to send; ``None`` if a row with the same ``source_key`` exists (idempotent).

    ``position``: its place in the channel's queue (default: its own id, i.e. queue order); a
    combined message takes the place of the first alert it replaces.
    """
    async with conn.execute(
        """INSERT INTO outbox (guild_id, channel_id, kind, alert_id, source_key, group_key,
                               payload, next_attempt_at, created_at, position)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (guild_id, source_key) DO NOTHING""",
        (
            guild_id,
            channel_id,
            kind,
            alert_id,
            source_key,
            group_key,
            json.dumps(payload or {}, ensure_ascii=False, default=str),
            to_iso(not_before or now),
            to_iso(now),
            position,
        ),
    ) as cur:
        new_id = cur.lastrowid if cur.rowcount else None
    return None if new_id is None else int(new_id)


async def enqueue_edit(
    conn: aiosqlite.Connection, *, guild_id: int, alert_id: int, now: datetime
) -> int:
    """One pending edit per alert: bump the pending one (new version) or add one."""
    row = await fetch_one(
        conn,
        "SELECT id FROM outbox WHERE alert_id = ? AND kind = 'edit' AND status = 'pending'",
        (alert_id,),
    )
    if row is not None:
        await conn.execute(
            "UPDATE outbox SET version = version + 1, next_attempt_at = ? WHERE id = ?",
            (to_iso(now), row[0]),
        )
        return int(row[0])
    new_id = await enqueue(conn, guild_id=guild_id, kind="edit", now=now, alert_id=alert_id)
    assert new_id is not None
    return new_id


async def pending_row_for_alert(conn: aiosqlite.Connection, alert_id: int) -> OutboxRow | None:
    row = await fetch_one(
        conn,
        "SELECT * FROM outbox WHERE alert_id = ? AND kind = 'alert' ORDER BY id DESC LIMIT 1",
        (alert_id,),
    )
    return None if row is None else _outbox(row)


async def get_row(conn: aiosqlite.Connection, outbox_id: int) -> OutboxRow | None:
    row = await fetch_one(conn, "SELECT * FROM outbox WHERE id = ?", (outbox_id,))
    return None if row is None else _outbox(row)


async def due_rows(
    conn: aiosqlite.Connection, now: datetime, limit: int = 500, guild_id: int | None = None
) -> list[OutboxRow]:
    rows = await fetch_all(
        conn,
        """SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?
             AND (? IS NULL OR guild_id = ?)
           ORDER BY coalesce(position, id), id LIMIT ?""",
        (to_iso(now), guild_id, guild_id, limit),
    )
    return [_outbox(r) for r in rows]


async def backing_off_rows(
    conn: aiosqlite.Connection, now: datetime, guild_id: int | None = None
) -> list[OutboxRow]:
    """Pending posts (not edits) waiting for a retry after a failed attempt, not yet due."""
    rows = await fetch_all(
        conn,
        """SELECT * FROM outbox WHERE status = 'pending' AND attempts > 0 AND kind != 'edit'
             AND next_attempt_at > ? AND (? IS NULL OR guild_id = ?)
           ORDER BY coalesce(position, id), id""",
        (to_iso(now), guild_id, guild_id),
    )
    return [_outbox(r) for r in rows]


async def waiting_channel_rows(
    conn: aiosqlite.Connection, guild_id: int | None = None
) -> list[OutboxRow]:
    """Rows held because their server has no channel for them yet, in queue order."""
    rows = await fetch_all(
        conn,
        """SELECT * FROM outbox WHERE status = 'waiting_channel' AND (? IS NULL OR guild_id = ?)
           ORDER BY coalesce(position, id), id""",
        (guild_id, guild_id),
    )
    return [_outbox(r) for r in rows]


async def held_rows(conn: aiosqlite.Connection, guild_id: int | None = None) -> list[OutboxRow]:
    """Held alert and combined rows (their alerts' ``hold_reason`` says why), in queue order."""
    rows = await fetch_all(
        conn,
        """SELECT * FROM outbox WHERE status = 'held' AND kind IN ('alert', 'combined')
             AND (? IS NULL OR guild_id = ?)
           ORDER BY coalesce(position, id), id""",
        (guild_id, guild_id),
    )
    return [_outbox(r) for r in rows]


async def release_rows(
    conn: aiosqlite.Connection, outbox_ids: Sequence[int], now: datetime
) -> None:
    """Waiting rows become pending again, due now (their attempts start over)."""
    await conn.executemany(
        """UPDATE outbox SET status = 'pending', next_attempt_at = ?, attempts = 0
           WHERE id = ? AND status = 'waiting_channel'""",
        [(to_iso(now), i) for i in outbox_ids],
    )


async def merge_rows(
    conn: aiosqlite.Connection, outbox_ids: Sequence[int], from_status: str
) -> list[int]:
    """Mark rows 'merged' (folded into a combined message) that are still ``from_status`` and
    neither being sent by a deliverer nor in doubt; returns the ids merged, in the given order."""
    merged = []
    for outbox_id in outbox_ids:
        async with conn.execute(
            """UPDATE outbox SET status = 'merged'
               WHERE id = ? AND status = ? AND claimed_by IS NULL AND in_doubt = 0""",
            (outbox_id, from_status),
        ) as cur:
            if cur.rowcount:
                merged.append(outbox_id)
    return merged


async def pending_alert_rows(
    conn: aiosqlite.Connection, guild_id: int, topic: str
) -> list[OutboxRow]:
    """Every pending 'alert' row of one server and topic (due or not)."""
    rows = await fetch_all(
        conn,
        """SELECT outbox.* FROM outbox JOIN alerts ON alerts.id = outbox.alert_id
           WHERE outbox.status = 'pending' AND outbox.kind = 'alert'
             AND outbox.guild_id = ? AND alerts.topic = ?
           ORDER BY outbox.id""",
        (guild_id, topic),
    )
    return [_outbox(r) for r in rows]


async def earlier_unsent_in_group(conn: aiosqlite.Connection, row: OutboxRow) -> bool:
    if row.group_key is None:
        return False
    found = await fetch_one(
        conn,
        """SELECT 1 FROM outbox WHERE guild_id = ? AND group_key = ? AND id < ?
             AND status IN ('pending', 'failed') LIMIT 1""",
        (row.guild_id, row.group_key, row.id),
    )
    return found is not None


# Every update that records what became of a send also drops the row's claim.
_UNCLAIM = "claimed_by = NULL, claimed_at = NULL"


async def claim(
    conn: aiosqlite.Connection,
    outbox_id: int,
    *,
    owner: str,
    holder: str | None,
    now: datetime,
    in_doubt: bool,
) -> bool:
    """Claim a pending row for sending, if its claim is still ``holder`` (compare and swap).

    False when another deliverer claimed it meanwhile or it is no longer pending.
    ``in_doubt``: the previous holder may have sent it (its outcome was never recorded).
    """
    async with conn.execute(
        """UPDATE outbox SET claimed_by = ?, claimed_at = ?, in_doubt = max(in_doubt, ?)
           WHERE id = ? AND status = 'pending' AND claimed_by IS ?""",
        (owner, to_iso(now), int(in_doubt), outbox_id, holder),
    ) as cur:
        return bool(cur.rowcount)


async def unclaim(conn: aiosqlite.Connection, outbox_id: int, owner: str) -> None:
    """Drop ``owner``'s claim (nothing was sent)."""
    await conn.execute(
        f"UPDATE outbox SET {_UNCLAIM} WHERE id = ? AND claimed_by = ?",  # noqa: S608 - constant
        (outbox_id, owner),
    )


async def mark_sent(
    conn: aiosqlite.Connection, outbox_id: int, version: int, message_ref: str, now: datetime
) -> bool:
    """Mark the row sent if it still has ``version``; False if it changed meanwhile."""
    async with conn.execute(
        f"""UPDATE outbox SET status = 'sent', message_ref = ?, sent_at = ?, last_error = NULL,
                              in_doubt = 0, {_UNCLAIM}
           WHERE id = ? AND version = ?""",  # noqa: S608 - constant
        (message_ref, to_iso(now), outbox_id, version),
    ) as cur:
        changed = cur.rowcount
    if not changed:
        await conn.execute(
            f"""UPDATE outbox SET message_ref = ?, attempts = 0, in_doubt = 0, {_UNCLAIM}
               WHERE id = ?""",  # noqa: S608 - constant
            (message_ref, outbox_id),
        )
    return bool(changed)


async def record_retry(
    conn: aiosqlite.Connection,
    outbox_id: int,
    *,
    attempts: int,
    next_at: datetime,
    error: str,
    in_doubt: bool = False,
) -> None:
    """``in_doubt``: the failed send may still have posted it (a lost answer, not a refusal)."""
    await conn.execute(
        f"""UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ?,
                              in_doubt = max(in_doubt, ?), {_UNCLAIM}
           WHERE id = ?""",  # noqa: S608 - constant
        (attempts, to_iso(next_at), error[:500], int(in_doubt), outbox_id),
    )


async def postpone(conn: aiosqlite.Connection, outbox_id: int, next_at: datetime) -> None:
    await conn.execute(
        "UPDATE outbox SET next_attempt_at = ? WHERE id = ?", (to_iso(next_at), outbox_id)
    )


async def set_row_status(
    conn: aiosqlite.Connection,
    outbox_ids: Sequence[int],
    status: str,
    *,
    error: str | None = None,
    attempts: int | None = None,
) -> None:
    await conn.executemany(
        f"""UPDATE outbox SET status = ?, last_error = coalesce(?, last_error),
                             attempts = coalesce(?, attempts), {_UNCLAIM}
           WHERE id = ?""",  # noqa: S608 - constant
        [(status, None if error is None else error[:500], attempts, i) for i in outbox_ids],
    )


async def list_outbox(
    conn: aiosqlite.Connection,
    *,
    guild_id: int | None = None,
    status: str | None = None,
    limit: int = 50,
) -> list[OutboxRow]:
    rows = await fetch_all(
        conn,
        """SELECT * FROM outbox WHERE (? IS NULL OR guild_id = ?) AND (? IS NULL OR status = ?)
           ORDER BY id DESC LIMIT ?""",
        (guild_id, guild_id, status, status, limit),
    )
    return [_outbox(r) for r in rows]


async def count_outbox(conn: aiosqlite.Connection) -> dict[str, int]:
    rows = await fetch_all(conn, "SELECT status, count(*) FROM outbox GROUP BY status", ())
    return {str(r[0]): int(r[1]) for r in rows}


async def prune_outbox(conn: aiosqlite.Connection, before: datetime) -> int:
    """Delete sent/merged rows older than ``before``; returns how many."""
    async with conn.execute(
        "DELETE FROM outbox WHERE status IN ('sent', 'merged') AND created_at < ?",
        (to_iso(before),),
    ) as cur:
        return int(cur.rowcount)


# --- cursors & feed health (FEEDS' tables, read only) ---
async def get_cursor(conn: aiosqlite.Connection, name: str) -> int | None:
    row = await fetch_one(conn, "SELECT value FROM alert_cursors WHERE name = ?", (name,))
    return None if row is None else int(row[0])


async def set_cursor(conn: aiosqlite.Connection, name: str, value: int) -> None:
    await conn.execute(
        """INSERT INTO alert_cursors (name, value) VALUES (?, ?)
           ON CONFLICT (name) DO UPDATE SET value = excluded.value""",
        (name, value),
    )


@dataclass(frozen=True)
class HealthEventRow:
    id: int
    feed_id: int
    feed_url: str
    feed_title: str
    old_state: str
    new_state: str
    reason: str
    at: datetime


async def max_health_event_id(conn: aiosqlite.Connection) -> int:
    row = await fetch_one(conn, "SELECT coalesce(max(id), 0) FROM feed_health_events", ())
    return 0 if row is None else int(row[0])


async def health_events_after(
    conn: aiosqlite.Connection, after_id: int, limit: int = 200
) -> list[HealthEventRow]:
    rows = await fetch_all(
        conn,
        """SELECT e.id, e.feed_id, f.url, f.title, e.old_state, e.new_state, e.reason, e.at
           FROM feed_health_events e JOIN feeds f ON f.id = e.feed_id
           WHERE e.id > ? ORDER BY e.id LIMIT ?""",
        (after_id, limit),
    )
    return [
        HealthEventRow(
            id=int(r[0]),
            feed_id=int(r[1]),
            feed_url=r[2],
            feed_title=r[3],
            old_state=r[4],
            new_state=r[5],
            reason=r[6],
            at=from_iso(r[7]),
        )
        for r in rows
    ]
