"""Alerts (one per story per server) and what they need to know about subscriptions and mutes.
The outbox is in ``bot.storage.outbox``. Owner: ALERTS.

Every function that writes takes the caller's transaction connection (``db.transaction()``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from bot.clock import from_iso, from_iso_or_none, to_iso
from bot.models import Alert
from bot.storage.database import fetch_all, fetch_one


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
        delivered_at=from_iso_or_none(row["delivered_at"]),
    )


# --- subscriptions (FEEDS' guild_feeds table, read only) ---
async def feed_subscribers(
    conn: aiosqlite.Connection, feed_id: int
) -> list[tuple[int, int | None]]:
    """(guild_id, channel override) of every server subscribed to the feed."""
    rows = await fetch_all(
        conn,
        "SELECT guild_id, channel_id FROM guild_feeds WHERE feed_id = ? ORDER BY guild_id",
        (feed_id,),
    )
    return [(int(r["guild_id"]), r["channel_id"]) for r in rows]


# --- alerts ---
async def get_alert(conn: aiosqlite.Connection, alert_id: int) -> Alert | None:
    row = await fetch_one(conn, "SELECT * FROM alerts WHERE id = ?", (alert_id,))
    return None if row is None else _alert(row)


async def alert_for_story(conn: aiosqlite.Connection, guild_id: int, story_id: int) -> Alert | None:
    row = await fetch_one(
        conn, "SELECT * FROM alerts WHERE guild_id = ? AND story_id = ?", (guild_id, story_id)
    )
    return None if row is None else _alert(row)


async def alerts_for_story(conn: aiosqlite.Connection, story_id: int) -> dict[int, Alert]:
    """The story's alert in every server that has one, by guild id."""
    rows = await fetch_all(conn, "SELECT * FROM alerts WHERE story_id = ?", (story_id,))
    return {int(r["guild_id"]): _alert(r) for r in rows}


async def story_muted_in(conn: aiosqlite.Connection, story_id: int) -> set[int]:
    """Servers where an editor muted the story (the Discord shell's muted_stories table)."""
    rows = await fetch_all(
        conn, "SELECT guild_id FROM muted_stories WHERE story_id = ?", (story_id,)
    )
    return {int(r[0]) for r in rows}


async def source_muted_in(conn: aiosqlite.Connection, publisher: str) -> set[tuple[int, str]]:
    """(server, topic) pairs where alerts from ``publisher`` were muted (muted_sources table)."""
    rows = await fetch_all(
        conn, "SELECT guild_id, topic FROM muted_sources WHERE publisher = ?", (publisher,)
    )
    return {(int(r[0]), str(r[1])) for r in rows}


def _chunks(values: Sequence[object], size: int = 500) -> list[list[object]]:
    items = list(dict.fromkeys(values))
    return [items[i : i + size] for i in range(0, len(items), size)]


async def alerts_for_stories(
    conn: aiosqlite.Connection, story_ids: Sequence[int]
) -> dict[int, dict[int, Alert]]:
    """:func:`alerts_for_story` for many stories in one query per 500: story -> guild -> alert
    (stories without an alert are absent)."""
    found: dict[int, dict[int, Alert]] = {}
    for part in _chunks(story_ids):
        marks = ",".join("?" * len(part))
        rows = await fetch_all(
            conn,
            f"SELECT * FROM alerts WHERE story_id IN ({marks})",  # noqa: S608 - placeholders only
            part,
        )
        for r in rows:
            found.setdefault(int(r["story_id"]), {})[int(r["guild_id"])] = _alert(r)
    return found


async def stories_muted_in(
    conn: aiosqlite.Connection, story_ids: Sequence[int]
) -> dict[int, set[int]]:
    """:func:`story_muted_in` for many stories: story -> servers (muted stories only)."""
    found: dict[int, set[int]] = {}
    for part in _chunks(story_ids):
        marks = ",".join("?" * len(part))
        rows = await fetch_all(
            conn,
            f"SELECT story_id, guild_id FROM muted_stories WHERE story_id IN ({marks})",  # noqa: S608 - placeholders only
            part,
        )
        for r in rows:
            found.setdefault(int(r[0]), set()).add(int(r[1]))
    return found


async def sources_muted_in(
    conn: aiosqlite.Connection, publishers: Sequence[str]
) -> dict[str, set[tuple[int, str]]]:
    """:func:`source_muted_in` for many publishers: publisher -> (server, topic) pairs."""
    found: dict[str, set[tuple[int, str]]] = {}
    for part in _chunks(publishers):
        marks = ",".join("?" * len(part))
        rows = await fetch_all(
            conn,
            f"SELECT publisher, guild_id, topic FROM muted_sources WHERE publisher IN ({marks})",  # noqa: S608 - placeholders only
            part,
        )
        for r in rows:
            found.setdefault(str(r[0]), set()).add((int(r[1]), str(r[2])))
    return found


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
    row = await fetch_one(conn, "SELECT shown_version FROM alerts WHERE id = ?", (alert_id,))
    return 0 if row is None else int(row[0])


async def alerts_by_ids(conn: aiosqlite.Connection, ids: Sequence[int]) -> list[Alert]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = await fetch_all(
        conn, f"SELECT * FROM alerts WHERE id IN ({marks}) ORDER BY id", list(ids)
    )  # noqa: S608 - placeholders only
    return [_alert(r) for r in rows]


async def alerts_in_message(conn: aiosqlite.Connection, combined_id: int) -> list[Alert]:
    rows = await fetch_all(
        conn, "SELECT * FROM alerts WHERE combined_id = ? ORDER BY id", (combined_id,)
    )
    return [_alert(r) for r in rows]


async def topic_activity(
    conn: aiosqlite.Connection, guild_id: int, topic: str, since: datetime
) -> tuple[int, datetime | None]:
    """(alerts of ``topic`` created in the server since ``since``, latest delivery time)."""
    row = await fetch_one(
        conn,
        """SELECT (SELECT count(*) FROM alerts
                   WHERE guild_id = ? AND topic = ? AND created_at >= ?),
                  (SELECT max(delivered_at) FROM alerts WHERE guild_id = ? AND topic = ?)""",
        (guild_id, topic, to_iso(since), guild_id, topic),
    )
    if row is None:
        return 0, None
    return int(row[0]), from_iso_or_none(row[1])


async def alerts_updated_between(
    conn: aiosqlite.Connection, guild_id: int, since: datetime, until: datetime
) -> list[Alert]:
    """Alerts created or updated in (since, until] (stories that moved in that time)."""
    rows = await fetch_all(
        conn,
        """SELECT * FROM alerts WHERE guild_id = ? AND updated_at > ? AND updated_at <= ?
           ORDER BY id""",
        (guild_id, to_iso(since), to_iso(until)),
    )
    return [_alert(r) for r in rows]


async def topic_alert_times(
    conn: aiosqlite.Connection, guild_id: int, since: datetime, until: datetime
) -> list[tuple[str, datetime]]:
    """(topic, created_at) of a server's alerts created in (since, until]: one per story and
    topic, for the digest's seven-day trend per beat."""
    rows = await fetch_all(
        conn,
        """SELECT topic, created_at FROM alerts
           WHERE guild_id = ? AND created_at > ? AND created_at <= ?""",
        (guild_id, to_iso(since), to_iso(until)),
    )
    return [(str(r[0]), from_iso(r[1])) for r in rows]


async def held_alerts(conn: aiosqlite.Connection, guild_id: int) -> list[Alert]:
    rows = await fetch_all(
        conn, "SELECT * FROM alerts WHERE guild_id = ? AND status = 'held' ORDER BY id", (guild_id,)
    )
    return [_alert(r) for r in rows]


async def alerts_of_topic(conn: aiosqlite.Connection, guild_id: int, topic: str) -> list[Alert]:
    rows = await fetch_all(
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
        rows = await fetch_all(conn, "SELECT * FROM alerts ORDER BY id DESC LIMIT ?", (limit,))
    else:
        rows = await fetch_all(
            conn,
            "SELECT * FROM alerts WHERE guild_id = ? ORDER BY id DESC LIMIT ?",
            (guild_id, limit),
        )
    return [_alert(r) for r in rows]


# --- outbox ---
