"""OPML in and out: the parser refuses DTDs and entities; an import is all or nothing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from bot.errors import UserFacingError
from bot.feeds import opml
from bot.storage.database import Database

from .conftest import FeedServer, RecordingHook, ServiceFactory, rss


def _opml(*urls: str) -> bytes:
    outlines = "".join(f'<outline text="F{i}" xmlUrl="{u}"/>' for i, u in enumerate(urls))
    return (
        '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        f'<outline text="News">{outlines}</outline></body></opml>'
    ).encode()


def test_parse_reads_nested_outlines_once_each() -> None:
    feeds = opml.parse(
        _opml("https://a.example/rss", "https://b.example/rss", "https://a.example/rss")
    )
    assert [(f.url, f.title) for f in feeds] == [
        ("https://a.example/rss", "F0"),
        ("https://b.example/rss", "F1"),
    ]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
            b'<opml version="2.0"><body><outline xmlUrl="&lol;"/></body></opml>',
            "DTD or entities",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "http://evil.example/x.dtd"><opml/>',
            "DTD or entities",
        ),
        (b"<rss><channel/></rss>", "root element"),
        (b"not xml at all", "does not parse"),
        (b'<opml version="2.0"><body/></opml>', "no feeds"),
    ],
)
def test_parse_refuses(data: bytes, why: str) -> None:
    with pytest.raises(UserFacingError, match=why):
        opml.parse(data)


def test_serialise_round_trips() -> None:
    feeds = [
        opml.OpmlFeed("https://a.example/rss?x=1&y=2", "A & B"),
        opml.OpmlFeed("https://b.example/"),
    ]
    data = opml.serialise(feeds, title="beatwatch feeds", now=datetime(2026, 2, 1, tzinfo=UTC))
    assert data.startswith(b"<?xml") and b'version="2.0"' in data
    assert opml.parse(data) == [feeds[0], opml.OpmlFeed("https://b.example/", "https://b.example/")]


async def test_import_reports_each_feed_and_adds_all_or_nothing(
    feed_server: FeedServer, make_service: ServiceFactory, db: Database, monkeypatch
) -> None:
    from bot.storage import feeds as store

    feed_server.static("/one.xml", rss([("a", "One")]))
    feed_server.static("/two.xml", rss([("b", "Two")]))
    service = await make_service(hook=RecordingHook())
    await service.add(feed_server.url("/one.xml"), guild_id=5)
    data = _opml(
        feed_server.url("/one.xml"), feed_server.url("/two.xml"), feed_server.url("/gone.xml")
    )

    real = store.record_entries

    async def disk_full(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "record_entries", disk_full)
    with pytest.raises(sqlite3.OperationalError):
        await service.import_opml(data, 5)
    assert [f.url for f in await service.list(5)] == [feed_server.url("/one.xml")]  # nothing half
    monkeypatch.setattr(store, "record_entries", real)

    results = await service.import_opml(data, 5)
    assert [r.outcome for r in results] == ["already", "added", "refused"]
    assert "could not fetch" in results[2].reason
    assert {f.url for f in await service.list(5)} == {
        feed_server.url("/one.xml"),
        feed_server.url("/two.xml"),
    }
    exported, count = await service.export_opml(5)
    assert count == 2 and {f.url for f in opml.parse(exported)} == {
        feed_server.url("/one.xml"),
        feed_server.url("/two.xml"),
    }
