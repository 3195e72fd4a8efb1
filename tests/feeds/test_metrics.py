"""Feed polls show on /metrics: polls, fetch errors by kind, new articles stored."""

from __future__ import annotations

import re
from datetime import timedelta

import aiohttp

from bot.clock import FixedClock
from bot.ops import counters
from bot.ops.metrics import start_metrics_server

from .conftest import FeedServer, RecordingHook, ServiceFactory, rss, subscribe


async def scrape() -> dict[str, float]:
    server = await start_metrics_server("127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{server.port}/metrics") as resp:
                assert resp.status == 200
                text = await resp.text()
    finally:
        await server.close()
    samples = {}
    for line in text.splitlines():
        match = re.match(r"^(beatwatch_[a-z_]+(?:\{[^}]*\})?) (\S+)$", line)
        if match:
            samples[match.group(1)] = float(match.group(2))
    return samples


POLLS = "beatwatch_feed_polls_total"
STORED = "beatwatch_articles_stored_total"
HTTP_ERRORS = 'beatwatch_feed_fetch_errors_total{kind="http"}'


async def test_metrics_count_polls_errors_and_new_articles(
    feed_server: FeedServer, make_service: ServiceFactory, fclock: FixedClock
):
    feed_server.static("/good", rss([("a", "One"), ("b", "Two")]), etag='"1"')
    feed_server.static("/broken", b"upstream exploded", status=500, content_type="text/plain")
    service = await make_service(hook=RecordingHook())
    await subscribe(service, feed_server.url("/good"))
    await subscribe(service, feed_server.url("/broken"))
    before = await scrape()  # counters are process-wide: compare with what was there

    await service.poll_due()
    after_first = await scrape()
    assert after_first[POLLS] - before.get(POLLS, 0) == 2
    assert after_first[HTTP_ERRORS] - before.get(HTTP_ERRORS, 0) == 1
    assert after_first[STORED] - before.get(STORED, 0) == 2  # the baseline is stored too

    # Next cycle (past the broken feed's 5-minute backoff): one new entry on the good feed.
    feed_server.static("/good", rss([("c", "Three"), ("a", "One"), ("b", "Two")]), etag='"2"')
    fclock.advance(timedelta(minutes=11))
    await service.poll_due()
    after_second = await scrape()
    assert after_second[POLLS] - after_first[POLLS] == 2
    assert after_second[STORED] - after_first[STORED] == 1
    assert after_second[HTTP_ERRORS] - after_first[HTTP_ERRORS] == 1
    assert counters.POLLS.value() > 0 and counters.ARTICLES_STORED.value() > 0


async def test_an_entry_already_stored_by_another_feed_is_not_counted_again(
    feed_server: FeedServer, make_service: ServiceFactory
):
    body = rss([("shared", "Same story on two feeds")])
    feed_server.static("/one", body)
    feed_server.static("/two", body)
    service = await make_service(hook=RecordingHook())
    await subscribe(service, feed_server.url("/one"))
    await subscribe(service, feed_server.url("/two"))
    before = counters.ARTICLES_STORED.value()
    await service.poll_due()
    assert counters.ARTICLES_STORED.value() - before == 1
