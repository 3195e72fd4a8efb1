"""The domain's composition: settings, clock and database, plus one service per feature.

Both shells build the same ``Services``: the CLI with :func:`open_services`, the Discord bot in
``bot.app`` (its ``setup_hook``). Nothing here imports discord.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.alerts.intake import AlertIntake
from bot.alerts.service import AlertService
from bot.clock import Clock, SystemClock
from bot.digest.service import DigestService
from bot.errors import DatabaseUnavailable, OperatorError, UserFacingError
from bot.facts.batch import FactBatch
from bot.facts.ingest import ingest_article
from bot.facts.service import FactService
from bot.feeds.service import FeedService, SeedFeedError
from bot.models import CONSOLE_GUILD_ID
from bot.seeds import SeedError
from bot.settings import Settings
from bot.storage import guilds
from bot.storage.database import Database, database_unavailable
from bot.stories.service import StoryService
from bot.topics.service import TopicService

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    clock: Clock
    db: Database
    stories: StoryService
    topics: TopicService
    feeds: FeedService
    facts: FactService
    alerts: AlertService
    digests: DigestService
    intake: AlertIntake | None = None  # the feed watcher's NewArticlesHook (alerts area)


LOCK_RETRY_SECONDS = 1.0  # pause between start-up attempts while the database is locked


async def start_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Open the database (migrating it), make sure the console newsroom exists.

    A database another process holds locked is retried, with a warning each time, until
    ``settings.start_lock_wait_seconds`` have passed (each attempt waits up to the 5 s busy
    timeout). Expected failures (locked after that, read-only, disk full, corrupt, made by a
    newer beatwatch, a broken seed file) raise :class:`OperatorError`. Whatever fails, what
    was opened is closed again: aiosqlite's threads would otherwise keep the process alive.
    """
    clock = clock or SystemClock()
    began = time.monotonic()
    while True:
        try:
            return await _start_once(settings, clock)
        except DatabaseUnavailable as exc:
            waited = time.monotonic() - began
            limit = settings.start_lock_wait_seconds
            if exc.kind != "locked":
                raise
            if waited >= limit:
                raise DatabaseUnavailable(
                    f"{exc}; gave up after {waited:.0f}s (BEATWATCH_START_LOCK_WAIT_SECONDS)",
                    exc.kind,
                ) from exc
            log.warning(
                "event=database_locked_at_start path=%s waited_seconds=%.0f limit_seconds=%.0f "
                "action=retry",
                settings.database_path,
                waited,
                limit,
            )
            await asyncio.sleep(LOCK_RETRY_SECONDS)


async def _start_once(settings: Settings, clock: Clock) -> Services:
    db = await Database.connect(settings.database_path)
    built: list[Services] = []
    try:
        return await _build(settings, clock, db, built)
    except BaseException as exc:
        await _close_after_failure(built[0] if built else None, db)
        if isinstance(exc, sqlite3.Error) and (unavailable := database_unavailable(exc, db.path)):
            raise unavailable from exc
        if isinstance(exc, SeedError | SeedFeedError):
            raise OperatorError(str(exc)) from exc
        raise


async def _close_after_failure(services: Services | None, db: Database) -> None:
    try:
        if services is not None:
            await stop_services(services)
        else:
            await db.close()
    except Exception:  # boundary: the start-up error is the one to report
        log.exception("event=close_after_failed_start")


async def _build(settings: Settings, clock: Clock, db: Database, built: list[Services]) -> Services:
    feeds = FeedService(settings, clock, db)
    stories = StoryService(db, clock, settings)
    services = Services(
        settings=settings,
        clock=clock,
        db=db,
        stories=stories,
        topics=TopicService(db, clock),
        feeds=feeds,
        facts=FactService(db, clock),
        alerts=AlertService(db, settings, clock),
        digests=DigestService(db, settings, clock),
    )
    built.append(services)  # closed again if the rest of the start-up fails
    services.digests.facts = services.facts
    services.digests.topics = services.topics
    services.digests.stories = stories
    services.intake = AlertIntake(
        clock=clock,
        stories=stories,
        topics=services.topics,
        ingest_facts=ingest_article,
        facts=FactBatch(clock, run=feeds.pool.run),  # analysed in the parse workers
    )
    feeds.set_hook(services.intake.on_new_articles)
    # The story index loads when stories are first assigned, before that write transaction
    # (read-only commands never load it); facts are analysed there too.
    feeds.watcher.prepare = services.intake.prepare
    stories.run = feeds.pool.run
    feeds.topics = lambda: services.topics
    async with db.transaction() as tx:
        await guilds.ensure_guild(
            tx,
            CONSOLE_GUILD_ID,
            clock,
            name="console",
            timezone=settings.default_timezone,
            digest_time=settings.default_digest_time,
        )
    topics_file = settings.seeds_dir / "topics.json"
    try:
        await services.topics.load_seeds(topics_file)
    except (OSError, ValueError, KeyError, TypeError, UserFacingError) as exc:
        reason = f"missing {exc}" if isinstance(exc, KeyError) else str(exc) or repr(exc)
        raise SeedError(f"{topics_file}: not a valid topics file: {reason}") from exc
    await services.facts.ingest_seeds(settings.seeds_dir)  # idempotent: known seeds are skipped
    await feeds.start()  # the one shared aiohttp session
    await feeds.subscribe_defaults(CONSOLE_GUILD_ID)
    return services


async def stop_services(services: Services) -> None:
    """Close everything :func:`start_services` opened, each even if another fails."""
    try:
        await services.feeds.close()
    finally:
        try:
            services.facts.close()
        finally:
            await services.db.close()


@asynccontextmanager
async def open_services(settings: Settings, clock: Clock | None = None) -> AsyncIterator[Services]:
    services = await start_services(settings, clock)
    try:
        yield services
    finally:
        await stop_services(services)
