"""The scheduler: its jobs, digest triggers per server, and misfires on the real AsyncIOScheduler.

No sleeps: job runs are awaited through the scheduler's own events, and the domain clock is a
FixedClock (the scheduler's wall clock only decides *when* a job body runs).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobEvent
from apscheduler.triggers.cron import CronTrigger

from bot.alerts.transport import RecordingTransport
from bot.clock import FixedClock
from bot.ops import problems
from bot.scheduling import MISFIRE_GRACE_SECONDS, BeatwatchScheduler, build_scheduler
from bot.services import Services
from bot.storage import guilds

FAR = datetime(2100, 1, 1, tzinfo=UTC)
TODAY = "2026-02-02"


@pytest.fixture(autouse=True)
def next_day(services: Services, clock: FixedClock) -> None:
    """The console newsroom was created on 1 Feb at 11:00 local (after 08:00, so its first
    digest is on 2 Feb): run these tests on 2 Feb at 11:00 local."""
    clock.advance(timedelta(days=1))


def _fields(trigger: CronTrigger) -> dict[str, str]:
    return {f.name: str(f) for f in trigger.fields}


def _start(
    services: Services, clock: FixedClock
) -> tuple[BeatwatchScheduler, asyncio.Queue[JobEvent], RecordingTransport]:
    transport = RecordingTransport()
    scheduler = build_scheduler(services, transport, clock)
    scheduler.remove_job("poll")  # no feed polling (no network) in these tests
    events: asyncio.Queue[JobEvent] = asyncio.Queue()
    scheduler.add_listener(
        events.put_nowait, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_ERROR
    )
    scheduler.start(paused=True)
    scheduler.modify_job("digest-catch-up", next_run_time=FAR)
    scheduler.modify_job("deliver", next_run_time=FAR)
    return scheduler, events, transport


async def _event_for(events: asyncio.Queue[JobEvent], job_id: str) -> JobEvent:
    while True:
        event = await asyncio.wait_for(events.get(), timeout=10)
        if event.job_id == job_id:
            return event


async def test_jobs_are_configured_and_digest_follows_the_server_settings(
    services: Services, clock: FixedClock
) -> None:
    scheduler = build_scheduler(services, RecordingTransport(), clock)
    scheduler.start(paused=True)
    try:
        assert {j.id for j in scheduler.get_jobs()} >= {
            "poll",
            "deliver",
            "digest-catch-up",
            "retention",
        }
        await scheduler.refresh_digest_jobs()
        job = scheduler.get_job("digest:0")
        assert isinstance(job.trigger, CronTrigger)
        assert str(job.trigger.timezone) == "Europe/Kyiv"
        assert _fields(job.trigger)["hour"] == "8" and _fields(job.trigger)["minute"] == "0"
        for j in scheduler.get_jobs():
            assert j.coalesce is True and j.max_instances == 1
            assert j.misfire_grace_time == MISFIRE_GRACE_SECONDS
        async with services.db.transaction() as tx:
            await guilds.update_guild(tx, 0, digest_time="07:30", timezone="Europe/London")
        await scheduler.reschedule_digest(0)
        job = scheduler.get_job("digest:0")
        assert _fields(job.trigger)["hour"] == "7" and _fields(job.trigger)["minute"] == "30"
        assert str(job.trigger.timezone) == "Europe/London"
        # a new server gets its job on refresh
        async with services.db.transaction() as tx:
            await guilds.ensure_guild(tx, 77, clock)
        await scheduler.refresh_digest_jobs()
        assert scheduler.get_job("digest:77") is not None
    finally:
        scheduler.shutdown(wait=False)


async def test_late_digest_within_grace_runs(services: Services, clock: FixedClock) -> None:
    scheduler, events, transport = _start(services, clock)
    try:
        await scheduler.reschedule_digest(0)
        scheduler.modify_job("digest:0", next_run_time=datetime.now(UTC) - timedelta(minutes=10))
        scheduler.resume()
        event = await _event_for(events, "digest:0")
        assert event.code == EVENT_JOB_EXECUTED
        assert [r.period for r in await services.digests.runs(0)] == [TODAY]
        assert len(transport.messages("digest")) >= 1
    finally:
        scheduler.shutdown(wait=False)


async def test_misfire_beyond_grace_is_skipped_by_apscheduler_but_caught_up(
    services: Services, clock: FixedClock
) -> None:
    # APScheduler judges the misfire on the wall clock, the catch-up on the FixedClock (11:00
    # local): pick a digest time before 11:00 that no regular run on the wall clock reaches
    # inside the two hours we pretend were missed.
    wall = datetime.now(ZoneInfo("Europe/Kyiv"))
    minutes_now = wall.hour * 60 + wall.minute
    digest_time = next(
        t for t in ("08:00", "03:00") if (minutes_now - int(t[:2]) * 60) % (24 * 60) > 150
    )
    async with services.db.transaction() as tx:
        await guilds.update_guild(tx, 0, digest_time=digest_time)
    scheduler, events, transport = _start(services, clock)
    try:
        await scheduler.reschedule_digest(0)
        scheduler.modify_job("digest:0", next_run_time=datetime.now(UTC) - timedelta(hours=2))
        scheduler.resume()
        event = await _event_for(events, "digest:0")
        assert event.code == EVENT_JOB_MISSED  # APScheduler drops a run this late...
        assert await services.digests.runs(0) == []
        scheduler.modify_job("digest-catch-up", next_run_time=datetime.now(UTC))
        event = await _event_for(events, "digest-catch-up")
        assert event.code == EVENT_JOB_EXECUTED
        # ...the catch-up job finds today's digest missing and sends it, once
        assert [r.period for r in await services.digests.runs(0)] == [TODAY]
        sent = len(transport.messages("digest"))
        assert sent >= 1
        scheduler.modify_job("digest-catch-up", next_run_time=datetime.now(UTC))
        await _event_for(events, "digest-catch-up")
        assert len(transport.messages("digest")) == sent
    finally:
        scheduler.shutdown(wait=False)


async def test_job_bodies_log_instead_of_raising(services: Services, clock: FixedClock) -> None:
    class Broken:
        async def send(self, msg: object) -> str:
            raise RuntimeError("boom")

        async def edit(self, ref: str, msg: object) -> None:
            raise RuntimeError("boom")

    scheduler = build_scheduler(services, Broken(), clock)  # type: ignore[arg-type]
    await services.digests.run_due_digest(0)
    await scheduler.run_delivery()  # the row is retried later, nothing raised
    rows = sorted(await services.alerts.outbox(0), key=lambda r: r.id)
    assert rows and all(r.status == "pending" for r in rows)
    assert rows[0].attempts == 1  # later parts of the digest wait for the first


async def test_retention_job_calls_the_prune_hook(services: Services, clock: FixedClock) -> None:
    calls: list[str] = []

    async def prune() -> None:
        calls.append("pruned")

    scheduler = build_scheduler(services, RecordingTransport(), clock, prune=prune)
    await scheduler.run_retention()
    assert calls == ["pruned"]


async def test_bad_digest_time_does_not_stop_other_servers(
    services: Services, clock: FixedClock
) -> None:
    async with services.db.transaction() as tx:
        await guilds.ensure_guild(tx, 5, clock)
        await guilds.update_guild(tx, 5, digest_time="25:99")
    scheduler = build_scheduler(services, RecordingTransport(), clock)
    scheduler.start(paused=True)
    try:
        await scheduler.run_catch_up()
        assert scheduler.get_job("digest:0") is not None
        assert [r.period for r in await services.digests.runs(0)] == [TODAY]
    finally:
        scheduler.shutdown(wait=False)


async def test_database_locked_is_a_warning_and_a_problem_until_the_next_good_run(
    services: Services, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    problems.reset()
    scheduler = build_scheduler(services, RecordingTransport(), clock)
    async with services.db.transaction() as tx:
        await tx.execute("PRAGMA busy_timeout = 0")  # fail at once instead of after 5 s
    locker = sqlite3.connect(services.db.path, isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")  # another process holds the database
        with caplog.at_level(logging.INFO, logger="bot.scheduling"):
            await scheduler.run_catch_up()  # today's digest is due: it needs to write
        [warning] = [
            r for r in caplog.records if r.levelno == logging.WARNING and r.name == "bot.scheduling"
        ]
        assert warning.exc_info is None and "\n" not in warning.getMessage()
        assert "event=job_db_locked job=digest-catch-up" in warning.getMessage()
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        [problem] = problems.active()
        assert problem.key == "database" and "locked" in problem.text
        assert await services.digests.runs(0) == []
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    await scheduler.run_catch_up()  # the lock is gone: the digest runs, the problem is over
    assert [r.period for r in await services.digests.runs(0)] == [TODAY]
    assert problems.active() == []
