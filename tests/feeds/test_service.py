"""services.feeds as users drive it: add (validation, autodiscovery), remove, list, check, seeds."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.errors import UserFacingError
from bot.feeds.fetcher import HostGuard
from bot.feeds.service import load_default_feeds
from bot.settings import PROJECT_ROOT
from bot.storage.articles import count_articles
from bot.storage.database import Database

from .conftest import FeedServer, RecordingHook, ServiceFactory, rss

PAGE = b"""<!doctype html><html><head><title>Wire</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>news</body></html>"""


async def test_add_validates_records_baseline_and_lists(
    feed_server: FeedServer, make_service: ServiceFactory, db: Database
):
    feed_server.static("/feed.xml", rss([("a", "One"), ("b", "Two")]), etag='"1"')
    hook = RecordingHook()
    service = await make_service(hook=hook)
    info = await service.add(feed_server.url("/feed.xml"), guild_id=42, channel_id=7)
    assert info.title == "Test Wire" and info.guild_id == 42 and info.channel_id == 7
    assert [b for _, _, b in hook.calls] == [True]  # current entries recorded, not alerted
    assert await count_articles(db.reader) == 2
    assert [i.url for i in await service.list(42)] == [feed_server.url("/feed.xml")]
    assert await service.list(0) == []
    again = await service.add(feed_server.url("/feed.xml"), guild_id=43)  # shared feed row
    assert again.id == info.id and len(hook.calls) == 1
    removed = await service.remove(str(info.id), 42)
    assert removed.id == info.id and await service.list(42) == []
    with pytest.raises(UserFacingError, match="no feed"):
        await service.remove(feed_server.url("/feed.xml"), 42)


async def test_add_web_page_finds_the_feed(feed_server: FeedServer, make_service: ServiceFactory):
    feed_server.static("/", PAGE, content_type="text/html")
    feed_server.static("/feed.xml", rss([("a", "One")]))
    service = await make_service(hook=RecordingHook())
    info = await service.add(feed_server.url("/"), guild_id=0)
    assert info.url == feed_server.url("/feed.xml")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/nope", "HTTP 404"),
        ("/page", "web page without a feed link"),
        ("/text", "not an RSS/Atom feed"),
        ("/empty", "empty response"),
    ],
)
async def test_add_refuses_what_is_not_a_feed(
    feed_server: FeedServer, make_service: ServiceFactory, path: str, message: str
):
    feed_server.static("/page", b"<html><body>no feed here</body></html>", content_type="text/html")
    feed_server.static("/text", b"just words", content_type="text/plain")
    feed_server.static("/empty", b"")
    service = await make_service(hook=RecordingHook())
    with pytest.raises(UserFacingError, match=message):
        await service.add(feed_server.url(path), guild_id=0)
    assert await service.list(0) == []


async def test_add_refuses_private_hosts_when_not_allowed(
    make_service: ServiceFactory, feed_settings
):
    settings = feed_settings.model_copy(update={"allow_private_hosts": False})
    service = await make_service(settings=settings, guard=HostGuard())
    for url in ("http://127.0.0.1:9/feed", "http://169.254.169.254/", "ftp://example.org/f"):
        with pytest.raises(UserFacingError):
            await service.add(url, guild_id=0)


async def test_failed_add_leaves_nothing_subscribed(
    feed_server: FeedServer, make_service: ServiceFactory, db: Database, monkeypatch
):
    """All or nothing: a failure while the baseline is written (disk full, a crash) leaves
    no subscription, no feed row and no article; adding again later works."""
    import sqlite3

    from bot.storage import feeds as store

    feed_server.static("/feed.xml", rss([("a", "One"), ("b", "Two")]))
    hook = RecordingHook()
    service = await make_service(hook=hook)
    real = store.record_entries

    async def disk_full(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "record_entries", disk_full)
    with pytest.raises(sqlite3.OperationalError):
        await service.add(feed_server.url("/feed.xml"), guild_id=5)
    assert await service.list(5) == []
    assert await db.fetchval("SELECT count(*) FROM feeds") == 0
    assert await count_articles(db.reader) == 0
    monkeypatch.setattr(store, "record_entries", real)
    info = await service.add(feed_server.url("/feed.xml"), guild_id=5)
    assert [i.id for i in await service.list(5)] == [info.id]
    assert await count_articles(db.reader) == 2 and hook.calls[-1][2] is True  # the baseline


@dataclass(frozen=True)
class FakeMatch:
    topic: str
    alias: str
    field: str
    snippet: str


class FakeMatcher:
    def match(self, title: str, summary: str, body: str) -> list[FakeMatch]:
        if "Donbas" in title:
            return [FakeMatch("Donbas", "Donbas", "title", title.replace("Donbas", "**Donbas**"))]
        return []


class FakeTopics:
    async def matcher_for(self, guild_id: int | None) -> FakeMatcher:
        return FakeMatcher()


async def test_check_stores_nothing_and_explains(
    feed_server: FeedServer, make_service: ServiceFactory, db: Database, tmp_path: Path
):
    feed_server.static("/", PAGE, content_type="text/html")
    feed_server.static("/feed.xml", rss([("a", "Talks on Donbas resume"), ("b", "Weather")]))
    service = await make_service(hook=RecordingHook(), topics=lambda: FakeTopics())
    report = await service.check(feed_server.url("/"))
    assert report.discovered_from == feed_server.url("/") and report.http_status == 200
    assert report.matching and [bool(e.matches) for e in report.entries] == [True, False]
    assert report.entries[0].matches[0]["snippet"] == "Talks on **Donbas** resume"
    assert any("web page" in p for p in report.problems)
    assert await count_articles(db.reader) == 0

    local = tmp_path / "saved.xml"
    local.write_bytes(
        rss([("z", "Offline copy")]).replace(
            b"<pubDate>Sun, 01 Feb 2026 08:00:00 GMT</pubDate>", b""
        )
    )
    offline = await service.check(str(local))
    assert offline.entries[0].title == "Offline copy" and offline.entries[0].date_missing
    assert any("no usable date" in p for p in offline.problems)

    down = await service.check(feed_server.url("/gone"))
    assert down.entries == [] and down.problems == ["fetch failed: HTTP 404 Not Found"]


async def test_check_without_topics_still_lists_entries(
    feed_server: FeedServer, make_service: ServiceFactory
):
    feed_server.static("/feed.xml", rss([("a", "One")]))
    service = await make_service(hook=RecordingHook())
    report = await service.check(feed_server.url("/feed.xml"))
    assert not report.matching and len(report.entries) == 1 and report.problems == []


def test_default_feeds_seed_is_valid():
    feeds = load_default_feeds(PROJECT_ROOT / "seeds")
    assert len(feeds) >= 15
    assert all(f.url.startswith("https://") for f in feeds)
    assert {f.region for f in feeds} >= {"ukraine", "russia", "europe", "us"}
    HostGuard().check_url(feeds[0].url)


def test_cli_check_json_on_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch):
    from bot.__main__ import main

    for key in list(__import__("os").environ):
        if key.startswith("BEATWATCH_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("BEATWATCH_DATABASE_PATH", str(tmp_path / "cli.sqlite3"))
    monkeypatch.chdir(tmp_path)
    doc = tmp_path / "feed.xml"
    doc.write_bytes(rss([("a", "One"), ("b", "Two")]))
    assert main(["feeds", "check", str(doc), "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["title"] == "Test Wire" and len(out["entries"]) == 2
    assert main(["feeds", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert len(listed) >= 15  # the console newsroom starts with the default feeds


async def test_readding_a_disabled_feed_reenables_without_flood(
    feed_server: FeedServer, make_service: ServiceFactory, fclock
):
    from datetime import timedelta

    feed_server.static("/feed.xml", rss([("a", "One")]))
    hook = RecordingHook()
    service = await make_service(hook=hook)
    await service.add(feed_server.url("/feed.xml"), guild_id=0)
    feed_server.static("/feed.xml", b"down", status=500)
    for _ in range(4):  # disable_after_errors=4
        fclock.advance(timedelta(days=1))
        await service.poll_due()
    assert (await service.status(0))[0].state == "disabled"
    feed_server.static("/feed.xml", rss([("b", "Two"), ("c", "Three"), ("a", "One")]))
    info = await service.add(feed_server.url("/feed.xml"), guild_id=0)
    assert info.state == "healthy"
    assert hook.alerted() == [] and hook.calls[-1][2] is True  # recorded, not alerted
    events = await service.health_events_since(0)
    assert (events[-1].old_state, events[-1].new_state) == ("disabled", "healthy")


def test_cli_add_refused_and_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
):
    from bot.__main__ import main

    for key in list(__import__("os").environ):
        if key.startswith("BEATWATCH_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("BEATWATCH_DATABASE_PATH", str(tmp_path / "cli.sqlite3"))
    monkeypatch.chdir(tmp_path)
    assert main(["feeds", "add", "http://169.254.169.254/latest/"]) == 2
    assert "refused: 169.254.169.254 is a cloud metadata address" in capsys.readouterr().err
    assert main(["feeds", "status"]) == 0
    out = capsys.readouterr().out
    # the same reply as /feeds status, as terminal text, with each feed's operator line
    assert out.startswith("== Feed health") and "not checked yet" in out and "next check" in out
    assert "errors 0" in out and "**" not in out


def test_cli_feeds_check_prints_no_terminal_controls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
):
    from bot.__main__ import main

    for key in list(__import__("os").environ):
        if key.startswith("BEATWATCH_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("BEATWATCH_DATABASE_PATH", str(tmp_path / "cli.sqlite3"))
    monkeypatch.chdir(tmp_path)
    saved = tmp_path / "hostile.xml"
    saved.write_bytes(
        rss([("a", "Port hit\x1b]0;pwned\x07\x1b[2J now"), ("b", "Calm\u009b31m day")])
    )
    assert main(["feeds", "check", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "Port hit" in out and "Calm" in out
    assert not [c for c in out if c not in "\n\t" and (c < " " or "\x7f" <= c <= "\x9f")]
