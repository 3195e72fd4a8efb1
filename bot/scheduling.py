"""The background jobs, on APScheduler 3.x's ``AsyncIOScheduler`` (start it inside the loop).

Jobs (all with ``coalesce=True``, ``max_instances=1`` and a real ``misfire_grace_time``):

- ``poll``: ``services.feeds.poll_due()`` every ``poll_interval_seconds`` (if feeds are present).
- ``deliver``: the outbox (alerts, edits, notices, digest parts) every
  ``delivery_interval_seconds``.
- ``digest:<guild>``: a ``CronTrigger`` at the server's ``digest_time`` in its timezone;
  ``reschedule_digest(guild_id)`` after a server changes its time or timezone.
- ``digest-catch-up``: at start and every 10 minutes, runs every digest whose time today has
  passed and that has not run (the job store is in memory; the durable "already sent" state is
  the ``digest_runs`` table). So a restart, or a misfire longer than the grace time (APScheduler
  then skips the run), never skips a digest silently, and never sends one twice.
- ``retention``: daily; the outbox prune plus an optional ``prune`` hook (the ops area's).

Every job body catches and logs its exceptions (a failing run must not kill the job).
"database is locked" (another process holding the database) is one WARNING line and the
``database`` problem on /status (``bot.ops.problems``), cleared by that job's next good run.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.alerts.compose import zone
from bot.alerts.service import AlertService
from bot.alerts.transport import Transport
from bot.clock import Clock
from bot.digest.service import DigestService
from bot.ops import problems
from bot.storage import guilds as guild_store
from bot.storage.database import is_database_locked

log = logging.getLogger(__name__)

MISFIRE_GRACE_SECONDS = 3600
CATCH_UP_EVERY = timedelta(minutes=10)
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS}

PruneHook = Callable[[], Awaitable[object]]


def digest_job_id(guild_id: int) -> str:
    return f"digest:{guild_id}"


class BeatwatchScheduler(AsyncIOScheduler):
    """An AsyncIOScheduler that knows beatwatch's jobs. Build it with :func:`build_scheduler`."""

    def __init__(
        self,
        services: Any,
        transport: Transport,
        clock: Clock,
        *,
        prune: PruneHook | None = None,
        delivery_interval: float | None = None,
    ) -> None:
        super().__init__(timezone=UTC, job_defaults=dict(JOB_DEFAULTS))
        self.services = services
        self.transport = transport
        self.clock = clock
        self.prune = prune
        self._locked_jobs: set[str] = set()
        settings = services.settings
        self.alerts: AlertService = getattr(services, "alerts", None) or AlertService(
            services.db, settings, clock
        )
        self.digests: DigestService = getattr(services, "digests", None) or DigestService(
            services.db, settings, clock
        )
        if getattr(services, "feeds", None) is not None:
            self.add_job(
                self.run_poll,
                IntervalTrigger(seconds=settings.poll_interval_seconds),
                id="poll",
                name="poll feeds",
                next_run_time=datetime.now(UTC),
            )
        self.add_job(
            self.run_delivery,
            IntervalTrigger(seconds=delivery_interval or settings.delivery_interval_seconds),
            id="deliver",
            name="deliver outbox",
        )
        self.add_job(
            self.run_catch_up,
            IntervalTrigger(seconds=CATCH_UP_EVERY.total_seconds()),
            id="digest-catch-up",
            name="digest catch-up (refresh digest jobs, run overdue digests)",
            next_run_time=datetime.now(UTC),
        )
        self.add_job(self.run_retention, CronTrigger(hour=3, minute=30), id="retention")

    # --- job bodies (each a boundary: logs, never raises) ---
    async def _guarded(self, job: str, body: Callable[[], Awaitable[object]]) -> None:
        """Run one job body. "database is locked" (another process holds the database) is
        expected to pass: one WARNING line and a ``database`` problem on /status, cleared by
        the job's next successful run. Anything else is logged with its traceback."""
        try:
            await body()
        except Exception as exc:
            if is_database_locked(exc):
                log.warning("event=job_db_locked job=%s error=%s", job, exc)
                self._locked_jobs.add(job)
                problems.report("database", f"database is locked ({job} job)", self.clock.now())
            else:
                log.exception("event=job_failed job=%s", job)
            return
        if job in self._locked_jobs:
            self._locked_jobs.discard(job)
            if not self._locked_jobs:
                problems.clear("database")

    async def run_poll(self) -> None:
        async def body() -> None:
            summary = await self.services.feeds.poll_due()
            log.debug("event=poll_done summary=%s", summary)

        await self._guarded("poll", body)

    async def run_delivery(self) -> None:
        async def body() -> None:
            await self.alerts.deliver(self.transport)
            # A digest held for want of a channel goes out once one is set (after the alerts'
            # pass, so alerts too old to post late are already in its "held back" section).
            if await self.digests.release_waiting(self.clock.now()):
                await self.alerts.deliver(self.transport)

        await self._guarded("deliver", body)

    async def run_digest(self, guild_id: int) -> None:
        async def body() -> None:
            if await self.digests.run_due_digest(guild_id, self.clock.now()) is not None:
                await self.alerts.deliver(self.transport)

        await self._guarded(digest_job_id(guild_id), body)

    async def run_catch_up(self) -> None:
        async def body() -> None:
            await self.refresh_digest_jobs()
            if await self.digests.run_overdue(self.clock.now()):
                await self.alerts.deliver(self.transport)

        await self._guarded("digest-catch-up", body)

    async def run_retention(self) -> None:
        async def body() -> None:
            if self.prune is not None:
                await self.prune()  # the ops area's retention (articles, outbox, alerts)
            else:
                await self.alerts.prune(self.clock.now())

        await self._guarded("retention", body)

    # --- digest jobs per server ---
    async def reschedule_digest(self, guild_id: int) -> None:
        """(Re)schedule one server's daily digest at its digest_time in its timezone."""
        guild = await guild_store.get_guild(self.services.db.reader, guild_id)
        if guild is None:
            if self.get_job(digest_job_id(guild_id)) is not None:
                self.remove_job(digest_job_id(guild_id))
            return
        hours, _, minutes = guild.digest_time.partition(":")
        trigger = CronTrigger(
            hour=int(hours), minute=int(minutes or 0), timezone=zone(guild.timezone)
        )
        self.add_job(
            self.run_digest,
            trigger,
            args=[guild_id],
            id=digest_job_id(guild_id),
            name=f"daily digest for guild {guild_id}",
            replace_existing=True,
        )
        log.info(
            "event=digest_scheduled guild=%s time=%s tz=%s",
            guild_id,
            guild.digest_time,
            guild.timezone,
        )

    async def refresh_digest_jobs(self) -> None:
        """One digest job per known server (added, moved or removed to match the guilds table)."""
        known = await guild_store.list_guilds(self.services.db.reader)
        wanted = {digest_job_id(g.guild_id) for g in known}
        for job in self.get_jobs():
            if job.id.startswith("digest:") and job.id not in wanted:
                self.remove_job(job.id)
        for guild in known:
            try:
                job = self.get_job(digest_job_id(guild.guild_id))
                if job is None or _trigger_key(job.trigger) != _wanted_key(guild):
                    await self.reschedule_digest(guild.guild_id)
            except ValueError:  # a bad digest_time must not stop the other servers' digests
                log.exception(
                    "event=digest_schedule_failed guild=%s time=%r",
                    guild.guild_id,
                    guild.digest_time,
                )


def _trigger_key(trigger: Any) -> tuple[str, str]:
    fields = {f.name: str(f) for f in getattr(trigger, "fields", [])}
    return (
        f"{int(fields.get('hour', '0')):02d}:{int(fields.get('minute', '0')):02d}",
        str(trigger.timezone),
    )


def _wanted_key(guild: Any) -> tuple[str, str]:
    hours, _, minutes = guild.digest_time.partition(":")
    return (f"{int(hours):02d}:{int(minutes or 0):02d}", str(zone(guild.timezone)))


def build_scheduler(
    services: Any,
    transport: Transport,
    clock: Clock | None = None,
    *,
    prune: PruneHook | None = None,
) -> BeatwatchScheduler:
    """The scheduler with every job; call ``.start()`` inside the running event loop.

    ``prune`` defaults to the ops area's retention (``bot.ops.retention.retention_hook``).
    """
    clock = clock or services.clock
    if prune is None:
        try:
            from bot.ops.retention import retention_hook
        except ImportError:  # pragma: no cover - ops area absent
            log.warning("event=retention_hook_missing")
        else:
            prune = retention_hook(services.db, clock, services.settings)
    return BeatwatchScheduler(services, transport, clock, prune=prune)


def kick_delivery(scheduler: Any) -> None:
    """Run the outbox delivery job now instead of at its next interval (no-op without a
    running scheduler; the job itself never runs twice at once)."""
    if scheduler is None or not getattr(scheduler, "running", False):
        return
    if scheduler.get_job("deliver") is not None:
        scheduler.modify_job("deliver", next_run_time=datetime.now(UTC))


async def refresh_digest_jobs(
    scheduler: BeatwatchScheduler, services: Any, transport: Transport
) -> None:
    """For the Discord shell: a server joined or changed its digest settings."""
    await scheduler.refresh_digest_jobs()
