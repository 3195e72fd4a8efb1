"""A small newsroom: the alerts intake with stand-in stories/topics, the service, a recorder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.alerts.intake import AlertIntake
from bot.alerts.service import AlertService
from bot.alerts.transport import RecordingTransport
from bot.clock import FixedClock
from bot.models import Article, DeliveryReport, FeedRef
from bot.services import Services
from bot.storage import guilds
from bot.storage.articles import insert_article
from tests.alerts.standins import StandInStories, StandInTopics, add_feed, subscribe

NEWSROOM = 42
CHANNEL = 4242


@dataclass
class Newsroom:
    services: Services
    clock: FixedClock
    intake: AlertIntake
    alerts: AlertService
    transport: RecordingTransport
    topics: StandInTopics
    feed: FeedRef

    async def arrive(self, *articles: Article, baseline: bool = False) -> list[Article]:
        """What the feed watcher does: store each article and call the hook, one transaction."""
        stored = []
        async with self.services.db.transaction() as tx:
            for art in articles:
                art_id, created = await insert_article(tx, art)
                if created:
                    stored.append(art.model_copy(update={"id": art_id}))
            await self.intake.on_new_articles(tx, self.feed, stored, baseline)
        return stored

    async def deliver(self, after_seconds: float = 0) -> DeliveryReport:
        self.clock.advance(timedelta(seconds=after_seconds))
        return await self.alerts.deliver(self.transport)

    async def set_guild(self, guild_id: int = NEWSROOM, **changes: object) -> None:
        async with self.services.db.transaction() as tx:
            await guilds.update_guild(tx, guild_id, **changes)

    def posts(self, guild_id: int = NEWSROOM, kind: str | None = None) -> list:
        return [m for m in self.transport.messages(kind) if m.guild_id == guild_id]


@pytest.fixture
async def newsroom(services: Services, clock: FixedClock) -> Newsroom:
    feed_id = await add_feed(services)
    async with services.db.transaction() as tx:
        # a newsroom that has been around for a while (its digests run from today on)
        joined = FixedClock(clock.now() - timedelta(days=7))
        await guilds.ensure_guild(tx, NEWSROOM, joined, name="Kyiv desk")
        await guilds.update_guild(tx, NEWSROOM, alert_channel_id=CHANNEL)
    await subscribe(services, NEWSROOM, feed_id)
    topics = StandInTopics()
    intake = AlertIntake(clock=clock, stories=StandInStories(), topics=topics)
    return Newsroom(
        services=services,
        clock=clock,
        intake=intake,
        alerts=AlertService(services.db, services.settings, clock),
        transport=RecordingTransport(),
        topics=topics,
        feed=FeedRef(id=feed_id, url="https://example.org/feed.xml", title="Test feed"),
    )
