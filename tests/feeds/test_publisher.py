"""The outlet shown on alerts and digests: a configured feed's name, else the outlet in the
feed's own title (only shortened when the part is unmistakably the outlet)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.feeds.parser import outlet_name
from bot.settings import Settings
from bot.storage import feeds as store
from bot.storage.articles import get_article
from bot.storage.database import Database

from .conftest import FeedServer, RecordingHook, ServiceFactory, subscribe


def channel(title: str, link: str, guid: str = "a") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>{link}</link>"
        f"<item><guid>https://news.example.org/{guid}</guid><title>Talks resume</title>"
        f"<link>https://news.example.org/{guid}</link><description>Envoys met.</description>"
        "<pubDate>Sun, 01 Feb 2026 08:00:00 GMT</pubDate></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("title", "site", "outlet"),
    [
        ("World news | The Guardian", "https://www.theguardian.com/world", "The Guardian"),
        ("Latest articles - The Japan Times", "https://www.japantimes.co.jp/", "The Japan Times"),
        ("BBC News - Home", "https://www.bbc.co.uk/news/", "BBC News"),
        ("NYT > World News", "https://www.nytimes.com/section/world", "NYT"),
        ("Reuters: World News", "http://www.reuters.com", "Reuters"),
        (
            "Al Jazeera \u2013 Breaking News, World News and Video from Al Jazeera",
            "https://www.aljazeera.com",
            "Al Jazeera",
        ),
        ("Kyiv Independent RSS", "https://kyivindependent.com/", "Kyiv Independent"),
        # No part names the site: the title stays whole.
        (
            "Morning briefing - Front page",
            "https://wire.example.org/",
            "Morning briefing - Front page",
        ),
        ("World news | The Guardian", None, "World news | The Guardian"),
        # A generic host label ("news") does not make "World News" an outlet.
        ("World News - Daily", "https://news.example.org/", "World News - Daily"),
        ("BBC News", "https://www.bbc.co.uk/news", "BBC News"),
    ],
)
def test_outlet_name(title: str, site: str | None, outlet: str) -> None:
    assert outlet_name(title, "https://feeds.example.net/rss.xml", site) == outlet


async def test_configured_name_wins_over_the_feeds_own_title(
    tmp_path: Path,
    feed_server: FeedServer,
    make_service: ServiceFactory,
    feed_settings: Settings,
    db: Database,
):
    url = feed_server.url("/world.xml")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "feeds.json").write_text(
        json.dumps(
            {"feeds": [{"url": url, "title": "Test Wire - World", "region": "x", "language": "en"}]}
        ),
        "utf-8",
    )
    feed_server.static("/world.xml", channel("World news | Test Wire", "https://wire.test/"))
    hook = RecordingHook()
    service = await make_service(
        hook=hook, settings=feed_settings.model_copy(update={"seeds_dir": seeds})
    )
    assert await service.subscribe_defaults(0) == 1
    await service.poll_due()
    ((ref, articles, _),) = hook.calls
    assert ref.title == "Test Wire - World"
    assert [a.publisher for a in articles] == ["Test Wire - World"]
    assert articles[0].id is not None
    stored = await get_article(db.reader, articles[0].id)
    assert stored is not None and stored.publisher == "Test Wire - World"
    feed = await store.get_feed_by_url(db.reader, url)
    assert feed is not None and feed.title == "Test Wire - World"  # not overwritten by the poll


async def test_user_added_feed_publisher_is_the_outlet_title_kept_whole(
    feed_server: FeedServer, make_service: ServiceFactory, db: Database
):
    feed_server.static(
        "/world.xml", channel("World news | The Guardian", "https://www.theguardian.com/world")
    )
    feed_server.static(
        "/other.xml", channel("Morning briefing - Front page", "https://x.test/", "b")
    )
    hook = RecordingHook()
    service = await make_service(hook=hook)
    info = await service.add(feed_server.url("/world.xml"), guild_id=42)
    assert info.title == "World news | The Guardian"  # the feed list keeps the section
    await subscribe(service, feed_server.url("/other.xml"))
    await service.poll_due()
    publishers = {ref.url.rsplit("/", 1)[-1]: arts[0].publisher for ref, arts, _ in hook.calls}
    assert publishers == {
        "world.xml": "The Guardian",
        "other.xml": "Morning briefing - Front page",
    }


def test_seed_feeds_of_one_outlet_share_its_name() -> None:
    """Two Guardian feeds are one outlet in a story's outlet count, not two."""
    from bot.feeds.service import configured_outlets
    from bot.settings import Settings

    outlets = configured_outlets(Settings(_env_file=None))  # type: ignore[call-arg]
    guardian = {v for k, v in outlets.items() if "theguardian.com" in k}
    assert guardian == {"The Guardian"}
    assert len({v for k, v in outlets.items() if "nytimes.com" in k}) == 1
