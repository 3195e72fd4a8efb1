"""SQLite access: one writer connection, one reader connection, numbered migrations.

Writes go through :meth:`Database.transaction` (``BEGIN IMMEDIATE``, serialised by a lock),
reads through :meth:`Database.read` (WAL lets them run beside a write). SQL always takes
parameters; never build it with f-strings from values.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from bot.errors import DatabaseUnavailable, StorageError

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
BUSY_TIMEOUT_MS = 5000


def migration_files() -> list[tuple[int, str, str]]:
    """(number, name, sql) for every shipped migration, in order."""
    found = []
    for entry in resources.files("bot.storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if len(set(numbers)) != len(numbers):
        raise StorageError(f"two migrations share a number: {numbers}")
    return found


def latest_schema() -> int:
    """The ``user_version`` this build migrates a database to."""
    return max((number for number, _, _ in migration_files()), default=0)


# SQLite's primary result codes (``sqlite3.Error.sqlite_errorname`` up to the first "_" after
# "SQLITE_") and message fragments, for errors that are the operator's to fix or wait out.
_KINDS = {
    "BUSY": "locked",
    "LOCKED": "locked",
    "READONLY": "read-only",
    "FULL": "full",
    "CORRUPT": "corrupt",
    "NOTADB": "corrupt",
    "CANTOPEN": "cannot-open",
    "IOERR": "io-error",
}
_TEXTS = (
    ("locked", "locked"),
    ("busy", "locked"),
    ("readonly", "read-only"),
    ("read-only", "read-only"),
    ("disk is full", "full"),
    ("not a database", "corrupt"),
    ("malformed", "corrupt"),
    ("unable to open", "cannot-open"),
    ("disk i/o error", "io-error"),
)
_ERRNOS = {
    errno.ENOSPC: "full",
    errno.EDQUOT: "full",
    errno.EROFS: "read-only",
    errno.EACCES: "cannot-open",
    errno.EPERM: "cannot-open",
}
_MESSAGES = {
    "locked": "the database {path} is locked by another process (another beatwatch, or a tool "
    "holding a write transaction)",
    "read-only": "the database {path} is read-only (check the permissions of the file and its "
    "folder, and how the disk is mounted)",
    "full": "the disk holding the database {path} is full",
    "corrupt": "the database {path} is corrupt or not a beatwatch database (restore a backup: "
    "see the README's Backup and restore)",
    "cannot-open": "cannot open the database {path} (does its folder exist, and may beatwatch "
    "write there?)",
    "io-error": "disk I/O error on the database {path}",
}


def database_unavailable(exc: BaseException, path: Path | str) -> DatabaseUnavailable | None:
    """The operator-facing error for an expected failure of the database at ``path``
    (locked, read-only, disk full, corrupt, cannot open, I/O error), or None for anything else
    (a bug: let it raise with its traceback)."""
    kind = None
    if isinstance(exc, sqlite3.Error):
        code = (getattr(exc, "sqlite_errorname", "") or "").removeprefix("SQLITE_")
        kind = _KINDS.get(code.split("_", 1)[0])
        if kind is None:
            text = str(exc).lower()
            kind = next((k for fragment, k in _TEXTS if fragment in text), None)
    elif isinstance(exc, OSError):
        kind = _ERRNOS.get(exc.errno or 0)
    if kind is None:
        return None
    return DatabaseUnavailable(_MESSAGES[kind].format(path=path), kind)


def newer_schema(path: Path | str, version: int) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"the database {path} was made by a newer beatwatch (schema {version}; this version "
        f"knows up to {latest_schema()}): upgrade beatwatch, or restore a backup made with "
        "this version",
        "newer",
    )


def create_private(path: Path) -> None:
    """Create ``path`` empty and readable by its owner only (0600), unless it exists.

    SQLite gives the -wal, -shm and -journal files it creates beside a database the database
    file's permissions, so those are owner-only too.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _schema_version(path: Path) -> int | None:
    """``user_version`` of an existing database, read without writing to it (None when it
    cannot be read: opening it for real then says why)."""
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error:
        return None
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _prepare_file(path: Path) -> None:
    """Before SQLite opens ``path``: its folder exists, a new file is created owner-only, and
    an existing one whose schema is newer than this build is refused (never opened for
    writing)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size > 0:
        version = _schema_version(path)
        if version is not None and version > latest_schema():
            raise newer_schema(path, version)
    else:
        create_private(path)


async def _configure(conn: aiosqlite.Connection) -> None:
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA synchronous = NORMAL")


class Database:
    """One database file. Use :meth:`open` (an async context manager) to get one."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()

    @classmethod
    async def connect(cls, path: Path | str) -> Database:
        """Open (creating it owner-only if missing) and migrate the database at ``path``.

        Expected operational failures - locked by another process, read-only, disk full,
        corrupt, made by a newer beatwatch - raise :class:`DatabaseUnavailable`. Nothing stays
        open after a failure (aiosqlite's threads would keep the process alive).
        """
        path = Path(path)
        try:
            if str(path) != ":memory:":
                await asyncio.to_thread(_prepare_file, path)
            return await cls._open(path)
        except (sqlite3.Error, OSError) as exc:
            unavailable = database_unavailable(exc, path)
            if unavailable is None:
                raise
            raise unavailable from exc

    @classmethod
    async def _open(cls, path: Path) -> Database:
        writer = await aiosqlite.connect(path, isolation_level=None)
        reader: aiosqlite.Connection | None = None
        try:
            writer.row_factory = aiosqlite.Row
            await writer.execute("PRAGMA journal_mode = WAL")
            await _configure(writer)
            db = cls(path, writer, writer)
            await db.migrate()
            reader = await aiosqlite.connect(path, isolation_level=None)
            reader.row_factory = aiosqlite.Row
            await _configure(reader)
            await reader.execute("PRAGMA query_only = ON")
            db._reader = reader
        except BaseException:
            if reader is not None:
                await reader.close()
            await writer.close()
            raise
        return db

    @classmethod
    @asynccontextmanager
    async def open(cls, path: Path | str) -> AsyncIterator[Database]:
        db = await cls.connect(path)
        try:
            yield db
        finally:
            await db.close()

    async def close(self) -> None:
        try:
            if self._reader is not self._writer:
                await self._reader.close()
        finally:
            await self._writer.close()

    # --- schema ---
    async def user_version(self) -> int:
        async with self._writer.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self) -> list[str]:
        """Apply every migration newer than ``PRAGMA user_version``; return their names."""
        applied = []
        current = await self.user_version()
        if current > latest_schema():
            raise newer_schema(self.path, current)
        for number, name, sql in migration_files():
            if number <= current:
                continue
            log.info("event=migrate migration=%s", name)
            async with self._write_lock:
                try:
                    await self._writer.executescript(
                        f"BEGIN IMMEDIATE;\n{sql}\n;PRAGMA user_version = {number};\nCOMMIT;"
                    )
                except sqlite3.Error as exc:
                    if self._writer.in_transaction:
                        await self._writer.execute("ROLLBACK")
                    unavailable = database_unavailable(exc, self.path)
                    raise unavailable or StorageError(f"migration {name} failed: {exc}") from exc
            applied.append(name)
            current = number
        return applied

    # --- writes ---
    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` on the writer; rolls back on any exception."""
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            else:
                await self._writer.execute("COMMIT")

    # --- reads ---
    @property
    def reader(self) -> aiosqlite.Connection:
        return self._reader

    async def fetchall(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> list[aiosqlite.Row]:
        async with self._reader.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchone(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> aiosqlite.Row | None:
        async with self._reader.execute(sql, params) as cur:
            return await cur.fetchone()

    async def fetchval(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


def is_database_locked(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "busy": another writer holds the database (transient)."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


async def fetch_one(
    conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()
) -> aiosqlite.Row | None:
    """One row from ``conn`` (the writer inside a transaction, or the reader)."""
    async with conn.execute(sql, params) as cur:
        return await cur.fetchone()


async def fetch_all(
    conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()
) -> list[aiosqlite.Row]:
    async with conn.execute(sql, params) as cur:
        return list(await cur.fetchall())


async def executemany(conn: aiosqlite.Connection, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    await conn.executemany(sql, list(rows))
