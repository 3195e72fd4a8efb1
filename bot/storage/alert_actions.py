"""What editors did with an alert's buttons (verified, story muted, source muted) and the mutes.

``bot.alerts.actions`` writes here when a button is pressed (and lists and undoes mutes); the
Discord shell reads it to show the state on the
alert. ``is_story_muted`` / ``is_source_muted`` are for the alerts intake to honour the mutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiosqlite

from bot.clock import from_iso, to_iso

Action = Literal["verified", "muted_story", "muted_source"]
ACTIONS: tuple[Action, ...] = ("verified", "muted_story", "muted_source")


@dataclass(frozen=True)
class ActionMark:
    action: Action
    user_id: int
    user_name: str
    at: datetime


@dataclass(frozen=True)
class AlertSubject:
    """The alert facts a button needs: where it is, which story, topic and outlet."""

    alert_id: int
    guild_id: int
    story_id: int
    topic: str
    publisher: str


async def alert_subject(conn: aiosqlite.Connection, alert_id: int) -> AlertSubject | None:
    async with conn.execute(
        "SELECT id, guild_id, story_id, topic, publisher FROM alerts WHERE id = ?", (alert_id,)
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    return AlertSubject(
        alert_id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        story_id=int(row["story_id"]),
        topic=str(row["topic"]),
        publisher=str(row["publisher"]),
    )


async def record(
    tx: aiosqlite.Connection,
    subject: AlertSubject,
    action: Action,
    user_id: int,
    user_name: str,
    now: datetime,
) -> bool:
    """Record an action (and its mute); False when it had already been done. In a transaction."""
    async with tx.execute(
        """INSERT INTO alert_actions (alert_id, action, guild_id, user_id, user_name, at)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (alert_id, action) DO NOTHING""",
        (subject.alert_id, action, subject.guild_id, user_id, user_name, to_iso(now)),
    ) as cur:
        created = cur.rowcount > 0
    if action == "muted_story":
        await tx.execute(
            """INSERT INTO muted_stories (guild_id, story_id, user_id, at) VALUES (?, ?, ?, ?)
               ON CONFLICT (guild_id, story_id) DO NOTHING""",
            (subject.guild_id, subject.story_id, user_id, to_iso(now)),
        )
    elif action == "muted_source":
        await tx.execute(
            """INSERT INTO muted_sources (guild_id, topic, publisher, user_id, at)
               VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, topic, publisher) DO NOTHING""",
            (subject.guild_id, subject.topic, subject.publisher, user_id, to_iso(now)),
        )
    return created


async def marks(conn: aiosqlite.Connection, alert_id: int) -> dict[Action, ActionMark]:
    async with conn.execute(
        "SELECT action, user_id, user_name, at FROM alert_actions WHERE alert_id = ?", (alert_id,)
    ) as cur:
        rows = await cur.fetchall()
    return {
        row["action"]: ActionMark(
            action=row["action"],
            user_id=int(row["user_id"]),
            user_name=str(row["user_name"]),
            at=from_iso(row["at"]),
        )
        for row in rows
    }


async def is_story_muted(conn: aiosqlite.Connection, guild_id: int, story_id: int) -> bool:
    async with conn.execute(
        "SELECT 1 FROM muted_stories WHERE guild_id = ? AND story_id = ?", (guild_id, story_id)
    ) as cur:
        return await cur.fetchone() is not None


async def is_source_muted(
    conn: aiosqlite.Connection, guild_id: int, topic: str, publisher: str
) -> bool:
    async with conn.execute(
        "SELECT 1 FROM muted_sources WHERE guild_id = ? AND topic = ? AND publisher = ?",
        (guild_id, topic, publisher),
    ) as cur:
        return await cur.fetchone() is not None


async def muted_sources(conn: aiosqlite.Connection, guild_id: int) -> list[tuple[str, str]]:
    """(topic, publisher) pairs muted in a server."""
    async with conn.execute(
        "SELECT topic, publisher FROM muted_sources WHERE guild_id = ? ORDER BY topic, publisher",
        (guild_id,),
    ) as cur:
        return [(str(r[0]), str(r[1])) for r in await cur.fetchall()]


async def story_mutes(conn: aiosqlite.Connection, guild_id: int | None) -> list[aiosqlite.Row]:
    """Muted stories (rowid, guild, story, who, when, the story's headline and the name of the
    editor who muted it, from the alert's desk mark)."""
    async with conn.execute(
        """SELECT m.rowid AS rowid, m.guild_id, m.story_id, m.user_id, m.at,
                  (SELECT a.title FROM alerts a WHERE a.guild_id = m.guild_id
                     AND a.story_id = m.story_id ORDER BY a.id LIMIT 1) AS title,
                  (SELECT x.user_name FROM alert_actions x JOIN alerts a ON a.id = x.alert_id
                     WHERE x.action = 'muted_story' AND x.guild_id = m.guild_id
                       AND a.story_id = m.story_id AND x.user_id = m.user_id LIMIT 1) AS user_name
           FROM muted_stories m WHERE (? IS NULL OR m.guild_id = ?)""",
        (guild_id, guild_id),
    ) as cur:
        return list(await cur.fetchall())


async def source_mutes(conn: aiosqlite.Connection, guild_id: int | None) -> list[aiosqlite.Row]:
    """Muted (topic, outlet) pairs (rowid, guild, topic, outlet, who, when, editor's name)."""
    async with conn.execute(
        """SELECT m.rowid AS rowid, m.guild_id, m.topic, m.publisher, m.user_id, m.at,
                  (SELECT x.user_name FROM alert_actions x JOIN alerts a ON a.id = x.alert_id
                     WHERE x.action = 'muted_source' AND x.guild_id = m.guild_id
                       AND a.topic = m.topic AND a.publisher = m.publisher
                       AND x.user_id = m.user_id LIMIT 1) AS user_name
           FROM muted_sources m WHERE (? IS NULL OR m.guild_id = ?)""",
        (guild_id, guild_id),
    ) as cur:
        return list(await cur.fetchall())


async def remove_story_mute(tx: aiosqlite.Connection, rowid: int) -> None:
    """Undo a story mute and its desk marks (the alerts' "Mute this story" works again)."""
    await tx.execute(
        """DELETE FROM alert_actions WHERE action = 'muted_story' AND alert_id IN (
               SELECT a.id FROM alerts a JOIN muted_stories m
                 ON a.guild_id = m.guild_id AND a.story_id = m.story_id WHERE m.rowid = ?)""",
        (rowid,),
    )
    await tx.execute("DELETE FROM muted_stories WHERE rowid = ?", (rowid,))


async def remove_source_mute(tx: aiosqlite.Connection, rowid: int) -> None:
    """Undo a (topic, outlet) mute and its desk marks."""
    await tx.execute(
        """DELETE FROM alert_actions WHERE action = 'muted_source' AND alert_id IN (
               SELECT a.id FROM alerts a JOIN muted_sources m
                 ON a.guild_id = m.guild_id AND a.topic = m.topic AND a.publisher = m.publisher
               WHERE m.rowid = ?)""",
        (rowid,),
    )
    await tx.execute("DELETE FROM muted_sources WHERE rowid = ?", (rowid,))
