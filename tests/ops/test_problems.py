"""The problem board: what /status and `beatwatch health` show while something is wrong."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.clock import FixedClock
from bot.ops import problems
from bot.ops.health import assess, last_heartbeat
from bot.ops.runtime import OpsRuntime
from bot.services import Services


@pytest.fixture(autouse=True)
def clean_board() -> Iterator[None]:
    problems.reset()
    yield
    problems.reset()


def test_report_refresh_clear(clock: FixedClock, caplog: pytest.LogCaptureFixture) -> None:
    problems.report("database", "database is locked", clock.now())
    clock.advance(timedelta(minutes=2))
    problems.report("database", "database is locked", clock.now())
    [p] = problems.active()
    assert (p.count, p.since) == (2, clock.now() - timedelta(minutes=2))
    assert problems.summary() == "database: database is locked (since 09:00Z, 2x)"
    starts = [r for r in caplog.records if "event=problem_started" in r.getMessage()]
    assert len(starts) == 1 and starts[0].levelname == "WARNING"  # logged once, not per retry
    problems.clear("database")
    assert problems.active() == [] and problems.summary() == ""


async def test_heartbeat_failure_is_a_problem_until_the_next_success(
    services: Services, clock: FixedClock
) -> None:
    ops = OpsRuntime(services.settings, services.db, clock, mode="console")
    assert await ops.beat()
    locker = sqlite3.connect(services.settings.database_path, isolation_level=None, timeout=0)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        import bot.storage.database as database

        old = database.BUSY_TIMEOUT_MS
        await services.db._writer.execute("PRAGMA busy_timeout = 50")
        try:
            assert not await ops.beat()
        finally:
            await services.db._writer.execute(f"PRAGMA busy_timeout = {old}")
        assert [p.key for p in problems.active()] == ["database"]
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    problems.report("feeds", "3 feeds failing", clock.now())
    assert await ops.beat()
    assert [p.key for p in problems.active()] == ["feeds"]  # the database one is over
    beat = await last_heartbeat(services.db)
    assert beat is not None and "problems=feeds: 3 feeds failing" in beat.detail
    report = assess(services.settings.database_path, clock.now(), timedelta(minutes=5))
    assert report.healthy and "problems=feeds" in report.line
