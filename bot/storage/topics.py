"""The topics table (shipped and per-server topics) and its change counter."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from bot.clock import to_iso
from bot.models import Topic


def _row_to_topic(row: aiosqlite.Row) -> Topic:
    return Topic(
        id=row["id"],
        guild_id=row["guild_id"],
        name=row["name"],
        any_of=tuple(json.loads(row["any_of"])),
        all_of=tuple(tuple(g) for g in json.loads(row["all_of"])),
        none_of=tuple(json.loads(row["none_of"])),
        ping_role_id=row["ping_role_id"],
    )


_COLUMNS = "id, guild_id, name, any_of, all_of, none_of, ping_role_id"


async def topics_for(conn: aiosqlite.Connection, guild_id: int | None) -> list[Topic]:
    """Shipped topics first (by id), then the server's own (``guild_id`` None: shipped only)."""
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM topics WHERE guild_id IS NULL OR guild_id = ? "  # noqa: S608 - constant
        "ORDER BY guild_id IS NOT NULL, id",
        (guild_id,),
    ) as cur:
        rows = await cur.fetchall()
    return [_row_to_topic(r) for r in rows]


async def find_topic(
    conn: aiosqlite.Connection, guild_id: int | None, name_key: str
) -> Topic | None:
    """The server's topic with this folded name, else the shipped one."""
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM topics WHERE name_key = ? AND (guild_id IS NULL OR guild_id = ?) "  # noqa: S608 - constant
        "ORDER BY guild_id IS NULL LIMIT 1",
        (name_key, guild_id),
    ) as cur:
        row = await cur.fetchone()
    return None if row is None else _row_to_topic(row)


async def topic_by_name_any_guild(conn: aiosqlite.Connection, name_key: str) -> list[Topic]:
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM topics WHERE name_key = ?",  # noqa: S608 - constant
        (name_key,),
    ) as cur:
        rows = await cur.fetchall()
    return [_row_to_topic(r) for r in rows]


async def insert_topic(
    conn: aiosqlite.Connection,
    *,
    guild_id: int | None,
    name: str,
    name_key: str,
    any_of: Sequence[str],
    all_of: Sequence[Sequence[str]],
    none_of: Sequence[str],
    ping_role_id: int | None,
    now: datetime,
) -> int:
    async with conn.execute(
        """INSERT INTO topics (guild_id, name, name_key, any_of, all_of, none_of, ping_role_id,
                               created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            guild_id,
            name,
            name_key,
            json.dumps(list(any_of), ensure_ascii=False),
            json.dumps([list(g) for g in all_of], ensure_ascii=False),
            json.dumps(list(none_of), ensure_ascii=False),
            ping_role_id,
            to_iso(now),
            to_iso(now),
        ),
    ) as cur:
        new_id = cur.lastrowid
    assert new_id is not None
    return int(new_id)


async def update_topic_rule(
    conn: aiosqlite.Connection,
    topic_id: int,
    *,
    name: str,
    any_of: Sequence[str],
    all_of: Sequence[Sequence[str]],
    none_of: Sequence[str],
    now: datetime,
) -> None:
    await conn.execute(
        """UPDATE topics SET name = ?, any_of = ?, all_of = ?, none_of = ?, updated_at = ?
           WHERE id = ?""",
        (
            name,
            json.dumps(list(any_of), ensure_ascii=False),
            json.dumps([list(g) for g in all_of], ensure_ascii=False),
            json.dumps(list(none_of), ensure_ascii=False),
            to_iso(now),
            topic_id,
        ),
    )


async def delete_topic(conn: aiosqlite.Connection, topic_id: int) -> None:
    await conn.execute("DELETE FROM topics WHERE id = ?", (topic_id,))


async def topics_version(conn: aiosqlite.Connection) -> int:
    """The change counter: it moves on every insert, update and delete of a topic."""
    async with conn.execute("SELECT version FROM topics_version WHERE id = 1") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def articles_published_since(
    conn: aiosqlite.Connection, since: datetime, limit: int
) -> list[aiosqlite.Row]:
    """Rows (id, title, summary, body, publisher, published, url) newest first, for backtests."""
    async with conn.execute(
        """SELECT id, title, summary, body, publisher, published, url FROM articles
           WHERE published >= ? ORDER BY published DESC, id DESC LIMIT ?""",
        (to_iso(since), limit),
    ) as cur:
        return list(await cur.fetchall())
