"""Per-server settings (the ``guilds`` table). Guild 0 is the console/CLI newsroom."""

from __future__ import annotations

from typing import Any

import aiosqlite

from bot.clock import Clock, to_iso
from bot.models import GuildConfig

_COLUMNS = (
    "name",
    "alert_channel_id",
    "digest_channel_id",
    "timezone",
    "digest_time",
    "quiet_start",
    "quiet_end",
    "alerts_paused",
    "newsroom_role_id",
)


def _row(row: aiosqlite.Row) -> GuildConfig:
    return GuildConfig(
        guild_id=row["guild_id"],
        name=row["name"],
        alert_channel_id=row["alert_channel_id"],
        digest_channel_id=row["digest_channel_id"],
        timezone=row["timezone"],
        digest_time=row["digest_time"],
        quiet_start=row["quiet_start"],
        quiet_end=row["quiet_end"],
        alerts_paused=bool(row["alerts_paused"]),
        newsroom_role_id=row["newsroom_role_id"],
    )


async def ensure_guild(
    conn: aiosqlite.Connection,
    guild_id: int,
    clock: Clock,
    *,
    name: str = "",
    timezone: str = "Europe/Kyiv",
    digest_time: str = "08:00",
) -> GuildConfig:
    """Create the guild's row with defaults if missing; return its config. Inside a transaction."""
    await conn.execute(
        """INSERT INTO guilds (guild_id, name, timezone, digest_time, created_at)
           VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO NOTHING""",
        (guild_id, name, timezone, digest_time, to_iso(clock.now())),
    )
    got = await get_guild(conn, guild_id)
    assert got is not None
    return got


async def get_guild(conn: aiosqlite.Connection, guild_id: int) -> GuildConfig | None:
    async with conn.execute("SELECT * FROM guilds WHERE guild_id = ?", (guild_id,)) as cur:
        row = await cur.fetchone()
    return None if row is None else _row(row)


async def list_guilds(conn: aiosqlite.Connection) -> list[GuildConfig]:
    async with conn.execute("SELECT * FROM guilds ORDER BY guild_id") as cur:
        return [_row(r) for r in await cur.fetchall()]


async def update_guild(conn: aiosqlite.Connection, guild_id: int, **changes: Any) -> None:
    """Update named columns of a guild row. Inside a transaction."""
    unknown = set(changes) - set(_COLUMNS)
    if unknown:
        raise ValueError(f"unknown guild settings: {sorted(unknown)}")
    for column, value in changes.items():
        # column names come from the fixed whitelist above, values are parameters
        await conn.execute(f"UPDATE guilds SET {column} = ? WHERE guild_id = ?", (value, guild_id))
