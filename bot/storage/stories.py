"""The stories and story_articles tables (bot/stories groups, alerts and digests read)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.clock import from_iso, to_iso
from bot.models import Article, StoryRef
from bot.storage.articles import _row_to_article

_STORY_COLUMNS = (
    "s.id, s.title, s.first_publisher, s.first_published, s.article_count, s.first_article_id"
)


def _distinct_outlets(publishers: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    outlets = []
    for name in publishers:
        key = name.casefold().strip()
        if key and key not in seen:
            seen.add(key)
            outlets.append(name)
    return outlets


async def _outlets(conn: aiosqlite.Connection, story_ids: list[int]) -> dict[int, list[str]]:
    if not story_ids:
        return {}
    found: dict[int, list[str]] = {sid: [] for sid in story_ids}
    marks = ",".join("?" * len(story_ids))
    async with conn.execute(
        f"SELECT story_id, publisher FROM story_articles WHERE story_id IN ({marks})"  # noqa: S608 - placeholders only
        " ORDER BY story_id, seq",
        story_ids,
    ) as cur:
        async for row in cur:
            found[int(row[0])].append(str(row[1]))
    return {sid: _distinct_outlets(names) for sid, names in found.items()}


def _ref(row: aiosqlite.Row, outlets: list[str], is_new: bool = False) -> StoryRef:
    return StoryRef(
        story_id=int(row["id"]),
        is_new=is_new,
        article_count=int(row["article_count"]),
        outlets=outlets,
        first_publisher=row["first_publisher"],
        first_published=from_iso(row["first_published"]),
        title=row["title"],
    )


async def get_story(
    conn: aiosqlite.Connection, story_id: int, is_new: bool = False
) -> StoryRef | None:
    async with conn.execute(
        f"""SELECT {_STORY_COLUMNS},
                   (SELECT group_concat(publisher, char(31)) FROM
                       (SELECT publisher FROM story_articles WHERE story_id = s.id ORDER BY seq)
                   ) AS publishers
            FROM stories s WHERE s.id = ?""",  # noqa: S608 - constant columns
        (story_id,),
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    publishers = row["publishers"].split("\x1f") if row["publishers"] else []
    return _ref(row, _distinct_outlets(publishers), is_new)


async def stories_since(conn: aiosqlite.Connection, since: datetime) -> list[StoryRef]:
    """Stories an article joined at or after ``since`` (new ones and ones that grew)."""
    async with conn.execute(
        f"SELECT {_STORY_COLUMNS} FROM stories s WHERE s.updated_at >= ?"  # noqa: S608 - constant columns
        " ORDER BY s.first_published, s.id",
        (to_iso(since),),
    ) as cur:
        rows = list(await cur.fetchall())
    outlets = await _outlets(conn, [int(r["id"]) for r in rows])
    return [_ref(r, outlets.get(int(r["id"]), [])) for r in rows]


async def story_of(conn: aiosqlite.Connection, article_id: int) -> tuple[int, int] | None:
    """``(story_id, seq)`` of an article already assigned, else None."""
    return (await assignments(conn, [article_id])).get(article_id)


async def assignments(
    conn: aiosqlite.Connection, article_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """``article_id -> (story_id, seq)`` for those of ``article_ids`` visible on ``conn``."""
    ids = list(article_ids)
    found: dict[int, tuple[int, int]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        async with conn.execute(
            f"SELECT article_id, story_id, seq FROM story_articles WHERE article_id IN ({marks})",  # noqa: S608 - placeholders only
            chunk,
        ) as cur:
            for r in await cur.fetchall():
                found[int(r[0])] = (int(r[1]), int(r[2]))
    return found


async def create_story(conn: aiosqlite.Connection, article: Article, now: datetime) -> int:
    """A new story whose first article is ``article`` (already stored, id set)."""
    assert article.id is not None
    published = to_iso(article.published)
    async with conn.execute(
        """INSERT INTO stories (first_article_id, title, first_publisher, first_published,
                                last_published, article_count, outlet_count, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, 1, 1, ?, ?)""",
        (
            article.id,
            article.title,
            article.publisher,
            published,
            published,
            to_iso(now),
            to_iso(now),
        ),
    ) as cur:
        story_id = cur.lastrowid
    assert story_id is not None
    await conn.execute(
        """INSERT INTO story_articles (article_id, story_id, seq, publisher, via, score, added_at)
           VALUES (?, ?, 1, ?, 'new', NULL, ?)""",
        (article.id, story_id, article.publisher, to_iso(now)),
    )
    return int(story_id)


async def add_to_story(
    conn: aiosqlite.Connection,
    story_id: int,
    article: Article,
    via: str,
    score: float,
    now: datetime,
) -> None:
    """Record ``article`` as part of ``story_id``; an earlier publication becomes the first."""
    assert article.id is not None
    await conn.execute(
        """INSERT INTO story_articles (article_id, story_id, seq, publisher, via, score, added_at)
           SELECT ?, ?, coalesce(max(seq), 0) + 1, ?, ?, ?, ? FROM story_articles
           WHERE story_id = ?""",
        (article.id, story_id, article.publisher, via, round(score, 4), to_iso(now), story_id),
    )
    published = to_iso(article.published)
    await conn.execute(
        """UPDATE stories SET
               article_count = article_count + 1,
               outlet_count = (SELECT count(DISTINCT lower(trim(publisher))) FROM story_articles
                               WHERE story_id = stories.id),
               first_article_id = CASE WHEN ? < first_published THEN ? ELSE first_article_id END,
               title = CASE WHEN ? < first_published THEN ? ELSE title END,
               first_publisher = CASE WHEN ? < first_published THEN ? ELSE first_publisher END,
               last_published = max(last_published, ?),
               updated_at = ?,
               first_published = min(first_published, ?)
           WHERE id = ?""",
        (
            published,
            article.id,
            published,
            article.title,
            published,
            article.publisher,
            published,
            to_iso(now),
            published,
            story_id,
        ),
    )


async def present_articles(conn: aiosqlite.Connection, article_ids: Sequence[int]) -> set[int]:
    """Which of ``article_ids`` have a story row visible on ``conn``."""
    return set(await assignments(conn, article_ids))


@dataclass(frozen=True, slots=True)
class GroupedRow:
    """What the in-memory index needs of one grouped article (no Article object: start-up
    reads every article of the window)."""

    story_id: int
    article_id: int
    title: str
    text: str
    publisher: str
    published: datetime
    url: str | None
    content_hash: str


async def iter_grouped_articles(
    conn: aiosqlite.Connection, since: datetime
) -> AsyncIterator[GroupedRow]:
    """Every grouped article published at or after ``since``, oldest first, streamed (what
    the in-memory index is rebuilt from at start)."""
    async with conn.execute(
        """SELECT sa.story_id, a.id, a.title, a.summary, a.body, a.publisher, a.published,
                  a.url, a.content_hash
           FROM story_articles sa JOIN articles a ON a.id = sa.article_id
           WHERE a.published >= ? ORDER BY a.published, a.id""",
        (to_iso(since),),
    ) as cur:
        async for r in cur:
            summary, body = r[3] or "", r[4] or ""
            # Article.text: the body when it repeats the summary, else both
            if summary and body and body.startswith(summary[:200]):
                text = body
            else:
                text = "\n\n".join(p for p in (summary, body) if p)
            yield GroupedRow(
                story_id=int(r[0]),
                article_id=int(r[1]),
                title=r[2],
                text=text,
                publisher=r[5],
                published=from_iso(r[6]),
                url=r[7],
                content_hash=r[8],
            )


async def articles_of(conn: aiosqlite.Connection, story_id: int) -> list[Article]:
    """A story's articles in the order they joined it."""
    async with conn.execute(
        """SELECT a.* FROM story_articles sa JOIN articles a ON a.id = sa.article_id
           WHERE sa.story_id = ? ORDER BY sa.seq""",
        (story_id,),
    ) as cur:
        rows = await cur.fetchall()
    return [_row_to_article(r) for r in rows]
