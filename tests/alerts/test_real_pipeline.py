"""The composed pipeline (real StoryService, TopicService with the shipped topics, facts ingest):
the hook the feed watcher calls, from stored article to the message a newsroom sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.alerts.transport import RecordingTransport
from bot.clock import FixedClock
from bot.models import Article, FeedRef
from bot.services import Services
from bot.storage import guilds
from bot.storage.articles import insert_article
from tests.alerts.standins import add_feed, subscribe

BODY = (
    "Russian forces shelled the city of Kramatorsk in the Donetsk region overnight, the regional "
    "governor Vadym Filashkin said on Sunday, damaging a school and three apartment blocks. "
    "Two people were wounded, he said. Kramatorsk lies about 20 km from the front line in Donbas."
)


def wire(n: int, publisher: str, when: datetime) -> Article:
    return Article(
        entry_key=f"pipeline:{n}",
        url=f"https://{publisher.lower().replace(' ', '')}.example/kramatorsk-{n}",
        title="Russian shelling hits Kramatorsk school, governor says",
        summary=BODY[:160],
        body=BODY,
        publisher=publisher,
        published=when,
        first_seen=when,
    )


async def _arrive(services: Services, feed: FeedRef, *articles: Article) -> None:
    assert services.intake is not None
    async with services.db.transaction() as tx:
        stored = []
        for a in articles:
            art_id, _ = await insert_article(tx, a)
            stored.append(a.model_copy(update={"id": art_id}))
        await services.intake.on_new_articles(tx, feed, stored, False)


async def test_shipped_topic_alert_then_edit_with_real_services(
    services: Services, clock: FixedClock
) -> None:
    feed_id = await add_feed(services)
    async with services.db.transaction() as tx:
        await guilds.ensure_guild(tx, 42, clock)
        await guilds.update_guild(tx, 42, alert_channel_id=4242)
    await subscribe(services, 42, feed_id)
    feed = FeedRef(id=feed_id, url="https://example.org/feed.xml", title="Test feed")
    transport = RecordingTransport()

    await _arrive(services, feed, wire(1, "Reuters", clock.now()))
    clock.advance(timedelta(seconds=services.settings.alert_hold_seconds))
    await services.alerts.deliver(transport)
    [posted] = [m for m in transport.messages() if m.guild_id == 42]
    assert posted.title.startswith("Russian shelling hits Kramatorsk")
    assert {f.name: f.value for f in posted.fields}["Topic"].startswith("Donbas")
    assert any("**" in line for line in posted.lines)  # the matched term is highlighted

    clock.advance(timedelta(minutes=30))
    await _arrive(services, feed, wire(2, "Kyiv Independent", clock.now()))
    await services.alerts.deliver(transport)
    mine = [p for p in transport.posted if p.msg.guild_id == 42]
    assert len(mine) == 1, "same story from a second outlet must edit, not repost"
    assert "Kyiv Independent — 2 outlets" in mine[0].current.as_text()
    # facts were ingested in the same transaction
    since = datetime(2026, 1, 1, tzinfo=UTC)
    assert await services.facts.facts_since(since, limit=500)


async def test_digest_new_facts_come_from_the_digest_stories(
    services: Services, clock: FixedClock
) -> None:
    feed_id = await add_feed(services)
    feed = FeedRef(id=feed_id, url="https://example.org/feed.xml", title="Test feed")
    await _arrive(services, feed, wire(1, "Reuters", clock.now()), wire(2, "AP", clock.now()))
    clock.advance(timedelta(hours=1))
    digest = await services.digests.build(0, clock.now() - timedelta(hours=24), clock.now())
    assert [ln.title for s in digest.sections for ln in s.lines] == [
        "Russian shelling hits Kramatorsk school, governor says"
    ]
    assert digest.facts, "the story's sentences are new facts"
    assert {f.publisher for f in digest.facts} <= {"Reuters", "AP"}
    assert digest.totals.facts >= len(digest.facts)  # every new fact counted (seeds too)
