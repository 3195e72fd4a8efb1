"""The database file: created owner-only, refused when a newer beatwatch made it, and its
expected failures (locked, read-only, full, corrupt) named in one line for the operator."""

from __future__ import annotations

import errno
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.errors import DatabaseUnavailable, OperatorError
from bot.ops.backup import backup_database
from bot.storage.database import Database, database_unavailable, latest_schema


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _modes(db: Path) -> dict[str, str]:
    """Permissions of the database file and whichever of its -wal / -shm files exist."""
    files = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]
    return {p.name: oct(_mode(p)) for p in files if p.exists()}


async def test_database_wal_shm_and_folder_are_created_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "beatwatch.sqlite3"
    async with Database.open(path) as db:
        async with db.transaction() as tx:
            await tx.execute("CREATE TABLE scratch (x)")
        names = ("beatwatch.sqlite3", "beatwatch.sqlite3-wal", "beatwatch.sqlite3-shm")
        assert _modes(path) == dict.fromkeys(names, "0o600")
    assert _mode(path.parent) == 0o700


async def test_backups_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "beatwatch.sqlite3"
    async with Database.open(path):
        pass
    result = await backup_database(path, tmp_path / "backup.sqlite3", datetime.now(UTC))
    assert oct(_mode(result.path)) == "0o600"


async def test_a_database_from_a_newer_beatwatch_is_refused_and_not_written(
    tmp_path: Path,
) -> None:
    path = tmp_path / "beatwatch.sqlite3"
    async with Database.open(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {latest_schema() + 1}")
    conn.execute("PRAGMA journal_mode = DELETE")  # as a newer build might leave it
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseUnavailable, match="made by a newer beatwatch") as raised:
        await Database.connect(path)
    assert raised.value.kind == "newer" and isinstance(raised.value, OperatorError)
    assert path.read_bytes() == before  # not migrated, not switched to WAL
    assert set(_modes(path)) == {"beatwatch.sqlite3"}  # no -wal / -shm either


def _real_errors(tmp_path: Path) -> dict[str, BaseException]:
    """SQLite's own exceptions for each failure the operator can meet."""
    found: dict[str, BaseException] = {}
    path = tmp_path / "db.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        found["locked"] = exc
    holder.execute("ROLLBACK")
    read_only = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        read_only.execute("INSERT INTO t VALUES (1)")
    except sqlite3.Error as exc:
        found["read-only"] = exc
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database, " * 512)
    try:
        sqlite3.connect(garbage).execute("PRAGMA user_version").fetchone()
    except sqlite3.Error as exc:
        found["corrupt"] = exc
    try:
        sqlite3.connect(tmp_path / "no" / "such" / "folder.sqlite3")
    except sqlite3.Error as exc:
        found["cannot-open"] = exc
    for conn in (holder, other, read_only):
        conn.close()
    return found


def test_expected_failures_are_named_in_one_line(tmp_path: Path) -> None:
    errors = _real_errors(tmp_path)
    assert set(errors) == {"locked", "read-only", "corrupt", "cannot-open"}
    errors["full"] = sqlite3.OperationalError("database or disk is full")
    errors["full (file system)"] = OSError(errno.ENOSPC, "No space left on device")
    for expected, exc in errors.items():
        found = database_unavailable(exc, "/srv/beatwatch.sqlite3")
        assert found is not None, expected
        assert found.kind == expected.split(" ")[0]
        assert "/srv/beatwatch.sqlite3" in str(found) and "\n" not in str(found)
    # anything else is a bug, not the operator's to fix: no translation
    assert database_unavailable(sqlite3.OperationalError("no such table: x"), "db") is None
    assert database_unavailable(ValueError("locked"), "db") is None
