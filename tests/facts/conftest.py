"""A fact store built from the shipped seeds, on a real SQLite file.

The seeded database is built once per session and copied for each test (migrations and
ingest are not what most tests are about, and fsyncs make them slow on some disks).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.facts.service import FactService
from bot.settings import PROJECT_ROOT
from bot.storage.database import Database

SEEDS = PROJECT_ROOT / "seeds"


async def _build(path: Path, clock: FixedClock) -> None:
    async with Database.open(path) as database:
        await FactService(database, clock).ingest_seeds(SEEDS)
        await database.fetchval("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture(scope="session")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from datetime import UTC, datetime

    path = tmp_path_factory.mktemp("seeded") / "facts.sqlite3"
    asyncio.run(_build(path, FixedClock(datetime(2026, 2, 1, 9, 0, tzinfo=UTC))))
    return path


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database.open(tmp_path / "facts.sqlite3") as database:
        yield database


@pytest.fixture
async def seeded_db(seeded_file: Path, tmp_path: Path) -> AsyncIterator[Database]:
    path = tmp_path / "seeded.sqlite3"
    shutil.copy(seeded_file, path)
    async with Database.open(path) as database:
        yield database


@pytest.fixture
async def facts(seeded_db: Database, clock: FixedClock) -> FactService:
    service = FactService(seeded_db, clock)
    assert await service.ingest_seeds(SEEDS) == 0
    return service
