"""Alerts (one per story per server), the outbox, small cursors. Owner: ALERTS.

Every function that writes takes the caller's transaction connection (``db.transaction()``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import from_iso, to_iso
from bot.models import Alert, OutboxEntry


def _opt_time(value: str | None) -> datetime | None:
    return None if value is None else from_iso(value)


def _alert(row: aiosqlite.Row) -> Alert:
    return Alert(
        id=row["id"],
        guild_id=row["guild_id"],
        story_id=row["story_id"],
        topic=row["topic"],
        topics=json.loads(row["topics"]),
        article_id=row["article_id"],
        title=row["title"],
        url=row["url"],
        publisher=row["publisher"],
        published=from_iso(row["published"]),
        alias=row["alias"],
        snippet=row["snippet"],
        outlets=json.loads(row["outlets"]),
        article_count=row["article_count"],
        status=row["status"],
        hold_reason=row["hold_reason"],
        channel_id=row["channel_id"],
        message_ref=row["message_ref"],
        combined_id=row["combined_id"],
        ping_role_id=row["ping_role_id"],
        version=row["version"],
        created_at=from_iso(row["created_at"]),
        updated_at=from_iso(row["updated_at"]),
        delivered_at=_opt_time(row["delivered_at"]),
    )


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
        sent_at=_opt_time(row["sent_at"]),
    )


async def _one(conn: aiosqlite.Connection, sql: str, params: Sequence[Any]) -> aiosqlite.Row | None:
    async with conn.execute(sql, params) as cur:
        return await cur.fetchone()


async def _all(conn: aiosqlite.Connection, sql: str, params: Sequence[Any]) -> list[aiosqlite.Row]:
    async with conn.execute(sql, params) as cur:
        return list(await cur.fetchall())


# --- subscriptions (FEEDS' guild_feeds table, read only) ---
async def feed_subscribers(
    conn: aiosqlite.Connection, feed_id: int
) -> list[tuple[int, int | None]]:
    """(guild_id, channel override) of every server subscribed to the feed."""
    rows = await _all(
        conn,
        "SELECT guild_id, channel_id FROM guild_feeds WHERE feed_id = ? ORDER BY guild_id",
        (feed_id,),
    )
    return [(int(r["guild_id"]), r["channel_id"]) for r in rows]


# --- alerts ---
async def get_alert(conn: aiosqlite.Connection, alert_id: int) -> Alert | None:
    row = await _one(conn, "SELECT * FROM alerts WHERE id = ?", (alert_id,))
    return None if row is None else _alert(row)


async def alert_for_story(conn: aiosqlite.Connection, guild_id: int, story_id: int) -> Alert | None:
    row = await _one(
        conn, "SELECT * FROM alerts WHERE guild_id = ? AND story_id = ?", (guild_id, story_id)
    )
    return None if row is None else _alert(row)


async def alerts_for_story(conn: aiosqlite.Connection, story_id: int) -> dict[int, Alert]:
    """The story's alert in every server that has one, by guild id."""
    rows = await _all(conn, "SELECT * FROM alerts WHERE story_id = ?", (story_id,))
    return {int(r["guild_id"]): _alert(r) for r in rows}


async def story_muted_in(conn: aiosqlite.Connection, story_id: int) -> set[int]:
    """Servers where an editor muted the story (the Discord shell's muted_stories table)."""
    rows = await _all(conn, "SELECT guild_id FROM muted_stories WHERE story_id = ?", (story_id,))
    return {int(r[0]) for r in rows}


async def source_muted_in(conn: aiosqlite.Connection, publisher: str) -> set[tuple[int, str]]:
    """(server, topic) pairs where alerts from ``publisher`` were muted (muted_sources table)."""
    rows = await _all(
        conn, "SELECT guild_id, topic FROM muted_sources WHERE publisher = ?", (publisher,)
    )
    return {(int(r[0]), str(r[1])) for r in rows}


async def insert_alert(
    conn: aiosqlite.Connection,
    *,
    guild_id: int,
    story_id: int,
    topic: str,
    topics: list[str],
    topic_id: int | None,
    article_id: int,
    title: str,
    url: str | None,
    publisher: str,
    published: datetime,
    alias: str,
    snippet: str,
    outlets: list[str],
    article_count: int,
    channel_id: int | None,
    ping_role_id: int | None,
    now: datetime,
) -> int:
    async with conn.execute(
        """INSERT INTO alerts (guild_id, story_id, topic, topics, topic_id, article_id, title, url,
                               publisher, published, alias, snippet, outlets, article_count,
                               channel_id, ping_role_id, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            guild_id,
            story_id,
            topic,
            json.dumps(topics, ensure_ascii=False),
            topic_id,
            article_id,
            title,
            url,
            publisher,
            to_iso(published),
            alias,
            snippet,
            json.dumps(outlets, ensure_ascii=False),
            article_count,
            channel_id,
            ping_role_id,
            to_iso(now),
            to_iso(now),
        ),
    ) as cur:
        new_id = cur.lastrowid
    assert new_id is not None
    return int(new_id)


async def fold_alert(
    conn: aiosqlite.Connection,
    alert_id: int,
    *,
    outlets: list[str],
    article_count: int,
    now: datetime,
    content_changed: bool,
) -> None:
    """Record the story's current outlets; bump the version when the message must change."""
    await conn.execute(
        """UPDATE alerts SET outlets = ?, article_count = ?, updated_at = ?,
                             version = version + ?
           WHERE id = ?""",
        (
            json.dumps(outlets, ensure_ascii=False),
            article_count,
            to_iso(now),
            1 if content_changed else 0,
            alert_id,
        ),
    )


async def mark_alert_delivered(
    conn: aiosqlite.Connection,
    alert_id: int,
    *,
    message_ref: str,
    shown_version: int,
    now: datetime,
    combined_id: int | None = None,
) -> None:
    await conn.execute(
        """UPDATE alerts SET status = 'delivered', message_ref = ?, shown_version = ?,
                             delivered_at = ?, combined_id = ?, hold_reason = NULL
           WHERE id = ?""",
        (message_ref, shown_version, to_iso(now), combined_id, alert_id),
    )


async def set_alert_shown(conn: aiosqlite.Connection, alert_id: int, shown_version: int) -> None:
    await conn.execute(
        "UPDATE alerts SET shown_version = max(shown_version, ?) WHERE id = ?",
        (shown_version, alert_id),
    )


async def set_alert_status(
    conn: aiosqlite.Connection, alert_ids: Sequence[int], status: str, reason: str | None = None
) -> None:
    await conn.executemany(
        "UPDATE alerts SET status = ?, hold_reason = ? WHERE id = ?",
        [(status, reason, i) for i in alert_ids],
    )


async def shown_version(conn: aiosqlite.Connection, alert_id: int) -> int:
    row = await _one(conn, "SELECT shown_version FROM alerts WHERE id = ?", (alert_id,))
    return 0 if row is None else int(row[0])


async def alerts_by_ids(conn: aiosqlite.Connection, ids: Sequence[int]) -> list[Alert]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = await _all(conn, f"SELECT * FROM alerts WHERE id IN ({marks}) ORDER BY id", list(ids))  # noqa: S608 - placeholders only
    return [_alert(r) for r in rows]


async def alerts_in_message(conn: aiosqlite.Connection, combined_id: int) -> list[Alert]:
    rows = await _all(
        conn, "SELECT * FROM alerts WHERE combined_id = ? ORDER BY id", (combined_id,)
    )
    return [_alert(r) for r in rows]


async def topic_activity(
    conn: aiosqlite.Connection, guild_id: int, topic: str, since: datetime
) -> tuple[int, datetime | None]:
    """(alerts of ``topic`` created in the server since ``since``, latest delivery time)."""
    row = await _one(
        conn,
        """SELECT (SELECT count(*) FROM alerts
                   WHERE guild_id = ? AND topic = ? AND created_at >= ?),
                  (SELECT max(delivered_at) FROM alerts WHERE guild_id = ? AND topic = ?)""",
        (guild_id, topic, to_iso(since), guild_id, topic),
    )
    if row is None:
        return 0, None
    return int(row[0]), _opt_time(row[1])


async def alerts_updated_between(
    conn: aiosqlite.Connection, guild_id: int, since: datetime, until: datetime
) -> list[Alert]:
    """Alerts created or updated in (since, until] (stories that moved in that time)."""
    rows = await _all(
        conn,
        """SELECT * FROM alerts WHERE guild_id = ? AND updated_at > ? AND updated_at <= ?
           ORDER BY id""",
        (guild_id, to_iso(since), to_iso(until)),
    )
    return [_alert(r) for r in rows]


async def held_alerts(conn: aiosqlite.Connection, guild_id: int) -> list[Alert]:
    rows = await _all(
        conn, "SELECT * FROM alerts WHERE guild_id = ? AND status = 'held' ORDER BY id", (guild_id,)
    )
    return [_alert(r) for r in rows]


async def alerts_of_topic(conn: aiosqlite.Connection, guild_id: int, topic: str) -> list[Alert]:
    rows = await _all(
        conn,
        """SELECT * FROM alerts WHERE guild_id = ?
             AND (topic = ? COLLATE NOCASE
                  OR EXISTS (SELECT 1 FROM json_each(alerts.topics)
                             WHERE json_each.value = ? COLLATE NOCASE))
           ORDER BY published""",
        (guild_id, topic, topic),
    )
    return [_alert(r) for r in rows]


async def list_alerts(
    conn: aiosqlite.Connection, guild_id: int | None = None, limit: int = 50
) -> list[Alert]:
    if guild_id is None:
        rows = await _all(conn, "SELECT * FROM alerts ORDER BY id DESC LIMIT ?", (limit,))
    else:
        rows = await _all(
            conn,
            "SELECT * FROM alerts WHERE guild_id = ? ORDER BY id DESC LIMIT ?",
            (guild_id, limit),
        )
    return [_alert(r) for r in rows]


# --- outbox ---
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
    row = await _one(
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
    row = await _one(
        conn,
        "SELECT * FROM outbox WHERE alert_id = ? AND kind = 'alert' ORDER BY id DESC LIMIT 1",
        (alert_id,),
    )
    return None if row is None else _outbox(row)


async def get_row(conn: aiosqlite.Connection, outbox_id: int) -> OutboxRow | None:
    row = await _one(conn, "SELECT * FROM outbox WHERE id = ?", (outbox_id,))
    return None if row is None else _outbox(row)


async def due_rows(
    conn: aiosqlite.Connection, now: datetime, limit: int = 500, guild_id: int | None = None
) -> list[OutboxRow]:
    rows = await _all(
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
    rows = await _all(
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
    rows = await _all(
        conn,
        """SELECT * FROM outbox WHERE status = 'waiting_channel' AND (? IS NULL OR guild_id = ?)
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


async def pending_alert_rows(
    conn: aiosqlite.Connection, guild_id: int, topic: str
) -> list[OutboxRow]:
    """Every pending 'alert' row of one server and topic (due or not)."""
    rows = await _all(
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
    found = await _one(
        conn,
        """SELECT 1 FROM outbox WHERE guild_id = ? AND group_key = ? AND id < ?
             AND status IN ('pending', 'failed') LIMIT 1""",
        (row.guild_id, row.group_key, row.id),
    )
    return found is not None


async def mark_sent(
    conn: aiosqlite.Connection, outbox_id: int, version: int, message_ref: str, now: datetime
) -> bool:
    """Mark the row sent if it still has ``version``; False if it changed meanwhile."""
    async with conn.execute(
        """UPDATE outbox SET status = 'sent', message_ref = ?, sent_at = ?, last_error = NULL
           WHERE id = ? AND version = ?""",
        (message_ref, to_iso(now), outbox_id, version),
    ) as cur:
        changed = cur.rowcount
    if not changed:
        await conn.execute(
            "UPDATE outbox SET message_ref = ?, attempts = 0 WHERE id = ?",
            (message_ref, outbox_id),
        )
    return bool(changed)


async def record_retry(
    conn: aiosqlite.Connection, outbox_id: int, *, attempts: int, next_at: datetime, error: str
) -> None:
    await conn.execute(
        "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
        (attempts, to_iso(next_at), error[:500], outbox_id),
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
        """UPDATE outbox SET status = ?, last_error = coalesce(?, last_error),
                             attempts = coalesce(?, attempts)
           WHERE id = ?""",
        [(status, None if error is None else error[:500], attempts, i) for i in outbox_ids],
    )


async def list_outbox(
    conn: aiosqlite.Connection,
    *,
    guild_id: int | None = None,
    status: str | None = None,
    limit: int = 50,
) -> list[OutboxRow]:
    rows = await _all(
        conn,
        """SELECT * FROM outbox WHERE (? IS NULL OR guild_id = ?) AND (? IS NULL OR status = ?)
           ORDER BY id DESC LIMIT ?""",
        (guild_id, guild_id, status, status, limit),
    )
    return [_outbox(r) for r in rows]


async def count_outbox(conn: aiosqlite.Connection) -> dict[str, int]:
    rows = await _all(conn, "SELECT status, count(*) FROM outbox GROUP BY status", ())
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
    row = await _one(conn, "SELECT value FROM alert_cursors WHERE name = ?", (name,))
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
    row = await _one(conn, "SELECT coalesce(max(id), 0) FROM feed_health_events", ())
    return 0 if row is None else int(row[0])


async def health_events_after(
    conn: aiosqlite.Connection, after_id: int, limit: int = 200
) -> list[HealthEventRow]:
    rows = await _all(
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
