"""No silent hangs: a start-up that fails after the database is open exits non-zero within
seconds with one clear line (no traceback for the operator's problems), and closes what it
opened - before, aiosqlite's threads kept the process alive for ever.

Each test runs the real CLI as a subprocess with a deadline.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from bot.storage.database import Database, latest_schema

DEADLINE = 60  # seconds; a hang is what is being tested for
LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()  # until the test closes stdin
conn.execute("ROLLBACK")
"""


@pytest.fixture
async def database(tmp_path: Path) -> Path:
    """A migrated database, as a previous run left it."""
    path = tmp_path / "data" / "beatwatch.sqlite3"
    async with Database.open(path):
        pass
    return path


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """The shipped seeds without default feeds (nothing leaves the machine)."""
    dest = tmp_path / "seeds"
    shutil.copytree(PROJECT_ROOT / "seeds", dest)
    (dest / "feeds.json").write_text(json.dumps({"feeds": []}), "utf-8")
    return dest


def beatwatch(
    database: Path, seeds: Path, *args: str, **env: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BEATWATCH_")}
    environ.update(BEATWATCH_DATABASE_PATH=str(database), BEATWATCH_SEEDS_DIR=str(seeds), **env)
    began = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=database.parent,
            env=environ,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"`beatwatch {' '.join(args)}` hung ({DEADLINE}s): {exc.stderr!r}")
    return done, time.monotonic() - began


def one_clear_line(done: subprocess.CompletedProcess[str]) -> str:
    """The last stderr line, which must say it all; no traceback anywhere."""
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("beatwatch: "), done.stderr
    return last


@pytest.fixture
def locked(database: Path) -> Iterator[Path]:
    """Another process holds the database's write lock for the whole test."""
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert locker.stdout is not None and locker.stdin is not None
    assert locker.stdout.readline().strip() == "locked"
    try:
        yield database
    finally:
        locker.stdin.close()
        locker.wait(timeout=10)


def test_ask_while_another_process_holds_the_lock_retries_then_fails_clearly(
    locked: Path, seeds: Path
) -> None:
    # 8 s: one attempt (the 5 s busy timeout), a warning, a second attempt, then it gives up.
    done, seconds = beatwatch(
        locked, seeds, "ask", "Who is Zelensky?", BEATWATCH_START_LOCK_WAIT_SECONDS="8"
    )
    assert done.returncode == 1
    line = one_clear_line(done)
    assert "is locked by another process" in line and "gave up after" in line, line
    assert "event=database_locked_at_start" in done.stderr  # the retry was logged
    assert seconds < 40


@pytest.mark.parametrize(
    "topics, reason",
    [
        ('{"topics": [', "Expecting value"),
        ('{"topics": [{"name": "Black Sea"}]}', "missing 'any_of'"),
        ('{"topics": 5}', "not a valid topics file"),
    ],
)
def test_a_broken_topics_file_stops_run_at_once_with_one_line(
    database: Path, seeds: Path, topics: str, reason: str
) -> None:
    (seeds / "topics.json").write_text(topics, "utf-8")
    done, seconds = beatwatch(database, seeds, "run", "--console")
    assert done.returncode == 1
    line = one_clear_line(done)
    assert "topics.json" in line and reason in line, line
    assert seconds < 30


def test_a_database_from_a_newer_beatwatch_is_refused(database: Path, seeds: Path) -> None:
    conn = sqlite3.connect(database)
    conn.execute(f"PRAGMA user_version = {latest_schema() + 1}")
    conn.commit()
    conn.close()
    before = database.read_bytes()
    done, _ = beatwatch(database, seeds, "ask", "Who is Zelensky?")
    assert done.returncode == 1
    assert "made by a newer beatwatch" in one_clear_line(done)
    assert database.read_bytes() == before


def test_a_corrupt_database_is_named_not_traced(tmp_path: Path, seeds: Path) -> None:
    path = tmp_path / "beatwatch.sqlite3"
    path.write_bytes(b"\x00not sqlite\xff" * 1000)
    done, _ = beatwatch(path, seeds, "topics", "list")
    assert done.returncode == 1
    assert "is corrupt" in one_clear_line(done)
