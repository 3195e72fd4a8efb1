"""Poll cycles end to end: store once, baseline without alerts, 304, isolation, backoff, health
transitions, restart."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web

from bot.clock import FixedClock
from bot.feeds.fetcher import MAX_RETRY_AFTER_SECONDS, parse_retry_after
from bot.feeds.watcher import MAX_BACKOFF, backoff_delay
from bot.storage import feeds as store
from bot.storage.articles import count_articles
from bot.storage.database import Database

from .conftest import FeedServer, MapResolver, RecordingHook, ServiceFactory, rss, subscribe

POLL = timedelta(minutes=11)


async def test_first_poll_is_baseline_then_only_new_entries_alert(
    feed_server: FeedServer, make_service: ServiceFactory, fclock: FixedClock, db: Database
):
    feed_server.static("/feed", rss([("a", "One"), ("b", "Two")]), etag='"1"')
    hook = RecordingHook()
    service = await make_service(hook=hook)
    feed_id = await subscribe(service, feed_server.url("/feed"))

    first = await service.poll_due()
    assert first.changed == 1 and first.baseline_articles == 2 and first.new_articles == 0
    assert [baseline for _, _, baseline in hook.calls] == [True]
    article = hook.calls[0][1][0]
    assert article.publisher == "Test Wire" and article.source == "feed"
    assert article.url == "https://news.example.org/a"  # no utm_*, no fragment
    assert article.summary == "One & more." and article.language == "en"

    fclock.advance(POLL)
    second = await service.poll_due()
    assert second.not_modified == 1 and len(hook.calls) == 1  # 304: nothing parsed or stored
    assert feed_server.requests[-1].headers["If-None-Match"] == '"1"'

    feed_server.static("/feed", rss([("c", "Three"), ("a", "One"), ("b", "Two")]), etag='"2"')
    fclock.advance(POLL)
    third = await service.poll_due()
    assert third.new_articles == 1 and hook.alerted() == ["guid:https://news.example.org/c"]
    assert await count_articles(db.reader) == 3
    assert await store.count_feed_entries(db.reader, feed_id) == 3
    assert (await service.status(0))[0].entry_count == 3  # 1 worked out + 2 known


async def test_not_due_feeds_are_not_polled(
    feed_server: FeedServer, make_service: ServiceFactory, fclock: FixedClock
):
    feed_server.static("/feed", rss([("a", "One")]))
    service = await make_service(hook=RecordingHook())
    await subscribe(service, feed_server.url("/feed"))
    await service.poll_due()
    fclock.advance(timedelta(minutes=2))
    assert (await service.poll_due()).due == 0


async def test_unchanged_body_without_validators_is_not_parsed(
    feed_server: FeedServer, make_service: ServiceFactory, fclock: FixedClock
):
    feed_server.static("/feed", rss([("a", "One")]))  # no ETag, no Last-Modified
    hook = RecordingHook()
    service = await make_service(hook=hook)
    await subscribe(service, feed_server.url("/feed"))
    await service.poll_due()
    fclock.advance(POLL)
    summary = await service.poll_due()
    assert summary.unchanged_body == 1 and summary.changed == 0


async def test_repost_with_new_timestamp_is_not_new(
    feed_server: FeedServer, make_service: ServiceFactory, fclock: FixedClock
):
    feed_server.static("/feed", rss([("a", "One")]), etag='"1"')
    hook = RecordingHook()
    service = await make_service(hook=hook)
    await subscribe(service, feed_server.url("/feed"))
    await service.poll_due()
    moved = rss([("a", "One (updated)")]).replace(b"08:00:00", b"10:30:00")
    feed_server.static("/feed", moved, etag='"2"')
    fclock.advance(POLL)
    summary = await service.poll_due()
    assert summary.changed == 1 and summary.new_articles == 0 and hook.alerted() == []


async def test_one_feed_hanging_does_not_delay_the_others(
    feed_server: FeedServer, make_service: ServiceFactory
):
    """The hanging feed only answers once the fast feed's articles are committed."""
    fast_done = asyncio.Event()

    async def hanging(request: web.Request) -> web.StreamResponse:
        await fast_done.wait()
        return web.Response(status=500)

    feed_server.routes["/hang"] = hanging
    feed_server.static("/fast", rss([("a", "One")]))
    hook = RecordingHook(on_call=lambda feed: fast_done.set())
    service = await make_service(hook=hook)
    await subscribe(service, feed_server.url("/hang"))
    await subscribe(service, feed_server.url("/fast"))
    summary = await asyncio.wait_for(service.poll_due(), timeout=10)
    assert summary.changed == 1 and summary.failed == 1
    assert summary.errors == {feed_server.url("/hang"): "HTTP 500 Internal Server Error"}


async def test_timeout_and_parse_failures_stay_with_their_feed(
    feed_server: FeedServer, make_service: ServiceFactory, feed_settings, db: Database
):
    release = asyncio.Event()

    async def never(request: web.Request) -> web.StreamResponse:
        await release.wait()
        return web.Response(status=200)

    feed_server.routes["/never"] = never
    feed_server.static(
        "/html", b"<!doctype html><html><body>hi</body></html>", content_type="text/html"
    )
    feed_server.static("/empty", b"")
    feed_server.static("/junk", b"\x00\x01 not xml at all", content_type="application/octet-stream")
    feed_server.static(
        "/bad", rss([("a", "One")]).replace(b"</channel>", b"<item><title>x &bogus; </channel>")
    )
    feed_server.static("/good", rss([("a", "One"), ("b", "Two")]))
    settings = feed_settings.model_copy(update={"fetch_timeout_seconds": 0.3})
    service = await make_service(hook=RecordingHook(), settings=settings)
    for path in ("/never", "/html", "/empty", "/junk", "/bad", "/good", "/missing"):
        await subscribe(service, feed_server.url(path))
    try:
        summary = await service.poll_due()
    finally:
        release.set()
    errors = {url.rsplit("/", 1)[1]: text for url, text in summary.errors.items()}
    assert errors["never"] == "timed out after 0.3s"
    assert errors["html"] == "web page, not a feed"
    assert errors["empty"] == "empty response"
    assert errors["junk"].startswith("not an RSS/Atom feed")
    assert errors["missing"] == "HTTP 404 Not Found"
    assert set(errors) == {"never", "html", "empty", "junk", "missing"}
    statuses = {s.url.rsplit("/", 1)[1]: s for s in await service.status(0)}
    assert statuses["bad"].bozo and statuses["bad"].entry_count >= 1  # malformed, recovered
    assert statuses["good"].error_count == 0 and statuses["good"].last_success_at is not None
    assert statuses["missing"].error_count == 1 and statuses["missing"].last_error


async def test_backoff_failing_disabled_and_recovery_events(
    feed_server: FeedServer, make_service: ServiceFactory, fclock: FixedClock, db: Database
):
    feed_server.static("/feed", b"oops", status=500)
    service = await make_service(hook=RecordingHook())
    feed_id = await subscribe(service, feed_server.url("/feed"))
    start = fclock.now()

    await service.poll_due()  # error 1: healthy, retry in 5 min
    row = await store.get_feed(db.reader, feed_id)
    assert row and row.state == "healthy" and row.next_check_at == start + timedelta(minutes=5)
    fclock.advance(timedelta(minutes=5))
    await service.poll_due()  # error 2 -> failing (failing_after_errors=2), retry in 10 min
    row = await store.get_feed(db.reader, feed_id)
    assert (
        row and row.state == "failing" and row.next_check_at == fclock.now() + timedelta(minutes=10)
    )

    feed_server.static("/feed", rss([("a", "One")]))
    fclock.advance(timedelta(minutes=10))
    await service.poll_due()  # success -> healthy again
    feed_server.static("/feed", b"oops", status=500)
    for _ in range(4):  # disable_after_errors=4
        fclock.advance(timedelta(days=1))
        await service.poll_due()
    row = await store.get_feed(db.reader, feed_id)
    assert (
        row
        and row.state == "disabled"
        and row.next_check_at - fclock.now() == timedelta(minutes=40)
    )
    fclock.advance(timedelta(days=2))
    assert (await service.poll_due()).due == 0  # disabled feeds are not polled

    events = await service.health_events_since(0)
    assert [(e.old_state, e.new_state) for e in events] == [
        ("healthy", "failing"),
        ("failing", "healthy"),
        ("healthy", "failing"),
        ("failing", "disabled"),
    ]
    assert "HTTP 500" in events[-1].reason and "4 consecutive errors" in events[-1].reason
    status = (await service.status(0))[0]
    assert status.state == "disabled" and status.state_reason and "HTTP 500" in status.state_reason


async def test_retry_after_sets_next_check(
    feed_server: FeedServer, make_service: ServiceFactory, fclock: FixedClock, db: Database
):
    feed_server.static("/feed", b"busy", status=429, headers={"Retry-After": "7200"})
    service = await make_service(hook=RecordingHook())
    feed_id = await subscribe(service, feed_server.url("/feed"))
    await service.poll_due()
    row = await store.get_feed(db.reader, feed_id)
    assert row and row.next_check_at == fclock.now() + timedelta(hours=2)


@pytest.mark.parametrize(
    "value", ["99999999999999999999", "9" * 400, "Fri, 31 Dec 9999 23:59:59 GMT"]
)
async def test_huge_retry_after_backs_off_a_day_and_the_cycle_goes_on(
    feed_server: FeedServer, make_service: ServiceFactory, fclock: FixedClock, db: Database, value
):
    """A hostile Retry-After used to overflow timedelta outside the per-feed boundary: the
    whole poll cycle crashed, every cycle, and the feed was never backed off."""
    feed_server.static("/hostile", b"busy", status=503, headers={"Retry-After": value})
    feed_server.static("/fine", rss([("a", "One")]))
    service = await make_service(hook=RecordingHook())
    hostile = await subscribe(service, feed_server.url("/hostile"))
    await subscribe(service, feed_server.url("/fine"))
    summary = await service.poll_due()
    assert summary.failed == 1 and summary.changed == 1
    row = await store.get_feed(db.reader, hostile)
    assert row and row.next_check_at == fclock.now() + MAX_BACKOFF and row.error_count == 1


def test_retry_after_is_clamped_before_it_becomes_a_delay():
    now = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    assert parse_retry_after("99999999999999999999", now) == MAX_RETRY_AFTER_SECONDS
    assert parse_retry_after("１２", now) is None  # not ASCII digits: not a delay
    for huge in (1e20, float("inf")):
        assert backoff_delay(1, huge) == MAX_BACKOFF
    assert backoff_delay(1, float("nan")) == timedelta(minutes=5)


async def test_restart_between_polls_stores_nothing_twice(
    feed_server: FeedServer, make_service: ServiceFactory, fclock: FixedClock, feed_settings
):
    feed_server.static("/feed", rss([("a", "One"), ("b", "Two")]), etag='"1"')
    first_hook = RecordingHook()
    async with Database.open(feed_settings.database_path) as db1:
        s1 = await make_service(hook=first_hook, database=db1)
        await subscribe(s1, feed_server.url("/feed"))
        await s1.poll_due()
        await s1.close()
    assert [b for _, _, b in first_hook.calls] == [True]

    feed_server.static("/feed", rss([("c", "Three"), ("a", "One"), ("b", "Two")]), etag='"2"')
    second_hook = RecordingHook()
    async with Database.open(feed_settings.database_path) as db2:
        s2 = await make_service(hook=second_hook, database=db2)
        fclock.advance(POLL)
        await s2.poll_due()
        fclock.advance(POLL)
        await s2.poll_due()  # 304
        feed_server.static("/feed", rss([("c", "Three"), ("a", "One")]), etag='"3"')
        fclock.advance(POLL)
        await s2.poll_due()  # an entry dropped off: nothing new either
        assert second_hook.alerted() == ["guid:https://news.example.org/c"]
        assert all(not baseline for _, _, baseline in second_hook.calls)
        assert await count_articles(db2.reader) == 3


async def test_hook_failure_rolls_back_and_is_retried(
    feed_server: FeedServer, make_service: ServiceFactory, fclock: FixedClock, db: Database
):
    feed_server.static("/feed", rss([("a", "One")]), etag='"1"')

    async def broken(tx, feed, articles, baseline):
        raise RuntimeError("alerts side bug")

    service = await make_service(hook=broken)
    await subscribe(service, feed_server.url("/feed"))
    summary = await service.poll_due()
    assert summary.failed == 1 and "alerts side bug" in next(iter(summary.errors.values()))
    assert await count_articles(db.reader) == 0  # same transaction: nothing half-stored
    hook = RecordingHook()
    service.set_hook(hook)
    fclock.advance(timedelta(minutes=5))
    await service.poll_due()  # the ETag was not stored, so the body is fetched again
    assert hook.calls and hook.calls[0][2] is True and await count_articles(db.reader) == 1


async def test_unreachable_default_feeds_fail_clearly(
    make_service: ServiceFactory, feed_settings, db: Database
):
    """The shipped feeds on a machine without internet: every one a clear error, no crash."""
    settings = feed_settings.model_copy(update={"allow_private_hosts": False})
    service = await make_service(hook=RecordingHook(), settings=settings, resolver=MapResolver({}))
    added = await service.subscribe_defaults(0)
    assert added >= 15
    summary = await service.poll_due()
    assert summary.failed == added and summary.changed == 0
    assert all(
        text.startswith(("could not resolve ", "unreachable")) for text in summary.errors.values()
    ), summary.errors
    assert await service.subscribe_defaults(0) == 0  # once per server


async def test_malformed_feed_warns_once_per_state_change(
    feed_server: FeedServer, make_service: ServiceFactory, fclock: FixedClock, caplog
):
    def broken(n: int) -> bytes:
        return rss([(str(n), f"Item {n}")]).replace(
            b"</channel>", b"<item><title>x &bogus; </channel>"
        )

    feed_server.static("/feed", broken(1))
    service = await make_service(hook=RecordingHook())
    await subscribe(service, feed_server.url("/feed"))
    with caplog.at_level("WARNING", logger="bot.feeds.watcher"):
        for n in (1, 2, 3):
            feed_server.static("/feed", broken(n))
            await service.poll_due()
            fclock.advance(POLL)
    assert sum("event=feed_malformed" in r.getMessage() for r in caplog.records) == 1


async def test_process_pool_parses_off_the_loop():
    from datetime import UTC, datetime

    from bot.feeds.parser import ParsePool

    pool = ParsePool(mode="process", workers=1)
    try:
        parsed = await pool.parse(
            rss([("a", "One")]), {"content-type": "application/rss+xml"}, "https://x.org/f",
            datetime(2026, 2, 1, tzinfo=UTC),
        )  # fmt: skip
        assert parsed.title == "Test Wire" and parsed.entries[0].article.title == "One"
        assert pool.worker_pids()
    finally:
        pool.close()


async def test_feeds_polled_late_in_a_cycle_are_due_at_the_next_one(
    feed_server: FeedServer, make_service: ServiceFactory, fclock: FixedClock, feed_settings
):
    """Next checks count from the cycle's start: a slow cycle does not push feeds a cycle back."""
    feed_server.static("/a", rss([("a", "One")]))
    body = rss([("b", "Two")])

    async def late(request: web.Request) -> web.StreamResponse:
        fclock.advance(timedelta(seconds=10))  # this fetch ends 10 s into the cycle
        return web.Response(body=body, content_type="application/rss+xml")

    feed_server.routes["/b"] = late
    settings = feed_settings.model_copy(update={"poll_interval_seconds": 30})
    service = await make_service(hook=RecordingHook(), settings=settings)
    await subscribe(service, feed_server.url("/a"))
    await subscribe(service, feed_server.url("/b"))
    start = fclock.now()
    assert (await service.poll_due()).polled == 2
    fclock.set(start + timedelta(seconds=30))  # the scheduler's next run
    assert (await service.poll_due()).due == 2
