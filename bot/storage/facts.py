"""The facts table and its FTS5 index (facts_fts) plus the vocabulary view (facts_vocab).

Callers pass FTS5 match expressions built by ``fts_query``: every term is double-quoted,
so nothing a user typed is ever parsed as FTS5 syntax.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import to_iso

FACT_COLUMNS = (
    "article_id, position, kind, text, section, entities, context, quantities, dates, "
    "first_date, attribution, published, added_at, terms"
)


@dataclass(frozen=True, slots=True)
class FactRow:
    """One stored fact with its article's citation fields."""

    id: int
    article_id: int
    position: int
    kind: str
    text: str
    section: str
    entities: list[tuple[str, str]]
    context: list[str]
    quantities: list[dict[str, Any]]
    dates: list[dict[str, Any]]
    attribution: str | None
    published: str
    added_at: str
    headline: str
    publisher: str
    url: str | None


def fts_query(terms: Iterable[str], op: str = "AND") -> str:
    """A safe match expression: each term double-quoted, joined by AND/OR."""
    if op not in ("AND", "OR"):
        raise ValueError(op)
    quoted = ['"' + t.replace('"', '""') + '"' for t in terms if t]
    return f" {op} ".join(quoted)


async def has_facts(conn: aiosqlite.Connection, article_id: int) -> bool:
    async with conn.execute(
        "SELECT 1 FROM facts WHERE article_id = ? LIMIT 1", (article_id,)
    ) as cur:
        return await cur.fetchone() is not None


async def insert_facts(conn: aiosqlite.Connection, rows: Sequence[Sequence[Any]]) -> None:
    """Insert fact rows (values in ``FACT_COLUMNS`` order); the trigger indexes them."""
    await conn.executemany(
        f"INSERT OR IGNORE INTO facts ({FACT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )


async def doc_frequencies(conn: aiosqlite.Connection, terms: Sequence[str]) -> dict[str, int]:
    """How many facts contain each term (0 when unknown)."""
    out = dict.fromkeys(terms, 0)
    unique = list(dict.fromkeys(terms))
    if not unique:
        return out
    # One statement, one equality lookup per term (fts5vocab serves term = ? without a scan).
    sql = " UNION ALL ".join(["SELECT term, doc FROM facts_vocab WHERE term = ?"] * len(unique))
    async with conn.execute(sql, unique) as cur:
        for term, doc in await cur.fetchall():
            out[str(term)] = int(doc)
    return out


async def count_facts(conn: aiosqlite.Connection) -> int:
    async with conn.execute("SELECT max(id) FROM facts") as cur:
        row = await cur.fetchone()
    return int(row[0] or 0) if row else 0


async def match_ids(
    conn: aiosqlite.Connection, expression: str, limit: int, *, newest_first: bool = True
) -> list[int]:
    """Fact ids matching ``expression`` (from :func:`fts_query`), newest first, capped."""
    order = "DESC" if newest_first else "ASC"
    async with conn.execute(
        f"SELECT rowid FROM facts_fts WHERE facts_fts MATCH ? ORDER BY rowid {order} LIMIT ?",  # noqa: S608 - constant
        (expression, limit),
    ) as cur:
        return [int(r[0]) for r in await cur.fetchall()]


async def match_ranked(conn: aiosqlite.Connection, expression: str, limit: int) -> list[int]:
    """Fact ids matching ``expression`` ordered by BM25 (the bare FTS5 baseline)."""
    async with conn.execute(
        "SELECT rowid FROM facts_fts WHERE facts_fts MATCH ? ORDER BY rank LIMIT ?",
        (expression, limit),
    ) as cur:
        return [int(r[0]) for r in await cur.fetchall()]


_SELECT = """SELECT f.id, f.article_id, f.position, f.kind, f.text, f.section, f.entities,
       f.context, f.quantities, f.dates, f.attribution, f.published, f.added_at,
       a.title AS headline, a.publisher, a.url
  FROM facts f JOIN articles a ON a.id = f.article_id"""


def _row(r: aiosqlite.Row) -> FactRow:
    return FactRow(
        id=int(r["id"]),
        article_id=int(r["article_id"]),
        position=int(r["position"]),
        kind=r["kind"],
        text=r["text"],
        section=r["section"],
        entities=[(str(n), str(t)) for n, t in json.loads(r["entities"])],
        context=list(json.loads(r["context"])),
        quantities=list(json.loads(r["quantities"])),
        dates=list(json.loads(r["dates"])),
        attribution=r["attribution"],
        published=r["published"],
        added_at=r["added_at"],
        headline=r["headline"],
        publisher=r["publisher"],
        url=r["url"],
    )


async def get_facts(conn: aiosqlite.Connection, ids: Sequence[int]) -> list[FactRow]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    async with conn.execute(f"{_SELECT} WHERE f.id IN ({marks})", list(ids)) as cur:  # noqa: S608 - placeholders only
        return [_row(r) for r in await cur.fetchall()]


async def facts_at(conn: aiosqlite.Connection, places: Sequence[tuple[int, int]]) -> list[FactRow]:
    """Facts at (article_id, position) places, e.g. the neighbours of candidates."""
    if not places:
        return []
    values = ",".join("(?,?)" * 1 for _ in places)
    params = [v for place in places for v in place]
    async with conn.execute(
        f"{_SELECT} WHERE (f.article_id, f.position) IN (VALUES {values})",  # noqa: S608 - placeholders only
        params,
    ) as cur:
        return [_row(r) for r in await cur.fetchall()]


async def section_facts(
    conn: aiosqlite.Connection, article_id: int, after_position: int, limit: int
) -> list[FactRow]:
    """The sentences that follow a heading/title in its article."""
    async with conn.execute(
        f"{_SELECT} WHERE f.article_id = ? AND f.position > ? AND f.kind = 'sentence' "
        "ORDER BY f.position LIMIT ?",
        (article_id, after_position, limit),
    ) as cur:
        return [_row(r) for r in await cur.fetchall()]


async def facts_added_since(
    conn: aiosqlite.Connection, since: datetime, limit: int
) -> list[FactRow]:
    async with conn.execute(
        f"{_SELECT} WHERE f.added_at >= ? AND f.kind = 'sentence' ORDER BY f.added_at, f.id LIMIT ?",
        (to_iso(since), limit),
    ) as cur:
        return [_row(r) for r in await cur.fetchall()]


async def dated_facts_matching(
    conn: aiosqlite.Connection, expression: str, limit: int
) -> list[FactRow]:
    """Facts with at least one date matching ``expression``, oldest date first."""
    async with conn.execute(
        f"""{_SELECT} WHERE f.id IN (SELECT rowid FROM facts_fts WHERE facts_fts MATCH ?)
              AND f.first_date IS NOT NULL AND f.kind = 'sentence'
            ORDER BY f.first_date, f.published, f.position LIMIT ?""",
        (expression, limit),
    ) as cur:
        return [_row(r) for r in await cur.fetchall()]
