"""HTTP side of the feed pipeline: one shared aiohttp session, SSRF guard, conditional GET.

Every request goes through :class:`Fetcher.fetch`:

* only ``http``/``https``; the host is checked after DNS by :class:`GuardedResolver` (the
  addresses it returns are the ones aiohttp connects to) and IP literals are checked before
  connecting; redirects are followed by hand (at most ``MAX_REDIRECTS``) so every hop is
  checked the same way;
* conditional GET with ETag / Last-Modified; ``Retry-After`` on 429/503 is returned;
* a body cap enforced on the wire bytes while streaming and on the decompressed bytes
  (decompression is ours, in bounded steps, so a gzip bomb never inflates past the cap);
* failures are :class:`FetchError` values with a short text meant for ``feeds status``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from bot.clock import Clock, utc
from bot.errors import BeatwatchError
from bot.settings import Settings

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_BYTES = 64 * 1024
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.5, */*;q=0.1"
)


class FetchError(BeatwatchError):
    """A fetch that failed; ``str()`` is the short reason shown in ``feeds status``."""

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


class BlockedAddressError(OSError):
    """Raised by the resolver for hosts that resolve only to forbidden addresses."""


def forbidden_reason(ip_text: str) -> str | None:
    """Why connecting to ``ip_text`` is refused, or None when it is a public address."""
    try:
        ip = ipaddress.ip_address(ip_text.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            ip = mapped
        elif ip.teredo is not None:
            ip = ip.teredo[1]
    checks = (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("unspecified", ip.is_unspecified),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
    )
    for name, hit in checks:
        if hit:
            return name
    if not ip.is_global:
        return "non-public"
    return None


@dataclass(frozen=True)
class HostGuard:
    """Which addresses a feed may live on.

    ``public_override`` holds IPs treated as public anyway (tests run a "public" server on
    127.0.0.1 while still checking that redirects to 10.0.0.1 are refused).
    """

    allow_private: bool = False
    public_override: frozenset[str] = frozenset()

    def check_ip(self, ip_text: str, host: str) -> None:
        if self.allow_private or ip_text in self.public_override:
            return
        reason = forbidden_reason(ip_text)
        if reason is not None:
            raise FetchError("blocked", f"refused: {host} is a {reason} address ({ip_text})")

    def check_url(self, url: str) -> None:
        """Scheme and literal-IP checks; hostnames are checked after DNS by the resolver."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
            _ = parts.port
        except ValueError as exc:
            raise FetchError("bad_url", f"not a valid URL: {exc}") from exc
        if parts.scheme not in ("http", "https"):
            raise FetchError("bad_url", f"only http and https URLs are allowed, not {url!r}")
        if not host:
            raise FetchError("bad_url", f"no host in URL {url!r}")
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            if host in ("localhost",) or host.endswith(".localhost"):
                if not self.allow_private and "127.0.0.1" not in self.public_override:
                    raise FetchError("blocked", f"refused: {host} is a loopback address") from None
            return
        self.check_ip(host, host)


class GuardedResolver(AbstractResolver):
    """Resolves with the system resolver, then drops forbidden addresses.

    aiohttp connects only to what this returns, so the checked address is the connected one.
    """

    def __init__(self, guard: HostGuard, inner: AbstractResolver | None = None) -> None:
        self._guard = guard
        self._inner = inner or ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        allowed: list[ResolveResult] = []
        refused: list[str] = []
        for result in results:
            try:
                self._guard.check_ip(result["host"], host)
            except FetchError as exc:
                refused.append(str(exc))
                continue
            allowed.append(result)
        if not allowed:
            raise BlockedAddressError(refused[0] if refused else f"{host} did not resolve")
        return allowed

    async def close(self) -> None:
        await self._inner.close()


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    permanent_url: str | None = None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, (utc(when) - now).total_seconds())


class _Decoder:
    """Bounded incremental Content-Encoding decoder (identity, gzip, deflate)."""

    def __init__(self, encoding: str, cap: int) -> None:
        self.cap = cap
        self.encoding = encoding
        self._obj: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding not in ("", "identity", "deflate"):
            raise FetchError("encoding", f"unsupported Content-Encoding {encoding!r}")

    def _too_large(self) -> FetchError:
        return FetchError("too_large", f"body larger than {self.cap:,} bytes after decompression")

    def feed(self, chunk: bytes, out: bytearray) -> None:
        if self.encoding in ("", "identity"):
            out += chunk
            if len(out) > self.cap:
                raise FetchError("too_large", f"body larger than {self.cap:,} bytes")
            return
        if self._obj is None:  # deflate: zlib-wrapped or raw, decided on the first bytes
            zlib_wrapped = (
                len(chunk) >= 2
                and (chunk[0] & 0x0F) == 8
                and ((chunk[0] << 8) | chunk[1]) % 31 == 0
            )
            self._obj = zlib.decompressobj(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)
        data = chunk
        try:
            while data:
                room = self.cap - len(out) + 1
                out += self._obj.decompress(data, room)
                if len(out) > self.cap:
                    raise self._too_large()
                data = self._obj.unconsumed_tail
        except zlib.error as exc:
            raise FetchError("encoding", f"corrupt {self.encoding} body: {exc}") from exc

    def finish(self, out: bytearray) -> None:
        if self._obj is None:
            return
        try:
            out += self._obj.flush(self.cap - len(out) + 1)
        except zlib.error as exc:
            raise FetchError("encoding", f"corrupt {self.encoding} body: {exc}") from exc
        if len(out) > self.cap:
            raise self._too_large()


class Fetcher:
    """Owns the one shared aiohttp session. ``await start()`` before use, ``close()`` after."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        *,
        guard: HostGuard | None = None,
        resolver: AbstractResolver | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.guard = guard or HostGuard(allow_private=settings.allow_private_hosts)
        self._inner_resolver = resolver
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            raise RuntimeError("Fetcher.start() was not called")
        return self._session

    async def start(self) -> None:
        if self._session is not None and not self._session.closed:
            return
        connector = aiohttp.TCPConnector(
            resolver=GuardedResolver(self.guard, self._inner_resolver),
            limit=max(10, self.settings.max_concurrent_fetches * 2),
            limit_per_host=max(4, self.settings.max_concurrent_fetches),
            ttl_dns_cache=300,
        )
        timeout = aiohttp.ClientTimeout(
            total=self.settings.fetch_timeout_seconds,
            connect=self.settings.connect_timeout_seconds,
            sock_connect=self.settings.connect_timeout_seconds,
            sock_read=self.settings.fetch_timeout_seconds,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=timeout,
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            headers={
                "User-Agent": self.settings.user_agent,
                "Accept": ACCEPT,
                "Accept-Encoding": "gzip, deflate",
            },
        )

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url`` (conditionally). Raises :class:`FetchError` on every failure."""
        total = self.settings.fetch_timeout_seconds
        try:
            async with asyncio.timeout(total):
                return await self._fetch(url, etag, last_modified)
        except FetchError:
            raise
        except aiohttp.ConnectionTimeoutError as exc:
            raise FetchError(
                "timeout", f"connect timed out after {self.settings.connect_timeout_seconds:g}s"
            ) from exc
        except TimeoutError as exc:
            raise FetchError("timeout", f"timed out after {total:g}s") from exc
        except aiohttp.ClientConnectorError as exc:
            blocked = _blocked_cause(exc)
            if blocked is not None:
                raise FetchError("blocked", blocked) from exc
            reason = exc.os_error.strerror or str(exc.os_error)
            if isinstance(exc, aiohttp.ClientConnectorDNSError):
                raise FetchError("dns", f"could not resolve {exc.host}: {reason}") from exc
            raise FetchError("connect", f"could not connect to {exc.host}: {reason}") from exc
        except aiohttp.ClientPayloadError as exc:
            raise FetchError("network", f"broken response body: {exc}") from exc
        except aiohttp.ClientError as exc:
            blocked = _blocked_cause(exc)
            if blocked is not None:
                raise FetchError("blocked", blocked) from exc
            raise FetchError("network", f"{type(exc).__name__}: {exc}") from exc
        except (OSError, ValueError, UnicodeError) as exc:
            raise FetchError("network", f"{type(exc).__name__}: {exc}") from exc

    async def _fetch(self, url: str, etag: str | None, last_modified: str | None) -> FetchResult:
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        permanent = True
        for hop in range(MAX_REDIRECTS + 1):
            self.guard.check_url(current)
            async with self.session.get(current, headers=headers, allow_redirects=False) as resp:
                status = resp.status
                if status in REDIRECT_STATUSES:
                    location = resp.headers.get("Location")
                    if not location:
                        raise FetchError("http", f"HTTP {status} without a Location", status=status)
                    if hop == MAX_REDIRECTS:
                        raise FetchError("redirects", f"more than {MAX_REDIRECTS} redirects")
                    permanent = permanent and status in (301, 308)
                    nxt = urljoin(current, location)
                    log.debug("event=redirect from=%s to=%s status=%s", current, nxt, status)
                    current = nxt
                    continue
                resp_headers = {k.lower(): v for k, v in resp.headers.items()}
                permanent_url = current if permanent and current != url else None
                if status == 304:
                    return FetchResult(
                        url=url,
                        final_url=current,
                        status=304,
                        headers=resp_headers,
                        not_modified=True,
                        etag=resp_headers.get("etag") or etag,
                        last_modified=resp_headers.get("last-modified") or last_modified,
                        permanent_url=permanent_url,
                    )
                if status in (429, 503) or status >= 400:
                    retry = None
                    if status in (429, 503):
                        retry = parse_retry_after(resp.headers.get("Retry-After"), self.clock.now())
                    reason = resp.reason or ""
                    raise FetchError(
                        "http", f"HTTP {status} {reason}".strip(), status=status, retry_after=retry
                    )
                body = await self._read_body(resp)
                return FetchResult(
                    url=url,
                    final_url=current,
                    status=status,
                    headers=resp_headers,
                    body=body,
                    etag=resp_headers.get("etag"),
                    last_modified=resp_headers.get("last-modified"),
                    permanent_url=permanent_url,
                )
        raise FetchError("redirects", f"more than {MAX_REDIRECTS} redirects")  # pragma: no cover

    async def _read_body(self, resp: aiohttp.ClientResponse) -> bytes:
        cap = self.settings.max_body_bytes
        length = resp.content_length
        if length is not None and length > cap:
            raise FetchError("too_large", f"body larger than {cap:,} bytes ({length:,} announced)")
        encoding = resp.headers.get("Content-Encoding", "").strip().lower()
        decoder = _Decoder(encoding, cap)
        out = bytearray()
        wire = 0
        async for chunk in resp.content.iter_chunked(CHUNK_BYTES):
            wire += len(chunk)
            if wire > cap:
                raise FetchError("too_large", f"body larger than {cap:,} bytes")
            decoder.feed(chunk, out)
        decoder.finish(out)
        return bytes(out)


def _blocked_cause(exc: BaseException) -> str | None:
    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            return None
        if isinstance(seen, BlockedAddressError):
            return str(seen)
        os_error = getattr(seen, "os_error", None)
        if isinstance(os_error, BlockedAddressError):
            return str(os_error)
        seen = seen.__cause__ or seen.__context__
    return None
