"""Storing one feed with thousands of new entries is bounded (issue 10): the newest
FULL_PATH_MAX go through the hook (facts, stories, alerts) in transactions of
FULL_PATH_CHUNK, the older ones are stored and recorded as seen in chunked transactions, and
the next poll finds them all known."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from bot.clock import FixedClock
from bot.feeds import watcher as watcher_module
from bot.feeds.fetcher import FetchResult
from bot.feeds.normalize import NormalizedEntry
from bot.feeds.parser import ParsedFeed
from bot.models import Article
from bot.services import Services
from bot.storage import feeds as store


def _parsed(count: int, clock: FixedClock) -> ParsedFeed:
    entries = []
    for n in range(count):
        when = clock.now() - timedelta(minutes=count - n)  # n = count - 1 is the newest
        entries.append(
            NormalizedEntry(
                article=Article(
                    entry_key=f"bulk:{n}",
                    url=f"https://bulk.example/{n}",
                    title=f"Archive item {n}",
                    body=f"Text of archive item {n}.",
                    publisher="Bulk",
                    published=when,
                    first_seen=clock.now(),
                ),
                date_missing=False,
            )
        )
    return ParsedFeed(title="Bulk", version="rss20", entries=entries)


async def test_many_new_entries_full_path_for_the_newest_only(
    services: Services, clock: FixedClock, monkeypatch: Any
) -> None:
    monkeypatch.setattr(watcher_module, "FULL_PATH_MAX", 20)
    monkeypatch.setattr(watcher_module, "RECORD_CHUNK", 30)
    monkeypatch.setattr(watcher_module, "FULL_PATH_CHUNK", 8)
    watcher = services.feeds.watcher
    handed: list[list[Article]] = []
    prepared: list[int] = []

    async def hook(tx: Any, feed: Any, articles: list[Article], baseline: bool) -> None:
        handed.append(articles)

    async def prepare(articles: list[Article]) -> None:
        prepared.append(len(articles))

    watcher.hook = hook
    watcher.prepare = prepare
    transactions = 0
    real = services.db.transaction

    def counting() -> Any:
        nonlocal transactions
        transactions += 1
        return real()

    monkeypatch.setattr(services.db, "transaction", counting)
    async with real() as tx:
        feed_id, _ = await store.ensure_feed(tx, "https://bulk.example/feed", clock.now())
        await store.subscribe(tx, 0, feed_id, clock.now())
    feed = await store.get_feed(services.db.reader, feed_id)
    assert feed is not None
    result = FetchResult(url=feed.url, final_url=feed.url, status=200, body=b"x")
    outcome = await watcher.store_parsed(feed, result, _parsed(100, clock), "digest")
    assert outcome.new == 100
    assert [len(batch) for batch in handed] == [8, 8, 4] and prepared == [20]
    assert [a.entry_key for batch in handed for a in batch] == [f"bulk:{n}" for n in range(80, 100)]
    assert all(a.id is not None for batch in handed for a in batch)
    assert transactions == 3 + 3  # 80 older entries in chunks of 30, the newest in 8s
    count = await services.db.fetchval(
        "SELECT count(*) FROM feed_entries WHERE feed_id = ?", (feed_id,)
    )
    assert count == 100
    assert (
        await services.db.fetchval("SELECT count(*) FROM articles WHERE entry_key LIKE 'bulk:%'")
        == 100
    )
    # the next poll of the same body finds nothing new
    feed = await store.get_feed(services.db.reader, feed_id)
    assert feed is not None
    again = await watcher.store_parsed(feed, result, _parsed(100, clock), "digest2")
    assert again.new == 0 and len(handed) == 3


async def test_storing_is_linear_in_new_entries(services: Services, clock: FixedClock) -> None:
    """2,000 new entries cost about twice 1,000 (it was quadratic), without the hook."""
    watcher = services.feeds.watcher

    async def hook(tx: Any, feed: Any, articles: list[Article], baseline: bool) -> None:
        return None

    watcher.hook = hook
    watcher.prepare = None
    seconds = []
    for n, count in enumerate((1000, 2000)):
        async with services.db.transaction() as tx:
            feed_id, _ = await store.ensure_feed(tx, f"https://lin.example/{n}", clock.now())
        feed = await store.get_feed(services.db.reader, feed_id)
        assert feed is not None
        parsed = _parsed(count, clock)
        parsed = ParsedFeed(
            title="Lin",
            version="rss20",
            entries=[
                NormalizedEntry(
                    article=e.article.model_copy(update={"entry_key": f"lin{n}:{i}"}),
                    date_missing=False,
                )
                for i, e in enumerate(parsed.entries)
            ],
        )
        result = FetchResult(url=feed.url, final_url=feed.url, status=200, body=b"x")
        started = time.perf_counter()
        await watcher.store_parsed(feed, result, parsed, f"d{n}")
        seconds.append(time.perf_counter() - started)
    assert seconds[1] < 4 * seconds[0] + 0.5, seconds
