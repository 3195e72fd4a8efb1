"""Feed test kit: a real aiohttp server on 127.0.0.1 whose routes each test sets, a feed
service over a real SQLite file, and a hook that records what it was given."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.test_utils import TestServer

from bot.clock import FixedClock
from bot.feeds.fetcher import HostGuard
from bot.feeds.service import FeedService
from bot.models import Article, FeedRef
from bot.settings import Settings
from bot.storage.database import Database

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def rss(items: list[tuple[str, str]], *, title: str = "Test Wire", extra: str = "") -> bytes:
    """A small RSS 2.0 document; items are (guid, title)."""
    body = "".join(
        f"<item><guid>https://news.example.org/{guid}</guid><title>{t}</title>"
        f"<link>https://news.example.org/{guid}?utm_source=rss#top</link>"
        f"<description>&lt;p&gt;{t} &amp;amp; more.&lt;/p&gt;</description>"
        f"<pubDate>Sun, 01 Feb 2026 08:00:00 GMT</pubDate>{extra}</item>"
        for guid, t in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://news.example.org/</link><language>en-gb</language>"
        f"{body}</channel></rss>"
    ).encode()


@dataclass
class FeedServer:
    """Routes are set per test: ``server.routes["/feed"] = handler``."""

    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[web.Request] = field(default_factory=list)
    server: TestServer | None = None

    def url(self, path: str) -> str:
        assert self.server is not None
        return str(self.server.make_url(path))

    def static(
        self,
        path: str,
        body: bytes,
        *,
        etag: str | None = None,
        last_modified: datetime | None = None,
        content_type: str = "application/rss+xml",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            extra = dict(headers or {})
            lm = format_datetime(last_modified, usegmt=True) if last_modified else None
            if etag:
                extra["ETag"] = etag
            if lm:
                extra["Last-Modified"] = lm
            if (etag and request.headers.get("If-None-Match") == etag) or (
                not etag and lm and request.headers.get("If-Modified-Since") == lm
            ):
                return web.Response(status=304, headers=extra)
            return web.Response(body=body, status=status, headers=extra, content_type=content_type)

        self.routes[path] = handler

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request)
        handler = self.routes.get(request.path)
        if handler is None:
            return web.Response(status=404, reason="Not Found")
        return await handler(request)


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    fs = FeedServer()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fs.dispatch)
    fs.server = TestServer(app, host="127.0.0.1")
    await fs.server.start_server()
    try:
        yield fs
    finally:
        await fs.server.close()


@dataclass
class RecordingHook:
    calls: list[tuple[FeedRef, list[Article], bool]] = field(default_factory=list)
    on_call: Callable[[FeedRef], None] | None = None

    async def __call__(
        self, tx: aiosqlite.Connection, feed: FeedRef, articles: list[Article], baseline: bool
    ) -> None:
        assert all(a.id is not None for a in articles)
        self.calls.append((feed, articles, baseline))
        if self.on_call is not None:
            self.on_call(feed)

    def alerted(self) -> list[str]:
        """Entry keys handed over as new (not baseline)."""
        return [a.entry_key for _, arts, baseline in self.calls if not baseline for a in arts]


class MapResolver(AbstractResolver):
    """Test DNS: fixed answers; ``hang`` names never answer; anything else fails."""

    def __init__(self, table: dict[str, str], hang: frozenset[str] = frozenset()) -> None:
        self.table = table
        self.hang = hang

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host in self.hang:
            await asyncio.Event().wait()
        if host not in self.table:
            raise OSError(f"Name or service not known: {host}")
        ip = self.table[host]
        return [
            ResolveResult(
                hostname=host,
                host=ip,
                port=port,
                family=socket.AF_INET6 if ":" in ip else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        return None


@pytest.fixture
def feed_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key in list(__import__("os").environ):
        if key.startswith("BEATWATCH_"):
            monkeypatch.delenv(key)
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_path=tmp_path / "feeds.sqlite3",
        allow_private_hosts=True,
        fetch_timeout_seconds=5,
        connect_timeout_seconds=2,
        failing_after_errors=2,
        disable_after_errors=4,
    )


@pytest.fixture
def fclock() -> FixedClock:
    return FixedClock(datetime(2026, 2, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
async def db(feed_settings: Settings) -> AsyncIterator[Database]:
    async with Database.open(feed_settings.database_path) as database:
        yield database


ServiceFactory = Callable[..., Awaitable[FeedService]]


@pytest.fixture
async def make_service(
    feed_settings: Settings, fclock: FixedClock, db: Database
) -> AsyncIterator[ServiceFactory]:
    made: list[FeedService] = []

    async def factory(
        *,
        hook: Any = None,
        settings: Settings | None = None,
        guard: HostGuard | None = None,
        resolver: AbstractResolver | None = None,
        database: Database | None = None,
        topics: Any = None,
    ) -> FeedService:
        service = FeedService(
            settings or feed_settings,
            fclock,
            database or db,
            hook=hook,
            guard=guard,
            resolver=resolver,
            parse_mode="thread",
            topics=topics,
        )
        await service.start()
        made.append(service)
        return service

    yield factory
    for service in made:
        await service.close()


async def subscribe(service: FeedService, url: str, guild_id: int = 0) -> int:
    """Subscribe without validation (like the default feeds), so the first poll is the baseline."""
    from bot.storage import feeds as store

    async with service.db.transaction() as tx:
        feed_id, _ = await store.ensure_feed(tx, url, service.clock.now())
        await store.subscribe(tx, guild_id, feed_id, service.clock.now())
    return feed_id
