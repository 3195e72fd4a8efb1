"""`beatwatch health`: what a container healthcheck sees in each state."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.clock import FixedClock
from bot.ops.health import assess, heartbeat, last_heartbeat, mark_stopped
from bot.settings import Settings
from bot.storage.database import Database

LIMIT = timedelta(minutes=5)


async def test_states_from_missing_to_fresh_to_stale_to_stopped(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "db.sqlite3"
    report = assess(path, clock.now(), LIMIT)
    assert (report.status, report.healthy) == ("not running", False)
    assert not path.exists()  # health never creates the database

    async with Database.open(path) as db:
        assert assess(path, clock.now(), LIMIT).line == "not running: no heartbeat recorded yet"
        await heartbeat(db, clock, detail="mode=console")
        clock.advance(timedelta(seconds=30))
        report = assess(path, clock.now(), LIMIT)
        assert report.healthy and report.line.startswith("ok: heartbeat 30s ago")
        assert "mode=console" in report.line

        clock.advance(timedelta(minutes=6))
        report = assess(path, clock.now(), LIMIT)
        assert report.status == "stale" and "6m ago (limit 5m)" in report.line

        await heartbeat(db, clock)
        beat = await last_heartbeat(db)
        assert beat is not None and beat.state == "running"
        assert assess(path, clock.now(), LIMIT).healthy

        await mark_stopped(db, clock)
        report = assess(path, clock.now(), LIMIT)
        assert report.status == "stopped" and report.line.startswith("not running: stopped")


async def test_started_at_survives_heartbeats_of_the_same_process(
    tmp_path: Path, clock: FixedClock
) -> None:
    async with Database.open(tmp_path / "db.sqlite3") as db:
        start = clock.now()
        await heartbeat(db, clock, started_at=start)
        clock.advance(timedelta(hours=3))
        await heartbeat(db, clock)
        beat = await last_heartbeat(db)
        assert beat is not None and beat.started_at == start and beat.at == clock.now()


def test_cli_exit_codes(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BEATWATCH_DATABASE_PATH", str(settings.database_path))
    assert main(["health"]) == 1
    assert capsys.readouterr().out.startswith("not running")

    async def beat() -> None:
        async with Database.open(settings.database_path) as db:
            from bot.clock import SystemClock

            await heartbeat(db, SystemClock())

    import asyncio

    asyncio.run(beat())
    assert main(["health"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: heartbeat") and out.count("\n") == 1
