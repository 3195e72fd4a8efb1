"""A local RSS server on 127.0.0.1 for end-to-end tests: feeds are lists of items you publish."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

from aiohttp import web


@dataclass
class Item:
    title: str
    link: str
    description: str
    published: datetime
    guid: str = ""


@dataclass
class Feed:
    title: str
    items: list[Item] = field(default_factory=list)

    def xml(self, base: str) -> str:
        entries = "".join(
            f"<item><title>{escape(i.title)}</title><link>{escape(i.link)}</link>"
            f'<guid isPermaLink="false">{escape(i.guid or i.link)}</guid>'
            f"<description>{escape(i.description)}</description>"
            f"<pubDate>{format_datetime(i.published)}</pubDate></item>"
            for i in reversed(self.items)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{escape(self.title)}</title><link>{escape(base)}</link>"
            f"<description>{escape(self.title)}</description>{entries}</channel></rss>"
        )


class FeedServer:
    def __init__(self) -> None:
        self.feeds: dict[str, Feed] = {}
        self.hits: dict[str, int] = {}
        self.broken: set[str] = set()  # paths answering 500
        self._runner: web.AppRunner | None = None
        self.base = ""

    def feed(self, path: str, title: str) -> str:
        self.feeds[path] = Feed(title)
        return self.url(path)

    def url(self, path: str) -> str:
        return f"{self.base}/{path}"

    def publish(self, path: str, item: Item) -> None:
        self.feeds[path].items.append(item)

    async def _serve(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        self.hits[path] = self.hits.get(path, 0) + 1
        if path in self.broken:
            return web.Response(status=500, text="upstream exploded")
        feed = self.feeds.get(path)
        if feed is None and path.startswith("wire"):
            feed = self.feeds[path] = Feed(f"Wire {path}")  # default feeds start empty
        if feed is None:
            return web.Response(status=404, text="not found")
        return web.Response(
            body=feed.xml(self.base).encode("utf-8"),
            headers={"Content-Type": "application/rss+xml; charset=utf-8"},
        )

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{path:.*}", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
