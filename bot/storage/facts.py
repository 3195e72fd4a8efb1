"""The facts table and its FTS5 index (facts_fts) plus the vocabulary view (facts_vocab).

Callers pass FTS5 match expressions built by ``fts_query``: every term is double-quoted,
so nothing a user typed is ever parsed as FTS5 syntax.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.clock import to_iso

FACT_COLUMNS = (
    "article_id, position, kind, text, section, entities, context, quantities, dates, "
    "first_date, attribution, published, added_at, terms, vec"
)


class FactRow:
    """One stored fact with its article's citation fields; JSON columns parse on first use."""

    __slots__ = (
        "id",
        "article_id",
        "position",
        "kind",
        "text",
        "section",
        "attribution",
        "published",
        "added_at",
        "headline",
        "publisher",
        "url",
        "terms",
        "vec",
        "_raw",
        "_parsed",
    )

    def __init__(self, r: sqlite3.Row | aiosqlite.Row) -> None:
        self.id = int(r["id"])
        self.article_id = int(r["article_id"])
        self.position = int(r["position"])
        self.kind: str = r["kind"]
        self.text: str = r["text"]
        self.section: str = r["section"]
        self.attribution: str | None = r["attribution"]
        self.published: str = r["published"]
        self.added_at: str = r["added_at"]
        self.headline: str = r["headline"]
        self.publisher: str = r["publisher"]
        self.url: str | None = r["url"]
        self.terms: str = r["terms"]
        self.vec: bytes | None = r["vec"] if "vec" in r.keys() else None
        self._raw = (r["entities"], r["context"], r["quantities"], r["dates"])
        self._parsed: list[Any] = [None, None, None, None]

    def _json(self, index: int) -> Any:
        value = self._parsed[index]
        if value is None:
            value = self._parsed[index] = json.loads(self._raw[index])
        return value

    @property
    def entities(self) -> list[tuple[str, str]]:
        return [(str(n), str(t)) for n, t in self._json(0)]

    @property
    def context(self) -> list[str]:
        return list(self._json(1))

    @property
    def quantities(self) -> list[dict[str, Any]]:
        return list(self._json(2))

    @property
    def dates(self) -> list[dict[str, Any]]:
        return list(self._json(3))


def fts_query(terms: Iterable[str], op: str = "AND") -> str:
    """A safe match expression: each term double-quoted, joined by AND/OR."""
    if op not in ("AND", "OR"):
        raise ValueError(op)
    quoted = ['"' + t.replace('"', '""') + '"' for t in terms if t]
    return f" {op} ".join(quoted)


def fts_groups(groups: Iterable[Sequence[str]]) -> str:
    """AND of OR-groups (a term and its synonyms): ``("a" OR "b") AND "c"``, safely quoted."""
    parts = []
    for group in groups:
        inner = fts_query(group, "OR")
        if inner:
            parts.append(f"({inner})" if len(group) > 1 else inner)
    return " AND ".join(parts)


async def has_facts(conn: aiosqlite.Connection, article_id: int) -> bool:
    async with conn.execute(
        "SELECT 1 FROM facts WHERE article_id = ? LIMIT 1", (article_id,)
    ) as cur:
        return await cur.fetchone() is not None


async def articles_with_facts(conn: aiosqlite.Connection, article_ids: Sequence[int]) -> set[int]:
    """:func:`has_facts` for many articles: those of ``article_ids`` that have facts."""
    ids = list(dict.fromkeys(article_ids))
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ",".join("?" * len(part))
        async with conn.execute(
            f"SELECT DISTINCT article_id FROM facts WHERE article_id IN ({marks})",  # noqa: S608 - placeholders only
            part,
        ) as cur:
            found.update(int(r[0]) for r in await cur.fetchall())
    return found


async def insert_facts(conn: aiosqlite.Connection, rows: Sequence[Sequence[Any]]) -> None:
    """Insert fact rows (values in ``FACT_COLUMNS`` order; a row without its vector gets
    NULL); the trigger indexes them."""
    width = FACT_COLUMNS.count(",") + 1
    await conn.executemany(
        f"INSERT OR IGNORE INTO facts ({FACT_COLUMNS}) VALUES ({','.join('?' * width)})",
        [tuple(r) if len(r) == width else (*r, None) for r in rows],
    )


# --- analysis versions ------------------------------------------------------------------------
async def set_analysis_version(tx: aiosqlite.Connection, article_id: int, version: int) -> None:
    await tx.execute(
        "INSERT INTO fact_analysis (article_id, version) VALUES (?, ?) "
        "ON CONFLICT (article_id) DO UPDATE SET version = excluded.version",
        (article_id, version),
    )


async def set_analysis_versions(
    tx: aiosqlite.Connection, article_ids: Sequence[int], version: int
) -> None:
    """:func:`set_analysis_version` for many articles in one statement."""
    await tx.executemany(
        "INSERT INTO fact_analysis (article_id, version) VALUES (?, ?) "
        "ON CONFLICT (article_id) DO UPDATE SET version = excluded.version",
        [(article_id, version) for article_id in article_ids],
    )


async def analysis_version(conn: aiosqlite.Connection, article_id: int) -> int | None:
    async with conn.execute(
        "SELECT version FROM fact_analysis WHERE article_id = ?", (article_id,)
    ) as cur:
        row = await cur.fetchone()
    return None if row is None else int(row[0])


async def outdated_articles(conn: aiosqlite.Connection, version: int, limit: int) -> list[int]:
    """Articles whose facts an older analysis produced (indexed: cheap when there are none)."""
    async with conn.execute(
        "SELECT article_id FROM fact_analysis WHERE version < ? ORDER BY article_id LIMIT ?",
        (version, limit),
    ) as cur:
        return [int(r[0]) for r in await cur.fetchall()]


async def first_added(conn: aiosqlite.Connection, article_id: int) -> str | None:
    """When the article's facts were first stored (kept across re-analysis: digests use it)."""
    async with conn.execute(
        "SELECT min(added_at) FROM facts WHERE article_id = ?", (article_id,)
    ) as cur:
        row = await cur.fetchone()
    return None if row is None or row[0] is None else str(row[0])


async def delete_facts(tx: aiosqlite.Connection, article_id: int) -> None:
    """Remove an article's facts (the trigger keeps the index in step)."""
    await tx.execute("DELETE FROM facts WHERE article_id = ?", (article_id,))


async def match_ranked(conn: aiosqlite.Connection, expression: str, limit: int) -> list[int]:
    """Fact ids matching ``expression`` ordered by BM25 (the bare FTS5 baseline)."""
    async with conn.execute(
        "SELECT rowid FROM facts_fts WHERE facts_fts MATCH ? ORDER BY rank LIMIT ?",
        (expression, limit),
    ) as cur:
        return [int(r[0]) for r in await cur.fetchall()]


_SELECT = """SELECT f.id, f.article_id, f.position, f.kind, f.text, f.section, f.entities,
       f.context, f.quantities, f.dates, f.attribution, f.published, f.added_at, f.terms,
       f.vec, a.title AS headline, a.publisher, a.url
  FROM facts f JOIN articles a ON a.id = f.article_id"""


def _row(r: sqlite3.Row | aiosqlite.Row) -> FactRow:
    return FactRow(r)


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


# --- the synchronous read path of ``ask`` (one thread hop per question) ----------------------
def open_reader(path: Path) -> sqlite3.Connection:
    """A read-only connection for the question path; use it from one thread at a time."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"  # percent-encoded: spaces, '#', '?' are safe
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA query_only = ON")
    return conn


def doc_frequencies(conn: sqlite3.Connection, terms: Sequence[str]) -> dict[str, int]:
    """How many facts contain each term (0 when unknown)."""
    out = dict.fromkeys(terms, 0)
    unique = list(dict.fromkeys(terms))
    if not unique:
        return out
    # One statement, one equality lookup per term (fts5vocab serves term = ? without a scan).
    sql = " UNION ALL ".join(["SELECT term, doc FROM facts_vocab WHERE term = ?"] * len(unique))
    for term, doc in conn.execute(sql, unique).fetchall():
        out[str(term)] = int(doc)
    return out


def count_facts(conn: sqlite3.Connection) -> int:
    """Highest fact id: a cheap stand-in for the number of facts (idf, cache keys)."""
    row = conn.execute("SELECT max(id) FROM facts").fetchone()
    return int(row[0] or 0) if row else 0


def match_ids(conn: sqlite3.Connection, expression: str, limit: int) -> list[int]:
    """Fact ids matching ``expression`` (from :func:`fts_query`), newest first, capped."""
    rows = conn.execute(
        "SELECT rowid FROM facts_fts WHERE facts_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
        (expression, limit),
    ).fetchall()
    return [int(r[0]) for r in rows]


def get_facts(conn: sqlite3.Connection, ids: Sequence[int]) -> list[FactRow]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"{_SELECT} WHERE f.id IN ({marks})", list(ids)).fetchall()  # noqa: S608 - placeholders only
    return [_row(r) for r in rows]


def facts_at(conn: sqlite3.Connection, places: Sequence[tuple[int, int]]) -> list[FactRow]:
    """Facts at (article_id, position) places, e.g. the neighbours of candidates."""
    if not places:
        return []
    values = ",".join("(?,?)" for _ in places)
    params = [v for place in places for v in place]
    # A join from the wanted places lets SQLite use the (article_id, position) unique index.
    sql = f"WITH wanted(a, p) AS (VALUES {values}) " + _SELECT.replace(
        "FROM facts f",
        "FROM wanted w CROSS JOIN facts f ON f.article_id = w.a AND f.position = w.p",
    )
    rows = conn.execute(sql, params).fetchall()
    return [_row(r) for r in rows]


def article_terms(conn: sqlite3.Connection, article_ids: Sequence[int]) -> dict[int, set[str]]:
    """Every index term of each article (names said in other sentences count for it)."""
    out: dict[int, set[str]] = {}
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return out
    marks = ",".join("?" * len(ids))
    sql = f"SELECT article_id, terms FROM facts WHERE article_id IN ({marks})"  # noqa: S608 - placeholders only
    for article_id, terms in conn.execute(sql, ids).fetchall():
        out.setdefault(int(article_id), set()).update(str(terms).split())
    return out


def ranked_ids(conn: sqlite3.Connection, expression: str, limit: int) -> list[int]:
    """Fact ids matching ``expression`` ordered by BM25 (best first), capped."""
    rows = conn.execute(
        "SELECT rowid FROM facts_fts WHERE facts_fts MATCH ? ORDER BY rank LIMIT ?",
        (expression, limit),
    ).fetchall()
    return [int(r[0]) for r in rows]
