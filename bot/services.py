"""The domain's composition: settings, clock and database, plus one service per feature.

Both shells build the same ``Services``: the CLI with :func:`open_services`, the Discord bot in
``bot.app`` (its ``setup_hook``). Nothing here imports discord.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.alerts.intake import AlertIntake
from bot.alerts.service import AlertService
from bot.clock import Clock, SystemClock
from bot.digest.service import DigestService
from bot.facts.ingest import ingest_article
from bot.facts.service import FactService
from bot.feeds.service import FeedService
from bot.models import CONSOLE_GUILD_ID
from bot.settings import Settings
from bot.storage import guilds
from bot.storage.database import Database
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


async def start_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Open the database (migrating it), make sure the console newsroom exists."""
    clock = clock or SystemClock()
    db = await Database.connect(settings.database_path)
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
    services.digests.facts = services.facts
    services.digests.topics = services.topics
    services.digests.stories = stories
    services.intake = AlertIntake(
        clock=clock, stories=stories, topics=services.topics, ingest_facts=ingest_article
    )
    feeds.set_hook(services.intake.on_new_articles)
    feeds.topics = lambda: services.topics
    await stories.load()
    async with db.transaction() as tx:
        await guilds.ensure_guild(
            tx,
            CONSOLE_GUILD_ID,
            clock,
            name="console",
            timezone=settings.default_timezone,
            digest_time=settings.default_digest_time,
        )
    await services.topics.load_seeds(settings.seeds_dir / "topics.json")
    await services.facts.ingest_seeds(settings.seeds_dir)  # idempotent: known seeds are skipped
    await feeds.start()  # the one shared aiohttp session
    await feeds.subscribe_defaults(CONSOLE_GUILD_ID)
    return services


async def stop_services(services: Services) -> None:
    await services.feeds.close()
    services.facts.close()
    await services.db.close()


@asynccontextmanager
async def open_services(settings: Settings, clock: Clock | None = None) -> AsyncIterator[Services]:
    services = await start_services(settings, clock)
    try:
        yield services
    finally:
        await stop_services(services)
