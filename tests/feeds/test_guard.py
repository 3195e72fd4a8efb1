"""The SSRF guard against hostile URLs: refused at `feeds add`, at poll (a row put straight
into storage) and as a redirect target, with the rule that refused; checked again at connect
time; error texts that tell nothing about internal ports; no credentials shown or logged.

The feed server runs on 127.0.0.1 and the guard treats that one address as public
(``public_override``), the way a real public feed server would be. Most hostile URLs below
are other spellings of that very server (its port included): if the guard let one through,
the server would see a request, so "the server saw nothing" proves the hop was checked
before anything was sent.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import timedelta

import pytest
from aiohttp import web
from yarl import URL

from bot.clock import FixedClock
from bot.errors import UserFacingError
from bot.feeds.fetcher import Fetcher, FetchError
from bot.feeds.guard import GuardError, HostGuard, redact_url
from bot.settings import Settings
from bot.storage import feeds as store
from bot.storage.database import Database

from .conftest import FeedServer, RecordingHook, ServiceFactory, rss, subscribe

CANONICAL = "not a canonical IP address"
PUBLIC_127 = HostGuard(allow_private=False, public_override=frozenset({"127.0.0.1"}))

# (name, URL template ({port}: the feed server's), the refusal, refused even when
# BEATWATCH_ALLOW_PRIVATE_HOSTS is on)
HOSTILE = [
    ("full-width digits", "http://１２７.０.０.１:{port}/feed", CANONICAL, True),
    ("ideographic full stops", "http://127。0。0。1:{port}/feed", CANONICAL, True),
    ("full-width 0.0.0.0", "http://０.０.０.０:{port}/feed", CANONICAL, True),
    ("full-width metadata", "http://１６９.２５４.１６９.２５４/latest/meta-data/", CANONICAL, True),
    ("decimal", "http://2130706433:{port}/feed", CANONICAL, True),
    ("octal", "http://0177.0.0.1:{port}/feed", CANONICAL, True),
    ("short", "http://127.1:{port}/feed", CANONICAL, True),
    ("hex", "http://0x7f.0.0.1:{port}/feed", CANONICAL, True),
    ("zero", "http://0:{port}/feed", CANONICAL, True),
    ("trailing dot", "http://127.0.0.1.:{port}/feed", CANONICAL, True),
    (
        "IPv4-mapped",
        "http://[::ffff:127.0.0.1]:{port}/feed",
        r"loopback address \(::ffff:7f00:1, IPv4-mapped 127\.0\.0\.1\); set "
        "BEATWATCH_ALLOW_PRIVATE_HOSTS",
        False,
    ),
    (
        "NAT64 loopback",
        "http://[64:ff9b::7f00:1]:{port}/feed",
        r"loopback address \(NAT64 127\.0\.0\.1\)",
        False,
    ),
    ("NAT64 private", "http://[64:ff9b::a00:1]/feed", r"private address \(NAT64 10\.0\.0\.1\)", False),
    ("link-local", "http://169.254.10.20/feed", r"169\.254\.10\.20 is a link-local address$", True),
    ("link-local v6", "http://[fe80::1]/feed", "is a link-local address$", True),
    ("metadata", "http://169.254.169.254/latest/meta-data/", "is a cloud metadata address$", True),
    ("unspecified", "http://0.0.0.0:{port}/feed", r"0\.0\.0\.0 is an unspecified address$", True),
    ("userinfo", "http://editor:s3cret@127.0.0.1:{port}/feed", "user name or password", True),
]  # fmt: skip
IDS = [name for name, *_ in HOSTILE]


def _port(server: FeedServer) -> int:
    port = URL(server.url("/")).port
    assert port is not None
    return port


def _guard(private_allowed: bool) -> HostGuard:
    return HostGuard(allow_private=True) if private_allowed else PUBLIC_127


# Every case with private hosts refused, and again with them allowed for the cases that
# setting does not lift.
AT_ADD = [
    pytest.param(template, refusal, private, id=f"{name}-{'private-allowed' if private else 'public-only'}")
    for name, template, refusal, always in HOSTILE
    for private in ((False, True) if always else (False,))
]  # fmt: skip


@pytest.mark.parametrize(("template", "refusal", "private_allowed"), AT_ADD)
async def test_hostile_url_refused_at_add(
    feed_server: FeedServer,
    make_service: ServiceFactory,
    feed_settings: Settings,
    caplog: pytest.LogCaptureFixture,
    template: str,
    refusal: str,
    private_allowed: bool,
):
    feed_server.static("/feed", rss([("a", "One")]))
    settings = feed_settings.model_copy(update={"allow_private_hosts": private_allowed})
    service = await make_service(settings=settings, guard=_guard(private_allowed))
    url = template.format(port=_port(feed_server))
    with caplog.at_level(logging.DEBUG), pytest.raises(UserFacingError, match=refusal) as info:
        await service.add(url, guild_id=0)
    assert "refused" in str(info.value)
    assert feed_server.requests == []  # nothing was sent
    assert await service.list(0) == []
    assert "s3cret" not in str(info.value) and "s3cret" not in caplog.text


@pytest.mark.parametrize(("name", "template", "refusal", "always"), HOSTILE, ids=IDS)
async def test_hostile_url_refused_at_poll(
    feed_server: FeedServer,
    make_service: ServiceFactory,
    feed_settings: Settings,
    fclock: FixedClock,
    db: Database,
    caplog: pytest.LogCaptureFixture,
    name: str,
    template: str,
    refusal: str,
    always: bool,
):
    """A row that got into storage some other way (an older version, a hand edit) is
    refused by the poll too, and its credentials are shown nowhere."""
    feed_server.static("/feed", rss([("a", "One")]))
    settings = feed_settings.model_copy(update={"allow_private_hosts": False})
    service = await make_service(settings=settings, guard=PUBLIC_127, hook=RecordingHook())
    url = template.format(port=_port(feed_server))
    feed_id = await subscribe(service, url)
    with caplog.at_level(logging.DEBUG):
        summary = await service.poll_due()
        fclock.advance(timedelta(hours=1))
        await service.poll_due()  # a second error: the feed turns "failing" (a health event)
    assert summary.failed == 1 and feed_server.requests == []
    (error,) = summary.errors.values()
    assert error.startswith("refused") and re.search(refusal, error), error
    row = await store.get_feed(db.reader, feed_id)
    assert row is not None and row.state == "failing"
    shown = [
        *(i.url for i in await service.list(0)),
        *(s.url + (s.last_error or "") for s in await service.status(0)),
        *(e.feed_url + e.reason for e in await service.health_events_since(0)),
        *summary.errors,
    ]
    assert all("s3cret" not in text and "editor:" not in text for text in shown), shown
    assert "s3cret" not in caplog.text


async def test_feeds_check_refuses_credentials_without_echoing_them(
    feed_server: FeedServer, make_service: ServiceFactory
):
    feed_server.static("/feed", rss([("a", "One")]))
    service = await make_service(guard=PUBLIC_127)
    report = await service.check(f"http://editor:s3cret@127.0.0.1:{_port(feed_server)}/feed")
    assert report.entries == [] and "user name or password" in report.problems[0]
    assert "s3cret" not in report.model_dump_json() and feed_server.requests == []


async def test_health_notice_shows_no_credentials(
    feed_server: FeedServer,
    make_service: ServiceFactory,
    feed_settings: Settings,
    fclock: FixedClock,
    db: Database,
):
    from bot.alerts.service import AlertService
    from bot.storage import outbox as outbox_store

    settings = feed_settings.model_copy(update={"allow_private_hosts": False})
    service = await make_service(settings=settings, guard=PUBLIC_127, hook=RecordingHook())
    await subscribe(service, f"http://editor:s3cret@127.0.0.1:{_port(feed_server)}/feed")
    for _ in range(2):
        await service.poll_due()
        fclock.advance(timedelta(hours=1))
    alerts = AlertService(db, settings, fclock)
    assert await alerts.queue_health_notices() >= 1
    rows = await outbox_store.list_outbox(db.reader)
    assert rows and all("s3cret" not in str(r) for r in rows), rows
    payloads = await db.fetchall("SELECT payload FROM outbox")
    assert payloads and all("s3cret" not in p[0] for p in payloads)


@pytest.mark.parametrize(("name", "template", "refusal", "always"), HOSTILE, ids=IDS)
async def test_hostile_url_refused_as_redirect_target(
    feed_server: FeedServer,
    feed_settings: Settings,
    fclock: FixedClock,
    name: str,
    template: str,
    refusal: str,
    always: bool,
):
    """The first hop (127.0.0.1, public here) is fetched; the redirect to the hostile URL is
    checked before it is followed: the server sees the first request only."""
    feed_server.static("/feed", rss([("a", "One")]))
    target = template.format(port=_port(feed_server))

    async def jump(request: web.Request) -> web.StreamResponse:
        return web.Response(status=302, headers={"Location": target})

    feed_server.routes["/jump"] = jump
    settings = feed_settings.model_copy(update={"allow_private_hosts": False})
    f = Fetcher(settings, fclock, guard=PUBLIC_127)
    await f.start()
    try:
        assert (await f.fetch(feed_server.url("/feed"))).status == 200  # the server is "public"
        with pytest.raises(FetchError, match=refusal) as info:
            await f.fetch(feed_server.url("/jump"))
        assert str(info.value).startswith("refused") and "s3cret" not in str(info.value)
        assert [r.path for r in feed_server.requests] == ["/feed", "/jump"]
    finally:
        await f.close()


class _NoPrecheck(HostGuard):
    """A guard whose URL check lets everything through, to test the later layers alone."""

    def check_url(self, url: str | URL) -> URL:
        return URL(str(url))


async def test_ip_literals_are_checked_at_connect_time(
    feed_server: FeedServer, feed_settings: Settings, fclock: FixedClock
):
    """aiohttp connects to an IP literal without calling the resolver: the connector's socket
    factory checks the address it is about to connect to."""
    feed_server.static("/feed", rss([("a", "One")]))
    settings = feed_settings.model_copy(update={"allow_private_hosts": False})
    f = Fetcher(settings, fclock, guard=_NoPrecheck())
    await f.start()
    try:
        with pytest.raises(FetchError, match=r"^refused: 127\.0\.0\.1 is a loopback address"):
            await f.fetch(feed_server.url("/feed"))
        with pytest.raises(FetchError, match=r"^refused: 0\.0\.0\.0 is an unspecified address"):
            await f.fetch(f"http://0.0.0.0:{_port(feed_server)}/feed")
        assert feed_server.requests == []
    finally:
        await f.close()


async def test_unreachable_and_not_http_say_no_more(feed_settings: Settings, fclock: FixedClock):
    """A closed port and a port with something else behind it read "unreachable" and "no
    valid HTTP response": no errno text, no banner of what listens there."""

    async def banner(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"SSH-2.0-OpenSSH_9.6 internal-db-07\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(banner, "127.0.0.1", 0)
    open_port = server.sockets[0].getsockname()[1]
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    closed_port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    f = Fetcher(feed_settings, fclock)  # private hosts allowed: the connection is attempted
    await f.start()
    try:
        with pytest.raises(FetchError) as closed:
            await f.fetch(f"http://127.0.0.1:{closed_port}/feed")
        assert str(closed.value) == "unreachable (could not connect)"
        with pytest.raises(FetchError) as other:
            await f.fetch(f"http://127.0.0.1:{open_port}/feed")
        assert str(other.value) == "no valid HTTP response"
    finally:
        await f.close()
        server.close()
        await server.wait_closed()


def test_refusal_names_the_rule_and_the_setting():
    guard = HostGuard()
    with pytest.raises(GuardError) as loop:
        guard.check_url("http://127.0.0.1:8080/feed")
    assert str(loop.value) == (
        "refused: 127.0.0.1 is a loopback address; set BEATWATCH_ALLOW_PRIVATE_HOSTS=true "
        "to allow feeds on loopback/private networks"
    )
    with pytest.raises(GuardError, match=r"^refused: 10\.1\.2\.3 is a private address; set"):
        guard.check_url("http://10.1.2.3/feed")
    with pytest.raises(GuardError) as meta:
        guard.check_url("http://169.254.169.254/")
    assert "BEATWATCH_ALLOW_PRIVATE_HOSTS" not in str(meta.value)  # the setting would not help
    allowed = HostGuard(allow_private=True)
    for url in ("http://127.0.0.1:8080/feed", "http://10.1.2.3/", "http://[::ffff:10.0.0.1]/"):
        allowed.check_url(url)
    for url in ("http://169.254.169.254/", "http://0.0.0.0/", "http://[fe80::1]/", "http://127.1/"):
        with pytest.raises(GuardError, match="^refused"):
            allowed.check_url(url)
    assert guard.check_url("https://news.example.org/feed.xml").host == "news.example.org"
    assert guard.check_url("http://93.184.215.14/rss").host == "93.184.215.14"


def test_redact_url():
    assert redact_url("http://u:p@host:81/f?q=1") == "http://host:81/f?q=1"
    assert redact_url("https://u@host/") == "https://host/"
    assert redact_url("https://host/a@b") == "https://host/a@b"


def test_aiohttp_floor_matches_the_connect_time_check():
    """The connect-time check needs TCPConnector(socket_factory=) (aiohttp 3.12); this suite
    was run against aiohttp 3.12.0, whose own connector still takes 2130706433 and 127.1."""
    import inspect
    import tomllib

    import aiohttp

    from bot.settings import PROJECT_ROOT

    deps = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (spec,) = [d for d in deps if d.startswith("aiohttp")]
    floor = re.search(r">=\s*([\d.]+)", spec)
    assert floor is not None and tuple(int(p) for p in floor.group(1).split(".")) >= (3, 12)
    assert "socket_factory" in inspect.signature(aiohttp.TCPConnector).parameters
