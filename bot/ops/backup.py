"""``beatwatch backup PATH``: a consistent copy of the live database, taken while the bot runs.

Uses SQLite's online backup API in a worker thread (``bot.storage.ops.online_backup``), writes
to a temporary file next to the destination, checks it with ``PRAGMA integrity_check`` and only
then renames it into place, so a failed backup never leaves a half-written file under PATH.

Restoring: stop the bot, copy the backup file over ``BEATWATCH_DATABASE_PATH`` (and delete any
``-wal``/``-shm`` files beside it), start the bot. See the README's "Backup and restore".
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.errors import UserFacingError
from bot.storage import ops as ops_store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    pages: int
    bytes: int


def backup_target(dest: Path, now: datetime) -> Path:
    """A directory gets a time-stamped file name; a file path is used as given."""
    if dest.is_dir():
        return dest / f"beatwatch-{now.strftime('%Y%m%dT%H%M%SZ')}.sqlite3"
    return dest


def _run(source: Path, dest: Path, now: datetime, overwrite: bool) -> BackupResult:
    if not source.exists():
        raise UserFacingError(f"no database at {source}")
    target = backup_target(dest, now)
    if target.resolve() == source.resolve():
        raise UserFacingError("the backup path is the live database itself")
    if target.exists() and not overwrite:
        raise UserFacingError(f"{target} exists (pass --force to overwrite)")
    if not target.parent.is_dir():
        raise UserFacingError(f"folder {target.parent} does not exist")
    tmp = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        pages = ops_store.online_backup(source, tmp)
        problems = ops_store.integrity_check(tmp)
        if problems != ["ok"]:
            raise UserFacingError(f"backup failed its integrity check: {'; '.join(problems[:3])}")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(path=target, pages=pages, bytes=target.stat().st_size)


async def backup_database(
    source: Path, dest: Path, now: datetime, overwrite: bool = False
) -> BackupResult:
    """Back ``source`` up to ``dest`` (a file, or a directory for a time-stamped file)."""
    result = await asyncio.to_thread(_run, source, dest, now, overwrite)
    log.info("event=backup_done path=%s pages=%s bytes=%s", result.path, result.pages, result.bytes)
    return result
