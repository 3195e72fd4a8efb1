"""Row counts for `/status` and the console's status line. Tables that do not exist count 0."""

from __future__ import annotations

import aiosqlite

# table -> label; fixed names (never user input), so they may be formatted into SQL.
COUNTED = {
    "articles": "articles",
    "facts": "facts",
    "stories": "stories",
    "alerts": "alerts",
    "feeds": "feeds",
}


async def table_counts(conn: aiosqlite.Connection) -> dict[str, int]:
    async with conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cur:
        present = {str(r[0]) for r in await cur.fetchall()}
    counts: dict[str, int] = {}
    for table, label in COUNTED.items():
        if table not in present:
            counts[label] = 0
            continue
        async with conn.execute(f'SELECT count(*) FROM "{table}"') as cur:
            row = await cur.fetchone()
        counts[label] = int(row[0]) if row else 0
    return counts
