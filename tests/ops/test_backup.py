"""Online backup while the bot writes, then restore: stop, copy the file, start."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.errors import UserFacingError
from bot.models import Article
from bot.ops.backup import backup_database
from bot.storage import articles
from bot.storage.database import Database


def _article(i: int, clock: FixedClock) -> Article:
    return Article(
        entry_key=f"feed:{i}",
        title=f"Headline {i}",
        body="Body text. " * 50,
        publisher="Outlet",
        published=clock.now(),
        first_seen=clock.now(),
    )


async def test_backup_while_writing_then_restore(tmp_path: Path, clock: FixedClock) -> None:
    live = tmp_path / "live.sqlite3"
    backup = tmp_path / "backup.sqlite3"
    async with Database.open(live) as db:
        async with db.transaction() as tx:
            for i in range(200):
                await articles.insert_article(tx, _article(i, clock))

        stop = asyncio.Event()

        async def writer() -> int:
            n = 200
            while not stop.is_set():
                async with db.transaction() as tx:
                    await articles.insert_article(tx, _article(n, clock))
                n += 1
                await asyncio.sleep(0)
            return n

        task = asyncio.create_task(writer())
        await asyncio.sleep(0.01)
        result = await backup_database(live, backup, clock.now())
        await asyncio.sleep(0.01)
        stop.set()
        written = await task
        assert written > 200  # writes really happened around the backup
        assert await db.fetchval("SELECT count(*) FROM articles") == written

    assert result.path == backup and result.bytes > 0
    # Restore: the bot is stopped; copy the backup over the live file (dropping WAL leftovers).
    for leftover in (live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(backup, live)
    async with Database.open(live) as db:
        rows = await db.fetchall("SELECT entry_key FROM articles ORDER BY id")
        keys = [r[0] for r in rows]
        # A consistent snapshot: the 200 committed before the backup, then an unbroken prefix.
        assert len(keys) >= 200 and keys == [f"feed:{i}" for i in range(len(keys))]
        assert await db.fetchval("PRAGMA integrity_check") == "ok"
        async with db.transaction() as tx:  # the restored database takes writes again
            await articles.insert_article(tx, _article(10_000, clock))


async def test_backup_to_folder_names_file_and_refuses_overwrite(
    tmp_path: Path, clock: FixedClock
) -> None:
    live = tmp_path / "live.sqlite3"
    async with Database.open(live):
        pass
    out = tmp_path / "backups"
    out.mkdir()
    first = await backup_database(live, out, clock.now())
    assert first.path.name == "beatwatch-20260201T090000Z.sqlite3"
    with pytest.raises(UserFacingError, match="exists"):
        await backup_database(live, out, clock.now())
    clock.advance(timedelta(seconds=1))
    second = await backup_database(live, out, clock.now())
    assert second.path != first.path
    assert sorted(p.name for p in out.iterdir()) == sorted([first.path.name, second.path.name])
    with sqlite3.connect(second.path) as conn:  # self-contained file, not WAL
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


async def test_backup_errors_are_clear(tmp_path: Path, clock: FixedClock) -> None:
    with pytest.raises(UserFacingError, match="no database"):
        await backup_database(tmp_path / "none.sqlite3", tmp_path / "b.sqlite3", clock.now())
    live = tmp_path / "live.sqlite3"
    async with Database.open(live):
        pass
    with pytest.raises(UserFacingError, match="live database"):
        await backup_database(live, live, clock.now(), overwrite=True)
    with pytest.raises(UserFacingError, match="does not exist"):
        await backup_database(live, tmp_path / "missing" / "b.sqlite3", clock.now())
