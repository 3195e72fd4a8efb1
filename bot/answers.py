"""``/ask`` for every surface: the answer, and (on Discord) the answer kept with its message.

An answer with sources gets an id at once (:func:`new_id`, no database write) that goes in its
Sources button; the answer is then stored under it (:func:`keep`, ``bot.storage.answers``) in
the background, ``KEEP_DELAY_SECONDS`` later (at once when the bot stops), so an /ask never
queues a write ahead of the scheduler's jobs while another process locks the database (they
notice the lock, not the answer). Meanwhile the answer is held in memory. The button lists
exactly the citations of the answer it sits under, after a restart too (re-asking later could
cite other articles); an answer never stored (a crash within the delay) falls back to asking
again.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sqlite3

from bot.errors import UserFacingError
from bot.models import Answer
from bot.services import Services
from bot.storage import answers
from bot.storage.database import is_database_locked

log = logging.getLogger(__name__)

KEEP_DELAY_SECONDS = 15.0
KEEP_ATTEMPTS = 4
KEEP_RETRY_SECONDS = 10.0

_waiting: dict[int, tuple[int, Answer]] = {}  # answer id -> (server, answer) not stored yet


def new_id(answer: Answer) -> int | None:
    """The id an answer with sources will be kept under (None: nothing to keep)."""
    if answer.abstained or not answer.citations:
        return None
    return secrets.randbits(52) + 1


async def keep(
    services: Services,
    answer_id: int,
    guild_id: int,
    answer: Answer,
    *,
    delay: float = KEEP_DELAY_SECONDS,
) -> None:
    """Store the answer under ``answer_id`` after ``delay`` (at once if cancelled: the bot is
    stopping); a locked database is tried again later."""
    _waiting[answer_id] = (guild_id, answer)
    try:
        try:
            await asyncio.sleep(delay)
        except asyncio.CancelledError:
            await _store(services, answer_id, guild_id, answer, attempts=1)
            raise
        await _store(services, answer_id, guild_id, answer, attempts=KEEP_ATTEMPTS)
    finally:
        _waiting.pop(answer_id, None)


async def _store(
    services: Services, answer_id: int, guild_id: int, answer: Answer, *, attempts: int
) -> None:
    for attempt in range(1, attempts + 1):
        try:
            async with services.db.transaction() as tx:
                await answers.keep(tx, answer_id, guild_id, answer, services.clock.now())
            return
        except sqlite3.OperationalError as exc:
            if not is_database_locked(exc) or attempt == attempts:
                raise
            log.info("event=answer_keep_retry answer=%s attempt=%s", answer_id, attempt)
            await asyncio.sleep(KEEP_RETRY_SECONDS)


async def kept(services: Services, answer_id: int, guild_id: int | None) -> Answer | None:
    """A kept answer of server ``guild_id`` (None: never stored)."""
    found = _waiting.get(answer_id) or await answers.get(services.db.reader, answer_id)
    if found is None:
        return None
    if guild_id is not None and found[0] != guild_id:
        raise UserFacingError("This answer belongs to another server.")
    return found[1]
