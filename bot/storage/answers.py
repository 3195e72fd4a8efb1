"""/ask answers kept with their message, so its Sources button shows exactly its citations."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.clock import to_iso
from bot.models import Answer


async def keep(
    tx: aiosqlite.Connection, answer_id: int, guild_id: int, answer: Answer, now: datetime
) -> None:
    """Store an answer under ``answer_id`` (in a transaction; kept once)."""
    await tx.execute(
        """INSERT INTO answers (id, guild_id, question, answer_json, created_at)
           VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING""",
        (answer_id, guild_id, answer.question, answer.model_dump_json(), to_iso(now)),
    )


async def get(conn: aiosqlite.Connection, answer_id: int) -> tuple[int, Answer] | None:
    """(server, answer) of a kept answer, or None."""
    async with conn.execute(
        "SELECT guild_id, answer_json FROM answers WHERE id = ?", (answer_id,)
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    return int(row[0]), Answer.model_validate_json(row[1])
