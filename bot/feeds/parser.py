"""Feed bytes -> parsed, normalised entries, off the event loop.

Plain RSS 2.0 / RSS 1.0 / Atom is read by :mod:`bot.feeds.fastparse` (expat, about ten
times cheaper); everything else (malformed XML, DOCTYPEs, odd encodings, unknown formats)
by feedparser over ``BytesIO`` with the response headers. Both give the same articles.

:func:`parse_feed` is pure (bytes in, :class:`ParsedFeed` out) so it can run in a worker
process. :class:`ParsePool` picks the executor: a thread for a few feeds, a process pool
(both cores) when many feeds changed at once. feedparser's sanitiser and relative-URI
resolver are off: beatwatch never renders feed HTML, it turns it into text itself.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import logging
import multiprocessing
import os
import re
import select
import threading
import time
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser

from bot.feeds.discovery import find_feed_links, looks_like_html
from bot.feeds.fastparse import fast_parse
from bot.feeds.normalize import KnownEntry, NormalizedEntry, language_tag, normalize_entry
from bot.feeds.plaintext import html_to_text, one_line, quote_controls

log = logging.getLogger(__name__)

# Entities and encodings feedparser reports as bozo but parses fine; not worth a warning.
_BENIGN_BOZO = ("CharacterEncodingOverride", "NonXMLContentType")


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    site_url: str | None = None
    language: str | None = None
    version: str = ""
    bozo: bool = False
    bozo_reason: str = ""
    entries: list[NormalizedEntry] = field(default_factory=list)
    skipped: int = 0
    known: int = 0  # entries whose key the caller knew (not worked out again)
    is_html: bool = False
    feed_links: list[str] = field(default_factory=list)

    @property
    def is_feed(self) -> bool:
        return bool(self.entries) or self.known > 0 or (bool(self.version) and not self.is_html)

    def problems(self) -> list[str]:
        found: list[str] = []
        if self.is_html:
            links = ", ".join(self.feed_links) if self.feed_links else "none announced"
            found.append(f"this is a web page, not a feed (feed links: {links})")
        elif not self.version and not self.entries:
            found.append("not a recognisable RSS/Atom feed")
        if self.bozo:
            found.append(f"malformed feed, recovered what was readable: {self.bozo_reason}")
        if not self.entries and not self.known and not self.is_html:
            found.append("the feed has no entries")
        undated = sum(1 for e in self.entries if e.date_missing)
        if undated:
            found.append(f"{undated} of {len(self.entries)} entries have no usable date")
        if self.skipped:
            found.append(f"{self.skipped} entries had no title or text and were skipped")
        return found


def publisher_name(title: str, url: str) -> str:
    if title:
        return title
    host = (urlsplit(url).hostname or url).lower()
    return host.removeprefix("www.")


# "Kyiv Independent RSS", "The Wire - RSS feed", "Example: Atom Feed".
_FORMAT_SUFFIX = re.compile(r"\s*(?:[-|:\u2013\u2014]\s*)?\b(?:rss|atom)(?:\s+feeds?)?\s*$", re.I)
# Title parts: "Section | Outlet", "Outlet - Section", "Outlet > Section", "Outlet: Section".
_TITLE_PARTS = re.compile(r"\s+(?:[|>\-\u2013\u2014\u00b7]|::)\s+|:\s+")
# Host labels that name no outlet (service prefixes, generic words, common suffixes).
_GENERIC_LABELS = frozenset(
    "www rss feeds feed api news info com org net gov edu int co biz online media".split()
)


def _letters(text: str) -> str:
    key = "".join(ch for ch in text.lower() if ch.isalnum())
    return key.removeprefix("the") if len(key) > 6 else key


def _host_labels(urls: tuple[str | None, ...]) -> set[str]:
    labels: set[str] = set()
    for url in urls:
        host = (urlsplit(url).hostname or "") if url else ""
        labels.update(
            label for label in host.lower().split(".")
            if len(label) >= 3 and label not in _GENERIC_LABELS
        )  # fmt: skip
    return labels


def outlet_name(title: str, *urls: str | None) -> str:
    """The outlet in a feed's own title, for the ``publisher`` of its articles.

    "World news | The Guardian" -> "The Guardian", "Latest articles - The Japan Times" ->
    "The Japan Times", "NYT > World News" -> "NYT". A title is only shortened to one of its
    parts when that part is the outlet's web address in words (the feed's or the site's
    host: "The Guardian" ~ theguardian.com, "NYT" ~ nytimes.com), whichever side of the
    separator it is on; otherwise the title stays whole (minus a trailing "RSS"/"Atom feed").
    """
    whole = _FORMAT_SUFFIX.sub("", title).strip() or title.strip()
    parts = [p.strip() for p in _TITLE_PARTS.split(whole) if p.strip()]
    labels = _host_labels(urls)
    if len(parts) < 2 or not labels:
        return whole

    def names_host(part: str) -> bool:
        key = _letters(part)
        return len(key) >= 3 and any(label in key or key in label for label in labels)

    matching = [p for p in parts if names_host(p)]
    return min(matching, key=len) if matching else whole


def parse_feed(
    body: bytes,
    headers: Mapping[str, str],
    feed_url: str,
    first_seen: datetime,
    known: AbstractSet[str] = frozenset(),
    *,
    slow_only: bool = False,
) -> ParsedFeed:
    """Parse and normalise one feed body. Never raises on bad input (bozo instead).

    ``known``: entry keys already recorded for this feed; those entries are only counted.
    Plain RSS 2.0 / RSS 1.0 / Atom goes through :func:`bot.feeds.fastparse.fast_parse`;
    anything else (or ``slow_only``) through feedparser.
    """
    content_type = headers.get("content-type", "")
    host = publisher_name("", feed_url)
    if not body.strip():
        return ParsedFeed(title=host, bozo=True, bozo_reason="empty body")
    if looks_like_html(body, content_type):
        return ParsedFeed(title=host, is_html=True, feed_links=find_feed_links(body, feed_url))
    # No base URI: feedparser would urljoin every href (a fifth of its time); links are made
    # absolute against the feed URL in normalisation instead.
    response_headers = {
        k.lower(): v for k, v in headers.items() if k.lower() not in ("content-location",)
    }
    fast = None
    if not slow_only:
        try:
            fast = fast_parse(body, response_headers)
        except Exception as exc:  # a fast-path bug must cost speed, never the feed
            log.warning("event=fast_parse_crash feed=%s error=%r", feed_url, exc)
    try:
        parsed = fast or feedparser.parse(
            io.BytesIO(body),
            response_headers=response_headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser on hostile bytes: report, never crash the poll
        log.warning("event=feedparser_crash feed=%s error=%r", feed_url, exc)
        return ParsedFeed(title=host, bozo=True, bozo_reason=f"parser crashed: {exc!r}"[:300])
    feed = parsed.get("feed", {}) or {}
    title = one_line(html_to_text(feed.get("title") if isinstance(feed.get("title"), str) else ""))
    site = quote_controls(feed["link"]) if isinstance(feed.get("link"), str) else None
    feed_title = publisher_name(title, feed_url)
    publisher = outlet_name(feed_title, feed_url, site)
    language = language_tag(feed.get("language")) or language_tag(
        response_headers.get("content-language")
    )
    bozo = bool(parsed.get("bozo"))
    reason = ""
    if bozo:
        problem = parsed.get("bozo_exception")
        if problem is not None and type(problem).__name__ in _BENIGN_BOZO and parsed.get("entries"):
            bozo = False
        else:
            reason = (
                one_line(f"{type(problem).__name__}: {problem}")[:300] if problem else "malformed"
            )
    entries: list[NormalizedEntry] = []
    skipped = 0
    known_count = 0
    seen: set[str] = set()
    for raw in parsed.get("entries", []) or []:
        try:
            item = normalize_entry(
                raw,
                feed_url=feed_url,
                publisher=publisher,
                feed_language=language,
                first_seen=first_seen,
                known=known,
            )
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.debug("event=entry_skipped feed=%s error=%r", feed_url, exc)
            item = None
        if isinstance(item, KnownEntry):
            if item.key not in seen:
                seen.add(item.key)
                known_count += 1
            continue
        if item is None or item.article.entry_key in seen:
            skipped += item is None
            continue
        seen.add(item.article.entry_key)
        entries.append(item)
    version = str(parsed.get("version") or "")
    feed_links: list[str] = []
    is_html = False
    if (
        not entries
        and not known_count
        and not version
        and b"<" in body[:2048]
        and b"<html" in body[:4096].lower()
    ):
        is_html = True
        feed_links = find_feed_links(body, feed_url)
    return ParsedFeed(
        title=feed_title,
        site_url=site,
        language=language,
        version=version,
        bozo=bozo,
        bozo_reason=reason,
        entries=entries,
        skipped=skipped,
        known=known_count,
        is_html=is_html,
        feed_links=feed_links,
    )


def _warm() -> int:
    return os.getpid()


def _end_with(parent_pid: int) -> None:
    """Worker initializer: the worker ends when the process that made the pool ends.

    multiprocessing never tells a pool worker that its parent died (``kill -9``, OOM killer):
    it would wait for work forever, and with it the forkserver and the resource tracker, which
    exit only once their last worker has. A daemon thread waits for the parent's exit instead.
    """
    threading.Thread(
        target=_exit_after, args=(parent_pid,), name="parse-worker-parent", daemon=True
    ).start()


def _exit_after(parent_pid: int) -> None:
    try:
        handle = os.pidfd_open(parent_pid)  # readable once the process has exited
    except (AttributeError, OSError):  # not Linux >= 5.3, or the parent is gone already
        while _alive(parent_pid):
            time.sleep(1.0)
    else:
        select.select([handle], [], [])
    os._exit(0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        pass
    return True


class ParsePool:
    """Runs :func:`parse_feed` off the event loop: threads for a few feeds, processes for many.

    ``mode``: "auto" (processes when at least ``process_threshold`` feeds are being parsed at
    once), "thread" or "process".
    """

    def __init__(self, mode: str = "auto", workers: int = 2, process_threshold: int = 4) -> None:
        if mode not in ("auto", "thread", "process"):
            raise ValueError(f"unknown parse mode {mode!r}")
        self.mode = mode
        self.workers = workers
        self.process_threshold = process_threshold
        self._processes: concurrent.futures.ProcessPoolExecutor | None = None
        self._threads = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="feedparse"
        )
        self.active = 0

    def _process_pool(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._processes is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["bot.feeds.parser"])
            self._processes = concurrent.futures.ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=ctx,
                initializer=_end_with,
                initargs=(os.getpid(),),
            )
        return self._processes

    async def warm_up(self) -> None:
        """Start the worker processes now (so the first big batch does not pay for it)."""
        pool = self._process_pool()
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(pool, _warm) for _ in range(self.workers)))

    def worker_pids(self) -> list[int]:
        procs: dict[int, Any] = getattr(self._processes, "_processes", None) or {}
        return list(procs)

    async def parse(
        self,
        body: bytes,
        headers: Mapping[str, str],
        feed_url: str,
        first_seen: datetime,
        *,
        batch: int = 1,
        known: AbstractSet[str] = frozenset(),
    ) -> ParsedFeed:
        loop = asyncio.get_running_loop()
        use_processes = self.mode == "process" or (
            self.mode == "auto" and max(batch, self.active + 1) >= self.process_threshold
        )
        args = (body, dict(headers), feed_url, first_seen, frozenset(known))
        self.active += 1
        try:
            if use_processes:
                try:
                    return await loop.run_in_executor(self._process_pool(), parse_feed, *args)
                except BrokenProcessPool:
                    log.warning("event=parse_pool_broken action=restart")
                    self._processes = None
            return await loop.run_in_executor(self._threads, parse_feed, *args)
        finally:
            self.active -= 1

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` off the event loop: in the worker processes once a busy cycle has
        started them (or in "process" mode), else in a thread. ``fn`` and its arguments
        must pickle (the feed watcher's fact analysis runs here, beside the parsing)."""
        loop = asyncio.get_running_loop()
        if self.mode == "process" or (self.mode == "auto" and self._processes is not None):
            try:
                return await loop.run_in_executor(self._process_pool(), fn, *args)
            except BrokenProcessPool:
                log.warning("event=parse_pool_broken action=restart")
                self._processes = None
        return await asyncio.to_thread(fn, *args)

    def close(self) -> None:
        if self._processes is not None:
            self._processes.shutdown(wait=True, cancel_futures=True)
            self._processes = None
        self._threads.shutdown(wait=False, cancel_futures=True)
