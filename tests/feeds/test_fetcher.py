"""The HTTP side against a real server on 127.0.0.1: conditional GET, redirects, errors, caps, SSRF."""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
import zlib
from datetime import UTC, datetime

import pytest
from aiohttp import web

from bot.clock import FixedClock
from bot.feeds.fetcher import Fetcher, FetchError, parse_retry_after
from bot.feeds.guard import GuardError, HostGuard, forbidden_reason
from bot.settings import Settings

from .conftest import FeedServer, MapResolver, rss


@pytest.fixture
async def fetcher(feed_settings: Settings, fclock: FixedClock):
    f = Fetcher(feed_settings, fclock)
    await f.start()
    yield f
    await f.close()


async def test_200_then_304_with_etag_and_last_modified(feed_server: FeedServer, fetcher: Fetcher):
    lm = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    feed_server.static("/feed", rss([("a", "One")]), etag='"v1"', last_modified=lm)
    first = await fetcher.fetch(feed_server.url("/feed"))
    assert first.status == 200 and b"<rss" in first.body
    assert first.etag == '"v1"' and first.last_modified == "Sat, 31 Jan 2026 12:00:00 GMT"
    second = await fetcher.fetch(
        feed_server.url("/feed"), etag=first.etag, last_modified=first.last_modified
    )
    assert second.not_modified and second.body == b""
    sent = feed_server.requests[-1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Sat, 31 Jan 2026 12:00:00 GMT"
    assert sent["User-Agent"].startswith("beatwatch/")


async def test_redirects_are_followed_up_to_five(feed_server: FeedServer, fetcher: Fetcher):
    feed_server.static("/feed", rss([("a", "One")]))
    for i in range(1, 7):
        target = "/feed" if i == 1 else f"/hop{i - 1}"

        async def hop(request: web.Request, target: str = target) -> web.StreamResponse:
            raise web.HTTPFound(target)

        feed_server.routes[f"/hop{i}"] = hop
    ok = await fetcher.fetch(feed_server.url("/hop5"))  # five redirects
    assert ok.status == 200 and ok.final_url.endswith("/feed")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        await fetcher.fetch(feed_server.url("/hop6"))


@pytest.mark.parametrize(
    "target",
    ["http://10.0.0.1/feed", "http://169.254.169.254/latest/meta-data/", "http://[::1]/x"],
)
async def test_redirect_to_private_address_is_refused(
    feed_server: FeedServer, feed_settings: Settings, fclock: FixedClock, target: str
):
    async def to_private(request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently(target)

    feed_server.routes["/feed"] = to_private
    settings = feed_settings.model_copy(update={"allow_private_hosts": False})
    guard = HostGuard(allow_private=False, public_override=frozenset({"127.0.0.1"}))
    f = Fetcher(settings, fclock, guard=guard)
    await f.start()
    try:
        with pytest.raises(FetchError, match="refused") as info:
            await f.fetch(feed_server.url("/feed"))
        assert info.value.kind == "blocked"
        assert len(feed_server.requests) == 1  # the private target was never contacted
    finally:
        await f.close()


async def test_hostname_is_checked_after_dns(
    feed_server: FeedServer, feed_settings: Settings, fclock: FixedClock
):
    """A public-looking name that resolves to a private address is refused; the check is on
    the resolved address the connector uses."""
    port = feed_server.url("/").split(":")[2].split("/")[0]
    feed_server.static("/feed", rss([("a", "One")]))

    async def to_internal(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"http://intranet.example:{port}/feed")

    feed_server.routes["/jump"] = to_internal
    resolver = MapResolver({"public.example": "127.0.0.1", "intranet.example": "10.1.2.3"})
    guard = HostGuard(allow_private=False, public_override=frozenset({"127.0.0.1"}))
    f = Fetcher(feed_settings, fclock, guard=guard, resolver=resolver)
    await f.start()
    try:
        ok = await f.fetch(f"http://public.example:{port}/feed")
        assert ok.status == 200
        with pytest.raises(FetchError, match=r"refused: intranet\.example is a private address"):
            await f.fetch(f"http://public.example:{port}/jump")
        with pytest.raises(FetchError, match="refused"):
            await f.fetch(f"http://intranet.example:{port}/feed")
    finally:
        await f.close()


def test_forbidden_addresses():
    for ip in [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
        "224.0.0.1", "100.64.0.1", "240.0.0.1", "::1", "::", "fe80::1", "fc00::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::",
    ]:  # fmt: skip
        assert forbidden_reason(ip) is not None, ip
    for ip in ["8.8.8.8", "151.101.1.69", "2a00:1450:4001:80b::200e"]:
        assert forbidden_reason(ip) is None, ip
    guard = HostGuard()
    for url in ["ftp://example.org/feed", "file:///etc/passwd", "http:///nohost", "gopher://x"]:
        with pytest.raises(GuardError):
            guard.check_url(url)
    with pytest.raises(GuardError, match="refused"):
        guard.check_url("http://localhost:8080/feed")
    HostGuard(allow_private=True).check_url("http://127.0.0.1:8080/feed")


@pytest.mark.parametrize(
    ("status", "text"), [(404, "HTTP 404"), (500, "HTTP 500"), (410, "HTTP 410")]
)
async def test_http_errors(feed_server: FeedServer, fetcher: Fetcher, status: int, text: str):
    feed_server.static("/feed", b"nope", status=status, content_type="text/plain")
    with pytest.raises(FetchError, match=text) as info:
        await fetcher.fetch(feed_server.url("/feed"))
    assert info.value.status == status


async def test_429_and_503_carry_retry_after(
    feed_server: FeedServer, fetcher: Fetcher, fclock: FixedClock
):
    feed_server.static("/a", b"slow down", status=429, headers={"Retry-After": "3600"})
    feed_server.static(
        "/b", b"later", status=503, headers={"Retry-After": "Sun, 01 Feb 2026 11:00:00 GMT"}
    )
    with pytest.raises(FetchError) as a:
        await fetcher.fetch(feed_server.url("/a"))
    assert a.value.status == 429 and a.value.retry_after == 3600
    with pytest.raises(FetchError) as b:
        await fetcher.fetch(feed_server.url("/b"))
    assert b.value.retry_after == 2 * 3600  # clock is 09:00
    assert parse_retry_after("garbage", fclock.now()) is None


async def test_connect_timeout(feed_settings: Settings, fclock: FixedClock):
    settings = feed_settings.model_copy(update={"connect_timeout_seconds": 0.05})
    f = Fetcher(settings, fclock, resolver=MapResolver({}, hang=frozenset({"blackhole.example"})))
    await f.start()
    try:
        with pytest.raises(FetchError, match=r"^unreachable \(could not connect\)$") as info:
            await f.fetch("http://blackhole.example/feed")
        assert info.value.kind == "timeout"
    finally:
        await f.close()


async def test_slow_body_hits_total_timeout(
    feed_server: FeedServer, feed_settings: Settings, fclock: FixedClock
):
    release = asyncio.Event()

    async def slow(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await resp.prepare(request)
        await resp.write(b"<?xml version='1.0'?><rss><channel>")
        await release.wait()  # never finishes while the client waits
        return resp

    feed_server.routes["/feed"] = slow
    settings = feed_settings.model_copy(update={"fetch_timeout_seconds": 0.2})
    f = Fetcher(settings, fclock)
    await f.start()
    try:
        with pytest.raises(FetchError, match="timed out"):
            await f.fetch(feed_server.url("/feed"))
    finally:
        release.set()
        await f.close()


async def test_oversize_body_announced_and_streamed(
    feed_server: FeedServer, feed_settings: Settings, fclock: FixedClock
):
    settings = feed_settings.model_copy(update={"max_body_bytes": 10_000})
    feed_server.static("/big", b"x" * 20_000)

    async def chunked(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for _ in range(30):
            await resp.write(b"y" * 1_000)
        return resp

    feed_server.routes["/chunked"] = chunked
    f = Fetcher(settings, fclock)
    await f.start()
    try:
        with pytest.raises(FetchError, match="larger than 10,000 bytes"):
            await f.fetch(feed_server.url("/big"))
        with pytest.raises(FetchError, match="larger than 10,000 bytes"):
            await f.fetch(feed_server.url("/chunked"))
    finally:
        await f.close()


async def test_gzip_bomb_is_stopped_at_the_cap_without_taking_memory(
    feed_server: FeedServer, feed_settings: Settings, fclock: FixedClock
):
    bomb = gzip.compress(b"\0" * 30_000_000, compresslevel=9)  # ~30 KB on the wire
    assert len(bomb) < 100_000
    feed_server.static("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    settings = feed_settings.model_copy(update={"max_body_bytes": 1_000_000})
    f = Fetcher(settings, fclock)
    await f.start()
    try:
        tracemalloc.start()
        with pytest.raises(FetchError, match="after decompression"):
            await f.fetch(feed_server.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < 8_000_000, peak
    finally:
        await f.close()


async def test_gzip_and_deflate_bodies_are_decoded(feed_server: FeedServer, fetcher: Fetcher):
    doc = rss([("a", "One")])
    feed_server.static("/gz", gzip.compress(doc), headers={"Content-Encoding": "gzip"})
    feed_server.static("/zl", zlib.compress(doc), headers={"Content-Encoding": "deflate"})
    raw = zlib.compressobj(wbits=-15)
    feed_server.static(
        "/raw", raw.compress(doc) + raw.flush(), headers={"Content-Encoding": "deflate"}
    )
    for path in ("/gz", "/zl", "/raw"):
        assert (await fetcher.fetch(feed_server.url(path))).body == doc


async def test_tcp_connect_timeout(feed_settings: Settings, fclock: FixedClock):
    """A listening socket whose backlog is full never completes the handshake."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    settings = feed_settings.model_copy(update={"connect_timeout_seconds": 0.1})
    f = Fetcher(settings, fclock)
    await f.start()
    try:
        with pytest.raises(FetchError, match=r"^unreachable \(could not connect\)$"):
            await f.fetch(f"http://127.0.0.1:{port}/feed")
    finally:
        await f.close()
        for sock in [*fillers, server]:
            sock.close()
