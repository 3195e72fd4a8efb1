"""Feeds, per-server subscriptions, entries seen per feed and health transitions (0003_feeds.sql).

Write functions take the transaction connection (``async with db.transaction() as tx``);
read functions take any connection (usually ``db.reader``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.clock import from_iso, to_iso
from bot.models import Article, FeedHealthEvent, FeedInfo, FeedRef, FeedState, FeedStatus
from bot.storage.articles import content_hash


@dataclass(frozen=True)
class FeedRow:
    id: int
    url: str
    title: str
    site_url: str | None
    language: str | None
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    state: FeedState
    state_reason: str | None
    error_count: int
    last_error: str | None
    last_success_at: datetime | None
    next_check_at: datetime
    baseline_done: bool
    bozo: bool
    entry_count: int

    @property
    def ref(self) -> FeedRef:
        return FeedRef(id=self.id, url=self.url, title=self.title)


def _dt(value: str | None) -> datetime | None:
    return from_iso(value) if value else None


def _row(row: aiosqlite.Row) -> FeedRow:
    return FeedRow(
        id=int(row["id"]),
        url=row["url"],
        title=row["title"],
        site_url=row["site_url"],
        language=row["language"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        body_hash=row["body_hash"],
        state=row["state"],
        state_reason=row["state_reason"],
        error_count=int(row["error_count"]),
        last_error=row["last_error"],
        last_success_at=_dt(row["last_success_at"]),
        next_check_at=from_iso(row["next_check_at"]),
        baseline_done=bool(row["baseline_done"]),
        bozo=bool(row["bozo"]),
        entry_count=int(row["entry_count"]),
    )


# --- feeds -------------------------------------------------------------------------------


async def ensure_feed(
    tx: aiosqlite.Connection, url: str, now: datetime, *, title: str = ""
) -> tuple[int, bool]:
    """The feed row for ``url`` (created due now if missing). Returns ``(id, created)``."""
    async with tx.execute("SELECT id FROM feeds WHERE url = ?", (url,)) as cur:
        row = await cur.fetchone()
    if row is not None:
        return int(row[0]), False
    async with tx.execute(
        "INSERT INTO feeds (url, title, next_check_at, created_at) VALUES (?, ?, ?, ?)",
        (url, title, to_iso(now), to_iso(now)),
    ) as cur:
        new_id = cur.lastrowid
    assert new_id is not None
    return int(new_id), True


async def get_feed(conn: aiosqlite.Connection, feed_id: int) -> FeedRow | None:
    async with conn.execute("SELECT * FROM feeds WHERE id = ?", (feed_id,)) as cur:
        row = await cur.fetchone()
    return None if row is None else _row(row)


async def get_feed_by_url(conn: aiosqlite.Connection, url: str) -> FeedRow | None:
    async with conn.execute("SELECT * FROM feeds WHERE url = ?", (url,)) as cur:
        row = await cur.fetchone()
    return None if row is None else _row(row)


async def due_feeds(conn: aiosqlite.Connection, now: datetime) -> list[FeedRow]:
    """Feeds at least one server subscribes to, not disabled, whose next check has come."""
    async with conn.execute(
        """SELECT f.* FROM feeds f
           WHERE f.state != 'disabled' AND f.next_check_at <= ?
             AND EXISTS (SELECT 1 FROM guild_feeds g WHERE g.feed_id = f.id)
           ORDER BY f.next_check_at, f.id""",
        (to_iso(now),),
    ) as cur:
        rows = await cur.fetchall()
    return [_row(r) for r in rows]


async def record_success(
    tx: aiosqlite.Connection,
    feed_id: int,
    *,
    now: datetime,
    next_check: datetime,
    etag: str | None,
    last_modified: str | None,
    body_hash: str | None = None,
    parsed: bool = False,
    title: str = "",
    site_url: str | None = None,
    language: str | None = None,
    bozo: bool = False,
    entry_count: int = 0,
) -> None:
    """A successful fetch (200 or 304): errors reset, validators and next check stored."""
    await tx.execute(
        """UPDATE feeds SET etag = ?, last_modified = ?, error_count = 0, last_success_at = ?,
                  last_checked_at = ?, next_check_at = ?
           WHERE id = ?""",
        (etag, last_modified, to_iso(now), to_iso(now), to_iso(next_check), feed_id),
    )
    if body_hash is not None:
        await tx.execute("UPDATE feeds SET body_hash = ? WHERE id = ?", (body_hash, feed_id))
    if parsed:
        await tx.execute(
            """UPDATE feeds SET title = CASE WHEN ? != '' THEN ? ELSE title END,
                      site_url = COALESCE(?, site_url), language = COALESCE(?, language),
                      bozo = ?, entry_count = ?, baseline_done = 1
               WHERE id = ?""",
            (title, title, site_url, language, int(bozo), entry_count, feed_id),
        )


async def record_failure(
    tx: aiosqlite.Connection,
    feed_id: int,
    *,
    now: datetime,
    next_check: datetime,
    error: str,
    error_count: int,
) -> None:
    await tx.execute(
        """UPDATE feeds SET error_count = ?, last_error = ?, last_error_at = ?,
                  last_checked_at = ?, next_check_at = ?
           WHERE id = ?""",
        (error_count, error[:500], to_iso(now), to_iso(now), to_iso(next_check), feed_id),
    )


async def set_state(
    tx: aiosqlite.Connection,
    feed_id: int,
    *,
    old: FeedState,
    new: FeedState,
    reason: str,
    now: datetime,
) -> None:
    """Change a feed's health state and write the one transition event for it."""
    await tx.execute(
        "UPDATE feeds SET state = ?, state_reason = ? WHERE id = ?",
        (new, reason[:500] if new != "healthy" else None, feed_id),
    )
    await tx.execute(
        """INSERT INTO feed_health_events (feed_id, old_state, new_state, reason, at)
           VALUES (?, ?, ?, ?, ?)""",
        (feed_id, old, new, reason[:500], to_iso(now)),
    )


async def reenable(tx: aiosqlite.Connection, feed_id: int, now: datetime) -> None:
    """Make a feed due now with a clean error count (used when a user re-adds it)."""
    await tx.execute(
        "UPDATE feeds SET error_count = 0, next_check_at = ? WHERE id = ?",
        (to_iso(now), feed_id),
    )


async def health_events_since(
    conn: aiosqlite.Connection, after_id: int = 0, limit: int = 100
) -> list[FeedHealthEvent]:
    """Health transitions with id > ``after_id``, oldest first (for one notice each)."""
    async with conn.execute(
        """SELECT e.*, f.url AS feed_url, f.title AS feed_title
           FROM feed_health_events e JOIN feeds f ON f.id = e.feed_id
           WHERE e.id > ? ORDER BY e.id LIMIT ?""",
        (after_id, limit),
    ) as cur:
        rows = await cur.fetchall()
    return [
        FeedHealthEvent(
            id=int(r["id"]),
            feed_id=int(r["feed_id"]),
            feed_url=r["feed_url"],
            feed_title=r["feed_title"],
            old_state=r["old_state"],
            new_state=r["new_state"],
            reason=r["reason"],
            at=from_iso(r["at"]),
        )
        for r in rows
    ]


# --- subscriptions -----------------------------------------------------------------------


async def subscribe(
    tx: aiosqlite.Connection,
    guild_id: int,
    feed_id: int,
    now: datetime,
    channel_id: int | None = None,
) -> bool:
    """Link a server to a feed (updating the channel if already linked). True if new."""
    async with tx.execute(
        "SELECT 1 FROM guild_feeds WHERE guild_id = ? AND feed_id = ?", (guild_id, feed_id)
    ) as cur:
        exists = await cur.fetchone() is not None
    if exists:
        if channel_id is not None:
            await tx.execute(
                "UPDATE guild_feeds SET channel_id = ? WHERE guild_id = ? AND feed_id = ?",
                (channel_id, guild_id, feed_id),
            )
        return False
    await tx.execute(
        "INSERT INTO guild_feeds (guild_id, feed_id, channel_id, added_at) VALUES (?, ?, ?, ?)",
        (guild_id, feed_id, channel_id, to_iso(now)),
    )
    return True


async def unsubscribe(tx: aiosqlite.Connection, guild_id: int, feed_id: int) -> bool:
    async with tx.execute(
        "DELETE FROM guild_feeds WHERE guild_id = ? AND feed_id = ?", (guild_id, feed_id)
    ) as cur:
        return (cur.rowcount or 0) > 0


async def find_subscription(
    conn: aiosqlite.Connection, guild_id: int, url_or_id: str
) -> int | None:
    """The feed id a server subscribes to, by id, exact URL or URL without scheme/slash."""
    text = url_or_id.strip()
    if text.isdigit():
        params: Sequence[object] = (guild_id, int(text))
        sql = "SELECT f.id FROM feeds f JOIN guild_feeds g ON g.feed_id = f.id WHERE g.guild_id = ? AND f.id = ?"
    else:
        bare = text.split("://", 1)[-1].rstrip("/")
        params = (guild_id, text, f"http://{bare}", f"https://{bare}", f"https://{bare}/")
        sql = """SELECT f.id FROM feeds f JOIN guild_feeds g ON g.feed_id = f.id
                 WHERE g.guild_id = ? AND f.url IN (?, ?, ?, ?) ORDER BY f.id LIMIT 1"""
    async with conn.execute(sql, params) as cur:
        row = await cur.fetchone()
    return None if row is None else int(row[0])


async def list_subscriptions(conn: aiosqlite.Connection, guild_id: int) -> list[FeedInfo]:
    async with conn.execute(
        """SELECT f.id, f.url, f.title, f.site_url, f.state, g.guild_id, g.channel_id, g.added_at
           FROM guild_feeds g JOIN feeds f ON f.id = g.feed_id
           WHERE g.guild_id = ? ORDER BY lower(f.title), f.url""",
        (guild_id,),
    ) as cur:
        rows = await cur.fetchall()
    return [
        FeedInfo(
            id=int(r["id"]),
            url=r["url"],
            title=r["title"],
            site_url=r["site_url"],
            guild_id=int(r["guild_id"]),
            channel_id=r["channel_id"],
            state=r["state"],
            added_at=from_iso(r["added_at"]),
        )
        for r in rows
    ]


async def subscribers(conn: aiosqlite.Connection, feed_id: int) -> list[tuple[int, int | None]]:
    """``(guild_id, channel_id)`` of every server subscribed to a feed."""
    async with conn.execute(
        "SELECT guild_id, channel_id FROM guild_feeds WHERE feed_id = ? ORDER BY guild_id",
        (feed_id,),
    ) as cur:
        rows = await cur.fetchall()
    return [(int(r[0]), r[1]) for r in rows]


async def feed_statuses(conn: aiosqlite.Connection, guild_id: int | None) -> list[FeedStatus]:
    """Health of the feeds a server subscribes to (every subscribed feed when None)."""
    where = "WHERE g.guild_id = ?" if guild_id is not None else ""
    params: tuple[object, ...] = (guild_id,) if guild_id is not None else ()
    async with conn.execute(
        f"""SELECT f.*, group_concat(g.guild_id) AS guild_ids
            FROM feeds f JOIN guild_feeds g ON g.feed_id = f.id {where}
            GROUP BY f.id ORDER BY lower(f.title), f.url""",  # noqa: S608 - constant fragment
        params,
    ) as cur:
        rows = await cur.fetchall()
    return [
        FeedStatus(
            id=int(r["id"]),
            url=r["url"],
            title=r["title"],
            state=r["state"],
            state_reason=r["state_reason"],
            error_count=int(r["error_count"]),
            last_error=r["last_error"],
            last_error_at=_dt(r["last_error_at"]),
            last_success_at=_dt(r["last_success_at"]),
            last_checked_at=_dt(r["last_checked_at"]),
            next_check_at=from_iso(r["next_check_at"]),
            bozo=bool(r["bozo"]),
            entry_count=int(r["entry_count"]),
            guild_ids=sorted(int(x) for x in str(r["guild_ids"] or "").split(",") if x),
        )
        for r in rows
    ]


async def defaults_applied(conn: aiosqlite.Connection, guild_id: int) -> bool:
    async with conn.execute(
        "SELECT 1 FROM feed_default_subscriptions WHERE guild_id = ?", (guild_id,)
    ) as cur:
        return await cur.fetchone() is not None


async def mark_defaults_applied(tx: aiosqlite.Connection, guild_id: int, now: datetime) -> None:
    await tx.execute(
        "INSERT OR IGNORE INTO feed_default_subscriptions (guild_id, at) VALUES (?, ?)",
        (guild_id, to_iso(now)),
    )


# --- entries -----------------------------------------------------------------------------


async def known_entry_keys(
    conn: aiosqlite.Connection, feed_id: int, keys: Iterable[str]
) -> set[str]:
    """Which of ``keys`` this feed has already recorded."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        marks = ",".join("?" * len(part))
        async with conn.execute(
            f"SELECT entry_key FROM feed_entries WHERE feed_id = ? AND entry_key IN ({marks})",  # noqa: S608 - placeholders only
            (feed_id, *part),
        ) as cur:
            found.update(r[0] for r in await cur.fetchall())
    return found


async def recent_entry_keys(
    conn: aiosqlite.Connection, feed_id: int, limit: int = 3000
) -> frozenset[str]:
    """The feed's most recently recorded entry keys (a hint to skip re-normalising them)."""
    async with conn.execute(
        """SELECT entry_key FROM feed_entries WHERE feed_id = ?
           ORDER BY first_seen DESC LIMIT ?""",
        (feed_id, limit),
    ) as cur:
        return frozenset(r[0] for r in await cur.fetchall())


async def record_entries(
    tx: aiosqlite.Connection, feed_id: int, rows: Iterable[tuple[str, int | None]], now: datetime
) -> None:
    """Link entries (``(entry_key, article_id)``) to a feed; known ones are left alone."""
    stamp = to_iso(now)
    await tx.executemany(
        """INSERT OR IGNORE INTO feed_entries (feed_id, entry_key, article_id, first_seen)
           VALUES (?, ?, ?, ?)""",
        [(feed_id, key, article_id, stamp) for key, article_id in rows],
    )


async def count_feed_entries(conn: aiosqlite.Connection, feed_id: int) -> int:
    async with conn.execute(
        "SELECT count(*) FROM feed_entries WHERE feed_id = ?", (feed_id,)
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def make_all_due(tx: aiosqlite.Connection, now: datetime) -> int:
    """Bring every feed that is not disabled due now (`feeds poll --all`)."""
    async with tx.execute(
        "UPDATE feeds SET next_check_at = ? WHERE state != 'disabled' AND next_check_at > ?",
        (to_iso(now), to_iso(now)),
    ) as cur:
        return cur.rowcount or 0


# --- bulk article storage ------------------------------------------------------------------

_ARTICLE_INSERT = """INSERT OR IGNORE INTO articles (entry_key, url, title, summary, body, publisher,
                         published, first_seen, language, source, content_hash)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""


async def _article_ids(conn: aiosqlite.Connection, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        marks = ",".join("?" * len(part))
        async with conn.execute(
            f"SELECT entry_key, id FROM articles WHERE entry_key IN ({marks})",  # noqa: S608 - placeholders only
            part,
        ) as cur:
            found.update((r[0], int(r[1])) for r in await cur.fetchall())
    return found


async def insert_articles(
    tx: aiosqlite.Connection, batch: Sequence[Article], hashes: Sequence[str] | None = None
) -> list[tuple[int, bool]]:
    """``articles.insert_article`` for many articles at once: same row, same dedupe by entry
    key, ``(id, created)`` per article in order. A handful of statements instead of five
    round trips per article (the watcher's hot path when a feed brings many entries).
    ``hashes``: the articles' ``content_hash`` when already computed (by the parse worker)."""
    if not batch:
        return []
    keys = [a.entry_key for a in batch]
    existing = await _article_ids(tx, keys)
    digests = list(hashes) if hashes is not None else [None] * len(batch)
    missing = [(a, d) for a, d in zip(batch, digests, strict=True) if a.entry_key not in existing]
    if missing:
        await tx.executemany(
            _ARTICLE_INSERT,
            [
                (
                    a.entry_key,
                    a.url,
                    a.title,
                    a.summary,
                    a.body,
                    a.publisher,
                    to_iso(a.published),
                    to_iso(a.first_seen),
                    a.language,
                    a.source,
                    d or content_hash(a.title, a.text),
                )
                for a, d in missing
            ],
        )
    ids = {**await _article_ids(tx, [a.entry_key for a, _ in missing]), **existing}
    return [(ids[key], key not in existing) for key in keys]


async def record_fetches(
    tx: aiosqlite.Connection,
    rows: Sequence[tuple[int, str | None, str | None, str | None]],
    *,
    now: datetime,
    next_check: datetime,
) -> None:
    """Many successful fetches without new content (304 / same body) in one statement:
    ``(feed_id, etag, last_modified, body_hash or None)``."""
    await tx.executemany(
        """UPDATE feeds SET etag = ?, last_modified = ?, body_hash = COALESCE(?, body_hash),
                  error_count = 0, last_success_at = ?, last_checked_at = ?, next_check_at = ?
           WHERE id = ?""",
        [
            (etag, lm, digest, to_iso(now), to_iso(now), to_iso(next_check), feed_id)
            for feed_id, etag, lm, digest in rows
        ],
    )
