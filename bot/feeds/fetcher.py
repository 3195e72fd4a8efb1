"""HTTP side of the feed pipeline: one shared aiohttp session, SSRF guard, conditional GET.

Every request goes through :class:`Fetcher.fetch`:

* the SSRF guard (:mod:`bot.feeds.guard`) on every hop: the URL before the request, names
  after DNS, and every address at connect time (the connector's ``socket_factory``);
  redirects are followed by hand (at most ``MAX_REDIRECTS``) so every hop is checked the
  same way; a refused or unreachable target reads "refused: <rule>" or "unreachable", never
  more (an open port is not told from a closed one);
* conditional GET with ETag / Last-Modified; ``Retry-After`` on 429/503 is returned,
  clamped to ``MAX_RETRY_AFTER_SECONDS``;
* a body cap enforced on the wire bytes while streaming and on the decompressed bytes
  (decompression is ours, in bounded steps, so a gzip bomb never inflates past the cap);
* failures are :class:`FetchError` values with a short text meant for ``feeds status``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import aiohttp
from aiohttp.abc import AbstractResolver

from bot.clock import Clock, utc
from bot.errors import BeatwatchError
from bot.feeds.guard import BlockedAddressError, GuardedResolver, GuardError, HostGuard, redact_url
from bot.settings import Settings

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
MAX_RETRY_AFTER_SECONDS = 7 * 86400.0  # a longer wait is read as this (backoff caps lower)
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
    if value.isascii() and value.isdigit():
        # Clamped on the digits: "99999999999999999999" must not become a timedelta overflow.
        return float(min(int(value[:32]), int(MAX_RETRY_AFTER_SECONDS)))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if when is None:
        return None
    seconds = (utc(when) - now).total_seconds()
    return min(max(0.0, seconds), MAX_RETRY_AFTER_SECONDS) if math.isfinite(seconds) else None


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
            socket_factory=self.guard.socket_factory,  # aiohttp>=3.12: checks literals too
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
            # Told apart from "unreachable" for no one: a filtered port and a closed one read
            # the same, so `feeds add` cannot map a network.
            log.debug("event=connect_failed url=%s error=%r", redact_url(url), exc)
            raise FetchError("timeout", "unreachable (could not connect)") from exc
        except TimeoutError as exc:
            raise FetchError("timeout", f"timed out after {total:g}s") from exc
        except aiohttp.ClientConnectorError as exc:
            blocked = _blocked_cause(exc)
            if blocked is not None:
                raise FetchError("blocked", blocked) from exc
            log.debug("event=connect_failed url=%s error=%r", redact_url(url), exc)
            if isinstance(exc, aiohttp.ClientConnectorDNSError):
                raise FetchError("dns", f"could not resolve {exc.host}") from exc
            raise FetchError("connect", "unreachable (could not connect)") from exc
        except aiohttp.ClientPayloadError as exc:
            raise FetchError("network", "broken response body") from exc
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientResponseError) as exc:
            # Not the server's words (a banner of whatever listens there): only what happened.
            log.debug("event=bad_response url=%s error=%r", redact_url(url), exc)
            raise FetchError("network", "no valid HTTP response") from exc
        except aiohttp.ClientError as exc:
            blocked = _blocked_cause(exc)
            if blocked is not None:
                raise FetchError("blocked", blocked) from exc
            log.debug("event=fetch_failed url=%s error=%r", redact_url(url), exc)
            raise FetchError("network", f"network error ({type(exc).__name__})") from exc
        except (OSError, ValueError, UnicodeError) as exc:
            blocked = _blocked_cause(exc)
            if blocked is not None:
                raise FetchError("blocked", blocked) from exc
            log.debug("event=fetch_failed url=%s error=%r", redact_url(url), exc)
            raise FetchError("network", f"network error ({type(exc).__name__})") from exc

    async def _fetch(self, url: str, etag: str | None, last_modified: str | None) -> FetchResult:
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        permanent = True
        for hop in range(MAX_REDIRECTS + 1):
            try:
                target = self.guard.check_url(current)
            except GuardError as exc:
                raise FetchError(exc.kind, str(exc)) from exc
            # The checked URL object itself is requested: the host the guard saw is the one
            # the connector uses.
            async with self.session.get(target, headers=headers, allow_redirects=False) as resp:
                status = resp.status
                if status in REDIRECT_STATUSES:
                    location = resp.headers.get("Location")
                    if not location:
                        raise FetchError("http", f"HTTP {status} without a Location", status=status)
                    if hop == MAX_REDIRECTS:
                        raise FetchError("redirects", f"more than {MAX_REDIRECTS} redirects")
                    permanent = permanent and status in (301, 308)
                    nxt = urljoin(current, location)
                    log.debug(
                        "event=redirect from=%s to=%s status=%s",
                        redact_url(current),
                        redact_url(nxt),
                        status,
                    )
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
                    reason = "".join(c for c in resp.reason or "" if c.isprintable())[:80]
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
