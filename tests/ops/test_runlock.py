"""One ``beatwatch run`` per database: a second is refused at once; kill -9 frees it at once."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.ops.runlock import AlreadyRunning, RunLock, lock_path
from bot.settings import PROJECT_ROOT

NOW = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


def test_a_second_lock_on_the_database_is_refused_with_its_holder(tmp_path: Path) -> None:
    db = tmp_path / "beatwatch.sqlite3"
    with RunLock(db, mode="discord", now=NOW):
        with pytest.raises(AlreadyRunning, match=rf"pid {os.getpid()} .*discord mode"):
            RunLock(db, mode="console", now=NOW).acquire()
        assert oct(lock_path(db).stat().st_mode & 0o777) == "0o600"
    with RunLock(db, mode="console", now=NOW):  # released: taken again
        assert json.loads(lock_path(db).read_text())["mode"] == "console"


@pytest.fixture
def run_env(tmp_path: Path) -> dict[str, str]:
    seeds = tmp_path / "seeds"
    shutil.copytree(PROJECT_ROOT / "seeds", seeds)
    (seeds / "feeds.json").write_text(json.dumps({"feeds": []}), encoding="utf-8")  # no network
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEATWATCH_")}
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        BEATWATCH_DATABASE_PATH=str(tmp_path / "data" / "beatwatch.sqlite3"),
        BEATWATCH_SEEDS_DIR=str(seeds),
    )
    return env


async def _start(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--console",
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _prompt(proc: asyncio.subprocess.Process) -> None:
    """Wait (on the real process's own time) until the console shows its prompt."""
    assert proc.stdout is not None
    seen = b""
    async with asyncio.timeout(90):
        while b"beatwatch> " not in seen:
            chunk = await proc.stdout.read(4096)
            assert chunk, f"the console ended before its prompt: {seen.decode()[-2000:]}"
            seen += chunk


async def test_second_runner_is_refused_and_a_kill_9_does_not_block_the_restart(
    run_env: dict[str, str], tmp_path: Path
) -> None:
    first = await _start(run_env, tmp_path)
    third: asyncio.subprocess.Process | None = None
    try:
        await _prompt(first)
        second = await _start(run_env, tmp_path)
        _, err = await asyncio.wait_for(second.communicate(b""), 30)
        assert second.returncode == 2, err.decode()
        text = err.decode()
        assert f"another beatwatch run (pid {first.pid} on " in text, text
        assert "console mode" in text and "Traceback" not in text
        assert first.returncode is None  # the first one runs on, untouched

        first.kill()  # kill -9: no clean-up runs
        await first.wait()
        third = await _start(run_env, tmp_path)
        await _prompt(third)  # started at once: no stale lease to wait out
        assert third.stdin is not None
        third.stdin.close()
        assert await asyncio.wait_for(third.wait(), 30) == 0
    finally:
        for proc in (first, third):
            if proc is not None and proc.returncode is None:
                proc.kill()
                await proc.wait()
