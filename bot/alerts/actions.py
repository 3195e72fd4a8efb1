"""What editors do with alerts, for every surface: verify, mute a story or a source for a topic,
list the mutes and undo one (Discord-free; the alert buttons, ``/alerts mutes`` and
``beatwatch alerts mutes|unmute`` call it).

A mute's id is what ``unmute`` takes: ``story-N`` / ``source-N`` (N: the mute's row). Undoing a
mute also clears the matching desk marks, so the alert's button works again.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.clock import Clock, from_iso
from bot.errors import UserFacingError
from bot.storage import alert_actions
from bot.storage.alert_actions import Action, ActionMark, AlertSubject
from bot.storage.database import Database

log = logging.getLogger(__name__)

_MUTE_ID = re.compile(r"^\s*(story|source)-(\d{1,19})\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Acted:
    """An action done on an alert: the alert, every mark on it now, and whether it was new."""

    subject: AlertSubject
    marks: dict[Action, ActionMark]
    created: bool


@dataclass(frozen=True)
class Mute:
    id: str  # story-N / source-N
    kind: Literal["story", "source"]
    guild_id: int
    user_id: int
    user_name: str
    at: datetime
    story_id: int | None = None
    title: str = ""  # the story's headline, when known
    topic: str = ""
    publisher: str = ""


async def act(
    db: Database,
    clock: Clock,
    *,
    alert_id: int,
    guild_id: int | None,
    action: Action,
    user_id: int,
    user_name: str,
) -> Acted:
    """Record ``action`` on an alert of server ``guild_id`` (UserFacingError if not stored)."""
    subject = await alert_actions.alert_subject(db.reader, alert_id)
    if subject is None or (guild_id is not None and subject.guild_id != guild_id):
        raise UserFacingError("I no longer have this alert stored.")
    async with db.transaction() as tx:
        created = await alert_actions.record(tx, subject, action, user_id, user_name, clock.now())
    log.info(
        "event=alert_action action=%s alert=%s guild=%s user=%s new=%s",
        action,
        alert_id,
        subject.guild_id,
        user_id,
        created,
    )
    return Acted(subject, await alert_actions.marks(db.reader, alert_id), created)


async def mutes(db: Database, guild_id: int | None = None) -> list[Mute]:
    """Every mute (of one server, if given), newest first."""
    found: list[Mute] = []
    for row in await alert_actions.story_mutes(db.reader, guild_id):
        found.append(
            Mute(
                id=f"story-{row['rowid']}",
                kind="story",
                guild_id=int(row["guild_id"]),
                user_id=int(row["user_id"]),
                user_name=str(row["user_name"] or ""),
                at=from_iso(row["at"]),
                story_id=int(row["story_id"]),
                title=str(row["title"] or ""),
            )
        )
    for row in await alert_actions.source_mutes(db.reader, guild_id):
        found.append(
            Mute(
                id=f"source-{row['rowid']}",
                kind="source",
                guild_id=int(row["guild_id"]),
                user_id=int(row["user_id"]),
                user_name=str(row["user_name"] or ""),
                at=from_iso(row["at"]),
                topic=str(row["topic"]),
                publisher=str(row["publisher"]),
            )
        )
    return sorted(found, key=lambda m: (m.at, m.id), reverse=True)


async def unmute(db: Database, mute_id: str, guild_id: int | None = None) -> Mute:
    """Undo one mute (of server ``guild_id``, if given); returns it. UserFacingError if unknown."""
    match = _MUTE_ID.match(mute_id or "")
    if match is None:
        raise UserFacingError(f"{mute_id!r} is not a mute id (like story-3 or source-2).")
    wanted = f"{match.group(1).lower()}-{int(match.group(2))}"
    found = next((m for m in await mutes(db, guild_id) if m.id == wanted), None)
    if found is None:
        raise UserFacingError(f"No mute {wanted} here (it may be undone already).")
    async with db.transaction() as tx:
        if found.kind == "story":
            await alert_actions.remove_story_mute(tx, int(match.group(2)))
        else:
            await alert_actions.remove_source_mute(tx, int(match.group(2)))
    log.info("event=unmuted mute=%s guild=%s", found.id, found.guild_id)
    return found
