"""Operations storage: heartbeats, retention, and the file-level SQLite work behind
``beatwatch backup`` / ``health`` / ``doctor`` (online backup, integrity check, read-only peeks).

The file-level functions are synchronous on purpose: they open their own ``sqlite3``
connection and are run in a thread by the callers in ``bot.ops``.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiosqlite

from bot.clock import from_iso, to_iso
from bot.storage.database import create_private

APP_COMPONENT = "app"


# --- heartbeats -------------------------------------------------------------------------


@dataclass(frozen=True)
class Heartbeat:
    component: str
    state: str  # 'running' | 'stopped'
    at: datetime
    started_at: datetime
    pid: int
    detail: str


async def write_heartbeat(
    tx: aiosqlite.Connection,
    now: datetime,
    *,
    component: str = APP_COMPONENT,
    state: str = "running",
    started_at: datetime | None = None,
    detail: str = "",
) -> None:
    """Upsert the heartbeat row of ``component`` (call inside ``Database.transaction()``)."""
    await tx.execute(
        """INSERT INTO ops_heartbeats (component, state, at, started_at, pid, detail)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (component) DO UPDATE SET
               state = excluded.state,
               at = excluded.at,
               started_at = CASE WHEN ops_heartbeats.pid = excluded.pid
                                 THEN ops_heartbeats.started_at ELSE excluded.started_at END,
               pid = excluded.pid,
               detail = excluded.detail""",
        (component, state, to_iso(now), to_iso(started_at or now), os.getpid(), detail),
    )


def _row_to_heartbeat(row: sqlite3.Row | aiosqlite.Row) -> Heartbeat:
    return Heartbeat(
        component=row["component"],
        state=row["state"],
        at=from_iso(row["at"]),
        started_at=from_iso(row["started_at"]),
        pid=int(row["pid"]),
        detail=row["detail"],
    )


async def get_heartbeat(
    conn: aiosqlite.Connection, component: str = APP_COMPONENT
) -> Heartbeat | None:
    async with conn.execute(
        "SELECT * FROM ops_heartbeats WHERE component = ?", (component,)
    ) as cur:
        row = await cur.fetchone()
    return None if row is None else _row_to_heartbeat(row)


# --- retention --------------------------------------------------------------------------

# Tables whose rows belong to an article and go with it when it is pruned (the facts derived
# from its text; their FTS rows follow through the facts_ad trigger). A foreign key declared
# ON DELETE SET NULL (e.g. feed_entries, the "already seen" mark that stops an old entry from
# being stored and alerted again) does not cite the article either: the row stays, unlinked.
# Every other reference cites the article, and a cited article is kept (see ``prune``).
DEPENDENT_TABLES = ("facts",)

# Outbox rows that are done with; anything else (pending, held, failed) is never pruned.
OUTBOX_DONE = ("sent", "merged")
# Alerts whose story is over as far as delivery goes.
ALERTS_DONE = ("delivered", "digested")


@dataclass(frozen=True)
class PruneCounts:
    articles_deleted: int
    articles_kept: int  # old enough, but still cited
    outbox_deleted: int
    alerts_deleted: int
    stories_deleted: int


async def _tables(conn: aiosqlite.Connection) -> set[str]:
    async with conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cur:
        return {str(r[0]) for r in await cur.fetchall()}


async def _columns(conn: aiosqlite.Connection, table: str) -> set[str]:
    async with conn.execute("SELECT name FROM pragma_table_info(?)", (table,)) as cur:
        return {str(r[0]) for r in await cur.fetchall()}


async def _references(conn: aiosqlite.Connection, target: str) -> list[tuple[str, str, str]]:
    """(table, column, on_delete) for every foreign key pointing at ``target``."""
    found = []
    for table in sorted(await _tables(conn)):
        if table.startswith("sqlite_"):
            continue
        async with conn.execute(
            'SELECT "table", "from", on_delete FROM pragma_foreign_key_list(?)', (table,)
        ) as cur:
            for parent, column, on_delete in await cur.fetchall():
                if parent == target:
                    found.append((table, str(column), str(on_delete).upper()))
    return found


def _q(name: str) -> str:
    """Quote an identifier read from sqlite_master (never user input)."""
    return '"' + name.replace('"', '""') + '"'


async def _count(conn: aiosqlite.Connection, sql: str) -> int:
    async with conn.execute(sql) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def prune(
    tx: aiosqlite.Connection,
    article_cutoff: datetime,
    outbox_cutoff: datetime,
) -> PruneCounts:
    """Delete old articles and delivered outbox rows; keep every article that is still cited.

    Call inside ``Database.transaction()``. In order:

    1. outbox rows that were sent (or merged into a sent message) before ``outbox_cutoff``;
    2. alerts delivered (or folded into a digest) whose last change is before
       ``article_cutoff`` and that no outbox row references any more;
    3. stories (when a ``stories`` table exists) inactive since ``article_cutoff`` and not
       referenced outside their membership table;
    4. articles that are not seeds, were published and first seen before ``article_cutoff``
       and are not *cited*: referenced by a remaining alert (so never by an undelivered one),
       story, or by any table this module does not know (unknown means keep), directly or
       through one of their facts. Their facts go with them.
    """
    tables = await _tables(tx)
    outbox_deleted = await _prune_outbox(tx, tables, outbox_cutoff)
    alerts_deleted = await _prune_alerts(tx, tables, article_cutoff)
    stories_deleted = await _prune_stories(tx, tables, article_cutoff)

    await tx.execute("DROP TABLE IF EXISTS temp.prune_candidates")
    await tx.execute("CREATE TEMP TABLE prune_candidates (id INTEGER PRIMARY KEY)")
    cutoff = to_iso(article_cutoff)
    await tx.execute(
        """INSERT INTO temp.prune_candidates (id)
           SELECT id FROM articles
           WHERE source != 'seed' AND published < ? AND first_seen < ?""",
        (cutoff, cutoff),
    )
    candidates = await _count(tx, "SELECT count(*) FROM temp.prune_candidates")

    article_refs = await _references(tx, "articles")
    for table, column, on_delete in article_refs:
        if table in DEPENDENT_TABLES or on_delete == "SET NULL":
            continue
        await tx.execute(
            f"DELETE FROM temp.prune_candidates WHERE id IN "
            f"(SELECT {_q(column)} FROM {_q(table)} WHERE {_q(column)} IS NOT NULL)"
        )
    for dependent in DEPENDENT_TABLES:
        if dependent not in tables:
            continue
        links = [c for t, c, _ in article_refs if t == dependent]
        for table, column, on_delete in await _references(tx, dependent):
            if table in DEPENDENT_TABLES or on_delete == "SET NULL":
                continue
            for link in links:
                await tx.execute(
                    f"DELETE FROM temp.prune_candidates WHERE id IN "
                    f"(SELECT d.{_q(link)} FROM {_q(dependent)} d JOIN {_q(table)} r "
                    f"ON r.{_q(column)} = d.rowid)"
                )

    for table, column, _ in article_refs:
        if table in DEPENDENT_TABLES:
            await tx.execute(
                f"DELETE FROM {_q(table)} WHERE {_q(column)} IN "
                f"(SELECT id FROM temp.prune_candidates)"
            )
    async with tx.execute(
        "DELETE FROM articles WHERE id IN (SELECT id FROM temp.prune_candidates)"
    ) as cur:
        deleted = max(cur.rowcount, 0)
    await tx.execute("DROP TABLE temp.prune_candidates")
    return PruneCounts(
        articles_deleted=deleted,
        articles_kept=candidates - deleted,
        outbox_deleted=outbox_deleted,
        alerts_deleted=alerts_deleted,
        stories_deleted=stories_deleted,
    )


async def _prune_outbox(tx: aiosqlite.Connection, tables: set[str], cutoff: datetime) -> int:
    if "outbox" not in tables or not {"status", "sent_at", "created_at"} <= await _columns(
        tx, "outbox"
    ):
        return 0
    async with tx.execute(
        "DELETE FROM outbox WHERE status IN (?, ?) AND coalesce(sent_at, created_at) < ?",
        (*OUTBOX_DONE, to_iso(cutoff)),
    ) as cur:
        return max(cur.rowcount, 0)


async def _prune_alerts(tx: aiosqlite.Connection, tables: set[str], cutoff: datetime) -> int:
    if "alerts" not in tables or not {"status", "updated_at"} <= await _columns(tx, "alerts"):
        return 0
    keep = "".join(
        f" AND id NOT IN (SELECT {_q(c)} FROM {_q(t)} WHERE {_q(c)} IS NOT NULL)"
        for t, c, _ in await _references(tx, "alerts")
    )
    async with tx.execute(
        f"DELETE FROM alerts WHERE status IN (?, ?) AND updated_at < ?{keep}",
        (*ALERTS_DONE, to_iso(cutoff)),
    ) as cur:
        return max(cur.rowcount, 0)


async def _prune_stories(tx: aiosqlite.Connection, tables: set[str], cutoff: datetime) -> int:
    if "stories" not in tables:
        return 0
    cols = await _columns(tx, "stories")
    activity = next((c for c in ("last_seen", "updated_at", "last_article_at") if c in cols), None)
    if activity is None:
        return 0
    citing = [(t, c) for t, c, _ in await _references(tx, "stories")]
    membership = {"story_articles", "story_members"}
    keep_clauses = [
        f"id IN (SELECT {_q(c)} FROM {_q(t)} WHERE {_q(c)} IS NOT NULL)"
        for t, c in citing
        if t not in membership
    ]
    # Tables that name a story without a declared foreign key (alerts.story_id) cite it too.
    for table in sorted(tables - membership - {"stories"}):
        if table.startswith("sqlite_") or (table, "story_id") in citing:
            continue
        if "story_id" in await _columns(tx, table):
            keep_clauses.append(
                f"id IN (SELECT story_id FROM {_q(table)} WHERE story_id IS NOT NULL)"
            )
    where = f"{_q(activity)} < ?" + "".join(f" AND NOT {k}" for k in keep_clauses)
    await tx.execute("DROP TABLE IF EXISTS temp.prune_stories")
    await tx.execute(
        f"CREATE TEMP TABLE prune_stories AS SELECT id FROM stories WHERE {where}",
        (to_iso(cutoff),),
    )
    for table, column in citing:
        if table in membership:
            await tx.execute(
                f"DELETE FROM {_q(table)} WHERE {_q(column)} IN (SELECT id FROM temp.prune_stories)"
            )
    async with tx.execute(
        "DELETE FROM stories WHERE id IN (SELECT id FROM temp.prune_stories)"
    ) as cur:
        deleted = max(cur.rowcount, 0)
    await tx.execute("DROP TABLE temp.prune_stories")
    return deleted


async def record_retention_run(
    tx: aiosqlite.Connection, now: datetime, counts: PruneCounts
) -> None:
    await tx.execute(
        """INSERT INTO ops_retention_runs (at, articles_deleted, articles_kept, outbox_deleted)
           VALUES (?, ?, ?, ?)""",
        (to_iso(now), counts.articles_deleted, counts.articles_kept, counts.outbox_deleted),
    )


# --- file-level (synchronous, run in a thread) ------------------------------------------


def _connect_ro(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    conn.row_factory = sqlite3.Row
    return conn


@dataclass(frozen=True)
class FileStatus:
    """What a read-only look at a database file found."""

    user_version: int
    heartbeat: Heartbeat | None
    has_ops_tables: bool


def peek(path: Path) -> FileStatus:
    """Open ``path`` read-only (never creating or migrating it) and read the heartbeat."""
    conn = _connect_ro(path)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        has_ops = (
            conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ops_heartbeats'"
            ).fetchone()
            is not None
        )
        beat = None
        if has_ops:
            row = conn.execute(
                "SELECT * FROM ops_heartbeats WHERE component = ?", (APP_COMPONENT,)
            ).fetchone()
            beat = None if row is None else _row_to_heartbeat(row)
        return FileStatus(user_version=version, heartbeat=beat, has_ops_tables=has_ops)
    finally:
        conn.close()


def check_writable(path: Path) -> None:
    """Take and release the write lock once (raises ``sqlite3.Error`` if that is impossible)."""
    conn = sqlite3.connect(path, timeout=5.0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def integrity_check(path: Path, quick: bool = False) -> list[str]:
    """``PRAGMA integrity_check`` (or ``quick_check``); ``['ok']`` when the file is sound."""
    conn = _connect_ro(path)
    try:
        pragma = "quick_check" if quick else "integrity_check"
        return [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
    finally:
        conn.close()


def online_backup(source: Path, dest: Path) -> int:
    """Copy ``source`` to ``dest`` with SQLite's online backup API; returns the page count.

    One step (``pages=-1``) inside one read transaction: in WAL mode the copy is a consistent
    snapshot and the running bot's writers are not blocked while it is taken.
    """
    src = _connect_ro(source)
    try:
        create_private(dest)  # a backup holds everything the database does: owner-only
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
            return int(dst.execute("PRAGMA page_count").fetchone()[0])
        finally:
            dst.close()
    finally:
        src.close()


def configured_channels(path: Path) -> list[tuple[int, int, str]]:
    """(guild_id, channel_id, purpose) for every channel a server configured (read-only)."""
    conn = _connect_ro(path)
    try:
        found: list[tuple[int, int, str]] = []
        for row in conn.execute(
            "SELECT guild_id, alert_channel_id, digest_channel_id FROM guilds WHERE guild_id != 0"
        ):
            if row["alert_channel_id"]:
                found.append((int(row["guild_id"]), int(row["alert_channel_id"]), "alerts"))
            if row["digest_channel_id"]:
                found.append((int(row["guild_id"]), int(row["digest_channel_id"]), "digest"))
        feed_cols = {
            str(r[1]) for r in conn.execute("PRAGMA table_info(feed_subscriptions)").fetchall()
        }
        if {"guild_id", "channel_id"} <= feed_cols:
            for row in conn.execute(
                "SELECT DISTINCT guild_id, channel_id FROM feed_subscriptions "
                "WHERE channel_id IS NOT NULL AND guild_id != 0"
            ):
                found.append((int(row["guild_id"]), int(row["channel_id"]), "feed"))
        return sorted(set(found))
    finally:
        conn.close()


async def state_counts(conn: aiosqlite.Connection) -> dict[str, dict[str, int]]:
    """Row counts by state for the metrics gauges: {'articles': {'': n}, 'outbox': {status: n},
    'feeds': {state: n}, 'digest_runs': {status: n}, 'alerts': {status: n}} (missing tables
    are left out)."""
    queries = {
        "articles": "SELECT '', count(*) FROM articles",
        "outbox": "SELECT status, count(*) FROM outbox GROUP BY status",
        "feeds": "SELECT state, count(*) FROM feeds GROUP BY state",
        "digest_runs": "SELECT status, count(*) FROM digest_runs GROUP BY status",
        "alerts": "SELECT status, count(*) FROM alerts GROUP BY status",
    }
    tables = await _tables(conn)
    found: dict[str, dict[str, int]] = {}
    for table, sql in queries.items():
        if table not in tables:
            continue
        async with conn.execute(sql) as cur:
            found[table] = {str(r[0]): int(r[1]) for r in await cur.fetchall()}
    return found
