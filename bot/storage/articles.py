"""The articles table."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

import aiosqlite

from bot.clock import from_iso, to_iso
from bot.models import Article

_SPACE = re.compile(r"\s+")


def content_hash(title: str, text: str) -> str:
    norm = _SPACE.sub(" ", f"{title}\n{text}".casefold()).strip()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def _row_to_article(row: aiosqlite.Row) -> Article:
    return Article(
        id=row["id"],
        entry_key=row["entry_key"],
        url=row["url"],
        title=row["title"],
        summary=row["summary"],
        body=row["body"],
        publisher=row["publisher"],
        published=from_iso(row["published"]),
        first_seen=from_iso(row["first_seen"]),
        language=row["language"],
        source=row["source"],
    )


async def insert_article(conn: aiosqlite.Connection, article: Article) -> tuple[int, bool]:
    """Store ``article`` unless its entry key is known. Returns ``(id, created)``.

    Call inside ``Database.transaction()``.
    """
    async with conn.execute(
        "SELECT id FROM articles WHERE entry_key = ?", (article.entry_key,)
    ) as cur:
        row = await cur.fetchone()
    if row is not None:
        return int(row[0]), False
    async with conn.execute(
        """INSERT INTO articles (entry_key, url, title, summary, body, publisher, published,
                                 first_seen, language, source, content_hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            article.entry_key,
            article.url,
            article.title,
            article.summary,
            article.body,
            article.publisher,
            to_iso(article.published),
            to_iso(article.first_seen),
            article.language,
            article.source,
            content_hash(article.title, article.text),
        ),
    ) as cur:
        new_id = cur.lastrowid
    assert new_id is not None
    return int(new_id), True


async def get_article(conn: aiosqlite.Connection, article_id: int) -> Article | None:
    async with conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)) as cur:
        row = await cur.fetchone()
    return None if row is None else _row_to_article(row)


async def get_articles(conn: aiosqlite.Connection, ids: list[int]) -> dict[int, Article]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    async with conn.execute(f"SELECT * FROM articles WHERE id IN ({marks})", ids) as cur:  # noqa: S608 - placeholders only
        rows = await cur.fetchall()
    return {int(r["id"]): _row_to_article(r) for r in rows}


async def articles_since(conn: aiosqlite.Connection, since: datetime) -> list[Article]:
    async with conn.execute(
        "SELECT * FROM articles WHERE first_seen >= ? ORDER BY published", (to_iso(since),)
    ) as cur:
        rows = await cur.fetchall()
    return [_row_to_article(r) for r in rows]


async def count_articles(conn: aiosqlite.Connection) -> int:
    async with conn.execute("SELECT count(*) FROM articles") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0
