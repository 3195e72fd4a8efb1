from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.models import Article
from bot.storage import articles
from bot.storage.database import Database, migration_files


async def test_migrations_apply_once_and_set_user_version(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with Database.open(path) as db:
        assert await db.user_version() == migration_files()[-1][0]
        assert await db.fetchval("PRAGMA journal_mode") == "wal"
        assert await db.fetchval("PRAGMA foreign_keys") == 1
    async with Database.open(path) as db:
        assert await db.migrate() == []  # re-opening applies nothing


def test_migration_numbers_are_unique_and_increasing() -> None:
    numbers = [n for n, _, _ in migration_files()]
    assert numbers == sorted(set(numbers))
    assert numbers[0] == 1


async def test_transaction_rolls_back_on_error(tmp_path: Path, clock: FixedClock) -> None:
    art = Article(
        entry_key="k1",
        title="t",
        body="b",
        publisher="p",
        published=clock.now(),
        first_seen=clock.now(),
    )
    async with Database.open(tmp_path / "db.sqlite3") as db:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await articles.insert_article(tx, art)
                raise RuntimeError("boom")
        assert await db.fetchval("SELECT count(*) FROM articles") == 0
        async with db.transaction() as tx:
            first = await articles.insert_article(tx, art)
            again = await articles.insert_article(tx, art)
        assert first[1] is True and again == (first[0], False)


async def test_reader_cannot_write(tmp_path: Path) -> None:
    async with Database.open(tmp_path / "db.sqlite3") as db:
        with pytest.raises(Exception, match="readonly"):
            await db.reader.execute("DELETE FROM articles")
