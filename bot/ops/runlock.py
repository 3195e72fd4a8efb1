"""One ``beatwatch run`` per database: an exclusive lock on a file beside it.

Two runners on one database would both poll and deliver (78 of 217 messages went out twice).
``beatwatch run`` (Discord or console mode) takes ``<database>.lock`` with ``flock`` before it
opens anything; a second runner finds it taken and stops with one line naming the holder
(written into the file: pid, host, mode, start time). The kernel drops the lock when its
process ends however it ends — ``kill -9`` included — so a restart never waits for a stale
lease. The file itself stays (removing it would let two processes lock two different files).
One-shot commands (``feeds poll``, ``alerts deliver``...) do not take it; the outbox's claims
keep them from sending what the runner sends.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
from datetime import datetime
from pathlib import Path
from types import TracebackType

from bot.clock import to_iso
from bot.errors import UserFacingError

log = logging.getLogger(__name__)


class AlreadyRunning(UserFacingError):
    """Another ``beatwatch run`` holds this database."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class RunLock:
    """``with RunLock(db_path, mode=..., now=...):`` the body runs as the database's one runner."""

    def __init__(self, database: Path, *, mode: str, now: datetime) -> None:
        self.database = Path(database)
        self.path = lock_path(self.database)
        self.mode = mode
        self.now = now
        self._fd: int | None = None

    def acquire(self) -> None:
        if str(self.database) == ":memory:":
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _describe(os.pread(fd, 4096, 0))
            os.close(fd)
            raise AlreadyRunning(
                f"another beatwatch run ({holder}) is using {self.database}; stop it first "
                "(two runners would post every alert twice)"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "mode": self.mode,
            "started": to_iso(self.now),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
        self._fd = fd
        log.info("event=run_lock_taken path=%s pid=%s", self.path, info["pid"])

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _describe(raw: bytes) -> str:
    try:
        info = json.loads(raw.decode("utf-8"))
        return (
            f"pid {int(info['pid'])} on {info['host']}, {info['mode']} mode, "
            f"since {info['started']}"
        )
    except (ValueError, KeyError, TypeError):
        return "holder unknown"
