"""The feed watcher's NewArticlesHook: facts, story, topic matches and outbox rows, one transaction.

For the new articles of one feed (``baseline`` or not): facts ingest (one batch), then story
assignment, article by article. Then, unless
``baseline`` (a feed's first poll: stored, ingested, grouped, never alerted), for every server
subscribed to the feed plus the console newsroom (guild 0):

- the story was muted there (alert button) -> nothing.
- the story already has an alert in that server -> the alert is updated (outlets, count). If it
  was delivered and the outlets grew, one pending 'edit' row is written (or bumped); if it was
  not delivered yet, the new outlet is simply folded in before it is sent.
- else, if the article matches one of the server's topics (minus (topic, outlet) pairs muted
  there) -> a new alert and an 'alert' outbox row.

All of it runs on the watcher's transaction, so an article is never stored without its alerts.
What it reads is read once per batch (existing alerts, mutes: ``IN (...)``), not per article;
an alert this batch wrote is read again for the next article of its story. :meth:`prepare`,
awaited by the watcher before its transaction, loads the story index and does the CPU part
of the fact analysis there, so other writers do not wait for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Protocol

import aiosqlite

from bot.clock import Clock
from bot.models import CONSOLE_GUILD_ID, Alert, Article, FeedRef
from bot.ops import counters
from bot.storage import alerts as store
from bot.storage import outbox as outbox_store

log = logging.getLogger(__name__)

_FIELD_RANK = {"title": 0, "summary": 1, "body": 2}


class StoryLike(Protocol):
    @property
    def story_id(self) -> int: ...
    @property
    def article_count(self) -> int: ...
    @property
    def outlets(self) -> list[str]: ...


class StoryAssigner(Protocol):
    async def assign(self, tx: aiosqlite.Connection, article: Article) -> StoryLike: ...


class MatchLike(Protocol):
    @property
    def topic_id(self) -> int: ...
    @property
    def topic(self) -> str: ...
    @property
    def alias(self) -> str: ...
    @property
    def field(self) -> str: ...
    @property
    def snippet(self) -> str: ...
    @property
    def ping_role_id(self) -> int | None: ...


class MatcherLike(Protocol):
    def match(self, title: str, summary: str = "", body: str = "") -> Sequence[MatchLike]: ...


class MatcherSource(Protocol):
    async def matcher_for(self, guild_id: int | None) -> MatcherLike: ...


FactIngest = Callable[[aiosqlite.Connection, int, Article, Clock], Awaitable[int]]


class FactBatchLike(Protocol):
    async def prepare(self, articles: Sequence[Article]) -> None: ...
    async def ingest(self, tx: aiosqlite.Connection, articles: Sequence[Article]) -> int: ...


def best_match(matches: Sequence[MatchLike]) -> MatchLike:
    """The match an alert leads with: a title hit beats a summary hit beats a body hit."""
    return min(matches, key=lambda m: _FIELD_RANK.get(m.field, 3))


class AlertIntake:
    """Holds the services the hook needs; pass ``intake.on_new_articles`` to the watcher."""

    def __init__(
        self,
        *,
        clock: Clock,
        stories: StoryAssigner,
        topics: MatcherSource,
        ingest_facts: FactIngest | None = None,
        facts: FactBatchLike | None = None,
    ) -> None:
        self._clock = clock
        self._stories = stories
        self._topics = topics
        self._ingest_facts = ingest_facts
        self._facts = facts  # batched facts (preferred over ``ingest_facts``)

    async def prepare(self, articles: Sequence[Article]) -> None:
        """Before the write transaction that will store ``articles``: load the story index
        (first time only), their story features and their facts."""
        ensure_loaded = getattr(self._stories, "ensure_loaded", None)
        if ensure_loaded is not None:
            await ensure_loaded()
        if not articles:
            return
        work = []
        prepare_stories = getattr(self._stories, "prepare", None)
        if prepare_stories is not None:
            work.append(prepare_stories(articles))
        if self._facts is not None:
            work.append(self._facts.prepare(articles))
        await asyncio.gather(*work)  # both cores when they run in the parse workers

    async def on_new_articles(
        self,
        tx: aiosqlite.Connection,
        feed: FeedRef | None,
        articles: list[Article],
        baseline: bool,
    ) -> None:
        if not articles:
            return
        now = self._clock.now()
        subscribers: list[tuple[int, int | None]] = []
        if not baseline:
            subscribers = await store.feed_subscribers(tx, feed.id) if feed is not None else []
            if all(g != CONSOLE_GUILD_ID for g, _ in subscribers):
                subscribers.insert(0, (CONSOLE_GUILD_ID, None))
        matchers = {g: await self._topics.matcher_for(g) for g, _ in subscribers}
        for article in articles:
            if article.id is None:
                raise ValueError("on_new_articles needs stored articles (with ids)")
        if self._facts is not None:
            await self._facts.ingest(tx, articles)
        elif self._ingest_facts is not None:
            for article in articles:
                assert article.id is not None
                await self._ingest_facts(tx, article.id, article, self._clock)
        stories = [await self._stories.assign(tx, article) for article in articles]
        if baseline:
            return
        # Three queries for the whole batch, whatever the number of articles and servers.
        story_ids = [s.story_id for s in stories]
        existing_of = await store.alerts_for_stories(tx, story_ids)
        muted_story_of = await store.stories_muted_in(tx, story_ids)
        muted_source_of = await store.sources_muted_in(tx, [a.publisher for a in articles])
        written: set[int] = set()  # stories whose alerts this batch changed: read them again
        for article, story in zip(articles, stories, strict=True):
            if story.story_id in written:
                existing = await store.alerts_for_story(tx, story.story_id)
            else:
                existing = existing_of.get(story.story_id, {})
            muted_story = muted_story_of.get(story.story_id, set())
            muted_source = muted_source_of.get(article.publisher, set())
            for guild_id, channel_id in subscribers:
                if guild_id in muted_story:
                    continue  # an editor muted the story in this server: no alert, no updates
                matches = [
                    m
                    for m in matchers[guild_id].match(article.title, article.summary, article.body)
                    if (guild_id, m.topic) not in muted_source
                ]
                if await self._alert_for(
                    tx, guild_id, channel_id, article, story, matches, existing.get(guild_id), now
                ):
                    written.add(story.story_id)

    async def _alert_for(
        self,
        tx: aiosqlite.Connection,
        guild_id: int,
        channel_id: int | None,
        article: Article,
        story: StoryLike,
        matches: list[MatchLike],
        existing: Alert | None,
        now: datetime,
    ) -> bool:
        """Fold into the story's alert or create one; True when an alert row was written."""
        assert article.id is not None
        outlets = list(dict.fromkeys(story.outlets or [article.publisher]))
        if existing is not None:
            grew = set(outlets) - set(existing.outlets)
            await store.fold_alert(
                tx,
                existing.id,
                outlets=list(dict.fromkeys([*existing.outlets, *outlets])),
                article_count=max(story.article_count, existing.article_count),
                now=now,
                content_changed=bool(grew),
            )
            if grew and existing.status == "delivered":
                await outbox_store.enqueue_edit(
                    tx, guild_id=guild_id, alert_id=existing.id, now=now
                )
            log.info(
                "event=alert_folded guild=%s story=%s alert=%s new_outlets=%s status=%s",
                guild_id,
                story.story_id,
                existing.id,
                len(grew),
                existing.status,
            )
            return True
        if not matches:
            return False  # no topic, or only topics whose alerts from this outlet were muted
        lead = best_match(matches)
        alert_id = await store.insert_alert(
            tx,
            guild_id=guild_id,
            story_id=story.story_id,
            topic=lead.topic,
            topics=list(dict.fromkeys(m.topic for m in matches)),
            topic_id=lead.topic_id,
            article_id=article.id,
            title=article.title,
            url=article.url,
            publisher=article.publisher,
            published=article.published,
            alias=lead.alias,
            snippet=lead.snippet,
            outlets=outlets if article.publisher in outlets else [article.publisher, *outlets],
            article_count=story.article_count,
            channel_id=channel_id,
            ping_role_id=lead.ping_role_id,
            now=now,
        )
        await outbox_store.enqueue(
            tx, guild_id=guild_id, kind="alert", now=now, alert_id=alert_id, channel_id=channel_id
        )
        counters.ALERTS_QUEUED.inc()
        log.info(
            "event=alert_queued guild=%s story=%s alert=%s topic=%s",
            guild_id,
            story.story_id,
            alert_id,
            lead.topic,
        )
        return True
