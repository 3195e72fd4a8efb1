"""The poll loop body: fetch -> parse -> normalise -> store -> hook, one feed at a time, many at once.

miniflux's ``RefreshFeed`` order. Each feed is polled inside its own boundary: a fetch error,
a timeout, a parse failure or a failing hook is logged and recorded on that feed's row
(error count, last error, exponential backoff, health state) and never reaches the others.
Network I/O and parsing happen before the feed's one write transaction, never inside it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

import aiosqlite

from bot.clock import Clock
from bot.feeds.fetcher import Fetcher, FetchError, FetchResult
from bot.feeds.guard import redact_url
from bot.feeds.normalize import NormalizedEntry
from bot.feeds.parser import ParsedFeed, ParsePool
from bot.models import Article, FeedRef, FeedState, PollSummary
from bot.ops import counters, problems
from bot.settings import Settings
from bot.storage import feeds as store
from bot.storage.database import Database, is_database_locked

log = logging.getLogger(__name__)

NewArticlesHook = Callable[[aiosqlite.Connection, FeedRef, list[Article], bool], Awaitable[None]]

# A body within the size cap parses in well under a second; this only stops a pathological
# one from holding its poll open (the worker finishes it in the background).
PARSE_TIMEOUT_SECONDS = 60.0
# A feed that brings more new entries than this at once (an archive, a first poll of a busy
# feed): the newest take the full path (facts, stories, alerts); the older ones are stored
# and recorded as seen, without it, in transactions of RECORD_CHUNK (each well under a second).
FULL_PATH_MAX = 300
FULL_PATH_CHUNK = 50  # full-path entries per write transaction (each well under a second)
RECORD_CHUNK = 1000
BASE_BACKOFF = timedelta(minutes=5)
MAX_BACKOFF = timedelta(days=1)


def backoff_delay(error_count: int, retry_after: float | None = None) -> timedelta:
    """5 min x 2^(n-1) for the n-th consecutive error, capped at a day; Retry-After wins if longer."""
    exponent = max(0, min(error_count - 1, 20))
    delay = min(BASE_BACKOFF * (2**exponent), MAX_BACKOFF)
    if retry_after is not None and retry_after > 0:
        # Clamped as a number first: timedelta() of a huge or infinite value overflows.
        seconds = min(retry_after, MAX_BACKOFF.total_seconds())
        delay = max(delay, timedelta(seconds=seconds))
    return delay


def facts_only_hook(clock: Clock) -> NewArticlesHook:
    """The default hook: ingest new articles into the fact store (if that area is present)."""

    async def hook(
        tx: aiosqlite.Connection, feed: FeedRef, articles: list[Article], baseline: bool
    ) -> None:
        try:
            from bot.facts.ingest import ingest_article
        except ImportError:
            return
        for article in articles:
            if article.id is not None:
                await ingest_article(tx, article.id, article, clock)

    return hook


class NotAFeedError(FetchError):
    """The URL answered, but with something that is not a feed."""


@dataclass(frozen=True)
class FeedOutcome:
    feed_id: int
    url: str
    kind: Literal["changed", "not_modified", "unchanged", "failed"]
    new: int = 0
    baseline: bool = False
    error: str | None = None


DB_LOCKED = "database is locked"


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def not_a_feed_reason(parsed: ParsedFeed) -> str | None:
    if parsed.is_html:
        if parsed.feed_links:
            return f"web page, not a feed (it links to {parsed.feed_links[0]})"
        return "web page, not a feed"
    if parsed.bozo_reason == "empty body":
        return "empty response"
    if not parsed.is_feed:
        detail = f": {parsed.bozo_reason}" if parsed.bozo_reason else ""
        return f"not an RSS/Atom feed{detail}"
    return None


class FeedWatcher:
    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        db: Database,
        fetcher: Fetcher,
        pool: ParsePool,
        hook: NewArticlesHook | None = None,
        names: Mapping[str, str] | None = None,
        outlets: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.db = db
        self.fetcher = fetcher
        self.pool = pool
        self.hook = hook or facts_only_hook(clock)
        # Awaited with the new articles before the write transaction that hands them to the
        # hook: work that need not hold the write lock (the story index's first load, the
        # CPU part of their fact analysis) happens there.
        self.prepare: Callable[[list[Article]], Awaitable[None]] | None = None
        # Configured names by feed URL (seeds/feeds.json): the publisher of those feeds'
        # articles and their title, whatever the feed calls itself.
        self.names: Mapping[str, str] = names or {}
        # ... and the outlet named as their articles' publisher (several feeds, one outlet).
        self.outlets: Mapping[str, str] = outlets or {}
        self._reported_db_locked = False  # we put "database" on the problem board
        self._cycle = asyncio.Lock()
        # Fetches of healthy feeds that brought nothing new (304 / same body), written in one
        # statement at the end of the cycle: (feed_id, etag, last_modified, body_hash).
        self._quiet: list[tuple[int, str | None, str | None, str | None]] = []
        # When the running cycle started: next checks count from it, so every feed polled in
        # one cycle (however late in it) is due again at the next scheduled cycle.
        self._cycle_started: datetime | None = None

    def _next_check(self, now: datetime) -> datetime:
        """Next poll after a success: one interval from the cycle's start, minus a little
        slack for scheduler jitter."""
        interval = self.settings.poll_interval_seconds
        base = self._cycle_started or now
        return base + timedelta(seconds=interval - min(60, interval // 10))

    # --- one cycle -----------------------------------------------------------------------

    async def poll_due(self) -> PollSummary:
        """Poll every due feed with bounded concurrency; one feed's trouble stays its own."""
        async with self._cycle:
            started = time.perf_counter()
            self._cycle_started = self.clock.now()
            due = await store.due_feeds(self.db.reader, self._cycle_started)
            sem = asyncio.Semaphore(self.settings.max_concurrent_fetches)

            async def one(feed: store.FeedRow) -> FeedOutcome:
                async with sem:
                    return await self.poll_feed(feed, batch=len(due))

            try:
                outcomes = await asyncio.gather(*(one(f) for f in due))
            finally:
                await self._flush_quiet()
                self._cycle_started = None
            summary = PollSummary(
                due=len(due),
                polled=len(outcomes),
                changed=sum(o.kind == "changed" for o in outcomes),
                not_modified=sum(o.kind == "not_modified" for o in outcomes),
                unchanged_body=sum(o.kind == "unchanged" for o in outcomes),
                failed=sum(o.kind == "failed" for o in outcomes),
                new_articles=sum(o.new for o in outcomes if not o.baseline),
                baseline_articles=sum(o.new for o in outcomes if o.baseline),
                errors={redact_url(o.url): o.error for o in outcomes if o.error},
                seconds=round(time.perf_counter() - started, 3),
            )
            locked = any(o.error == DB_LOCKED for o in outcomes)
            if self._reported_db_locked and summary.changed and not locked:
                problems.clear("database")  # the lock we reported is over: this cycle stored
                self._reported_db_locked = False
            log.info(
                "event=poll_cycle due=%s changed=%s not_modified=%s failed=%s new=%s seconds=%s",
                summary.due,
                summary.changed,
                summary.not_modified,
                summary.failed,
                summary.new_articles,
                summary.seconds,
            )
            return summary

    async def poll_feed(self, feed: store.FeedRow, *, batch: int = 1) -> FeedOutcome:
        """Poll one feed. The boundary: every exception ends here, logged and recorded."""
        counters.POLLS.inc()
        try:
            result = await self.fetcher.fetch(
                feed.url, etag=feed.etag, last_modified=feed.last_modified
            )
            if result.not_modified:
                await self._record_fetch_only(feed, result, None)
                return FeedOutcome(feed.id, feed.url, "not_modified")
            digest = body_hash(result.body)
            if feed.baseline_done and digest == feed.body_hash:
                await self._record_fetch_only(feed, result, digest)
                return FeedOutcome(feed.id, feed.url, "unchanged")
            # Entries recorded before are only counted by the parser, not worked out again.
            known = (
                await store.recent_entry_keys(self.db.reader, feed.id)
                if feed.baseline_done
                else frozenset()
            )
            try:
                async with asyncio.timeout(PARSE_TIMEOUT_SECONDS):
                    parsed = await self.pool.parse(
                        result.body,
                        result.headers,
                        feed.url,
                        self.clock.now(),
                        batch=batch,
                        known=known,
                    )
            except TimeoutError as exc:
                raise FetchError(
                    "parse", f"parsing took longer than {PARSE_TIMEOUT_SECONDS:g}s"
                ) from exc
            reason = not_a_feed_reason(parsed)
            if reason is not None:
                raise NotAFeedError("not_feed", reason)
            return await self.store_parsed(feed, result, parsed, digest)
        except FetchError as exc:
            counters.FETCH_ERRORS.inc(kind=exc.kind)
            # A warning for the first failure of a run (and for state changes, below); the
            # repeats of a known outage are info, so a dead feed does not flood the log.
            log.log(
                logging.WARNING if feed.error_count == 0 else logging.INFO,
                "event=feed_failed feed=%s url=%s kind=%s errors=%s error=%s",
                feed.id,
                redact_url(feed.url),
                exc.kind,
                feed.error_count + 1,
                exc,
            )
            return await self._record_failure(feed, str(exc), exc.retry_after)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # boundary: one feed's bug never reaches the others
            if is_database_locked(exc):
                # Not the feed's fault: nothing was stored (the transaction rolled back) and
                # the feed stays due, so the next cycle stores what this one could not.
                log.warning("event=feed_store_db_locked feed=%s error=%s", feed.id, exc)
                problems.report(
                    "database", f"database is locked (storing feed {feed.id})", self.clock.now()
                )
                self._reported_db_locked = True
                return FeedOutcome(feed.id, feed.url, "failed", error=DB_LOCKED)
            counters.FETCH_ERRORS.inc(kind="internal")
            log.exception("event=feed_poll_crashed feed=%s url=%s", feed.id, redact_url(feed.url))
            return await self._record_failure(
                feed, f"internal error: {type(exc).__name__}: {exc}", None
            )

    # --- storing -------------------------------------------------------------------------

    async def store_parsed(
        self,
        feed: store.FeedRow,
        result: FetchResult,
        parsed: ParsedFeed,
        digest: str,
        *,
        baseline: bool | None = None,
    ) -> FeedOutcome:
        """Store the feed's new entries once and call the hook, all in one transaction.

        ``baseline`` (default: the feed's first successful poll) records without alerting.
        What is already known is read before the write transaction, to keep it short.
        """
        known = await store.known_entry_keys(
            self.db.reader, feed.id, [e.article.entry_key for e in parsed.entries]
        )
        new = sorted(
            (e for e in parsed.entries if e.article.entry_key not in known),
            key=lambda e: e.article.published,
        )
        older: list[NormalizedEntry] = []
        if len(new) > FULL_PATH_MAX:
            older, new = new[:-FULL_PATH_MAX], new[-FULL_PATH_MAX:]
            await self._record_older(feed, older)
            known = known | {e.article.entry_key for e in older}
        if self.prepare is not None and new:
            await self.prepare([e.article for e in new])
        # The full path in transactions of FULL_PATH_CHUNK entries, oldest first; each holds
        # its articles with their facts, stories and alerts. The last one also records the
        # fetch (a failure before it leaves the feed due, and what was committed known).
        early = 0
        created = 0
        if len(new) > FULL_PATH_CHUNK:
            if baseline is None:
                baseline = not feed.baseline_done
            ref = FeedRef(id=feed.id, url=feed.url, title=self._title(feed, parsed))
            last = len(new) - (len(new) - 1) % FULL_PATH_CHUNK - 1
            for start in range(0, last, FULL_PATH_CHUNK):
                chunk = new[start : start + FULL_PATH_CHUNK]
                async with self.db.transaction() as tx:
                    stored, made = await self._insert(tx, feed, chunk)
                    await self.hook(tx, ref, stored, baseline)
                created += made
                early += len(chunk)
            known = known | {e.article.entry_key for e in new[:last]}
        async with self.db.transaction() as tx:
            outcome, made = await self.store_parsed_in(
                tx, feed, result, parsed, digest, baseline=baseline, known=known
            )
        created += made
        if older or early:
            outcome = replace(outcome, new=outcome.new + len(older) + early)
        self.stored(feed, outcome, created)
        return outcome

    def _title(self, feed: store.FeedRow, parsed: ParsedFeed) -> str:
        return self.names.get(feed.url) or parsed.title or feed.title

    async def _record_older(self, feed: store.FeedRow, entries: list[NormalizedEntry]) -> None:
        """Store entries beyond the newest ``FULL_PATH_MAX`` without the hook (no facts,
        stories or alerts), committed in chunks so no write transaction runs long; a chunk
        committed before a failure is known at the next poll."""
        for start in range(0, len(entries), RECORD_CHUNK):
            chunk = entries[start : start + RECORD_CHUNK]
            async with self.db.transaction() as tx:
                created = await self._insert_without_hook(tx, feed, chunk)
            counters.ARTICLES_STORED.inc(created)
        log.info(
            "event=feed_older_entries_recorded feed=%s url=%s entries=%s",
            feed.id,
            redact_url(feed.url),
            len(entries),
        )

    async def _insert_without_hook(
        self, tx: aiosqlite.Connection, feed: store.FeedRow, entries: list[NormalizedEntry]
    ) -> int:
        """Store ``entries`` as articles and record them as the feed's; returns rows created."""
        return (await self._insert(tx, feed, entries))[1]

    async def _insert(
        self, tx: aiosqlite.Connection, feed: store.FeedRow, entries: list[NormalizedEntry]
    ) -> tuple[list[Article], int]:
        """Store ``entries`` as articles (deduplicated by entry key) and record them as the
        feed's; returns the stored articles (ids set) and how many rows were created."""
        articles = self._as_published(feed, [e.article for e in entries])
        hashes = [e.content_hash for e in entries] if all(e.content_hash for e in entries) else None
        ids = await store.insert_articles(tx, articles, hashes)
        links = [
            (a.entry_key, article_id) for a, (article_id, _) in zip(articles, ids, strict=True)
        ]
        await store.record_entries(tx, feed.id, links, self.clock.now())
        stored = [
            a.model_copy(update={"id": article_id})
            for a, (article_id, _) in zip(articles, ids, strict=True)
        ]
        return stored, sum(created for _, created in ids)

    def _as_published(self, feed: store.FeedRow, articles: list[Article]) -> list[Article]:
        """The articles with the configured outlet as their publisher (if one is configured)."""
        outlet = self.outlets.get(feed.url) or self.names.get(feed.url)
        if not outlet:
            return articles
        return [
            a if a.publisher == outlet else a.model_copy(update={"publisher": outlet})
            for a in articles
        ]

    def stored(self, feed: store.FeedRow, outcome: FeedOutcome, created: int) -> None:
        """After the commit of :meth:`store_parsed_in`: count and log only rows that exist."""
        counters.ARTICLES_STORED.inc(created)
        if outcome.new:
            log.info(
                "event=feed_new_entries feed=%s url=%s new=%s baseline=%s",
                feed.id,
                redact_url(feed.url),
                outcome.new,
                outcome.baseline,
            )

    async def store_parsed_in(
        self,
        tx: aiosqlite.Connection,
        feed: store.FeedRow,
        result: FetchResult,
        parsed: ParsedFeed,
        digest: str,
        *,
        baseline: bool | None = None,
        known: AbstractSet[str] | None = None,
    ) -> tuple[FeedOutcome, int]:
        """:meth:`store_parsed` inside the caller's transaction (``feeds add`` subscribes and
        records the baseline in one). Returns the outcome and how many articles were created;
        call :meth:`stored` after the commit."""
        now = self.clock.now()
        if known is None:
            keys = [e.article.entry_key for e in parsed.entries]
            known = await store.known_entry_keys(tx, feed.id, keys)
        entries = sorted(
            (e for e in parsed.entries if e.article.entry_key not in known),
            key=lambda e: e.article.published,
        )
        created = older = 0
        if len(entries) > FULL_PATH_MAX:  # (feeds add: in the caller's one transaction)
            older = len(entries) - FULL_PATH_MAX
            created += await self._insert_without_hook(tx, feed, entries[:older])
            entries = entries[older:]
        name = self.names.get(feed.url)
        fresh = self._as_published(feed, [e.article for e in entries])
        hashes = [e.content_hash for e in entries] if all(e.content_hash for e in entries) else None
        if baseline is None:
            baseline = not feed.baseline_done
        if parsed.bozo != feed.bozo:
            if parsed.bozo:
                log.warning(
                    "event=feed_malformed feed=%s url=%s reason=%s",
                    feed.id,
                    redact_url(feed.url),
                    parsed.bozo_reason,
                )
            else:
                log.info(
                    "event=feed_wellformed_again feed=%s url=%s", feed.id, redact_url(feed.url)
                )
        title = name or parsed.title
        ref = FeedRef(id=feed.id, url=feed.url, title=title or feed.title)
        stored: list[Article] = []
        links: list[tuple[str, int | None]] = []
        # Same semantics as articles.insert_article (dedupe by entry key), batched.
        for article, (article_id, was_created) in zip(
            fresh, await store.insert_articles(tx, fresh, hashes), strict=True
        ):
            stored.append(article.model_copy(update={"id": article_id}))
            links.append((article.entry_key, article_id))
            created += was_created
        await store.record_entries(tx, feed.id, links, now)
        await store.record_success(
            tx,
            feed.id,
            now=now,
            next_check=self._next_check(now),
            etag=result.etag,
            last_modified=result.last_modified,
            body_hash=digest,
            parsed=True,
            title=title,
            site_url=parsed.site_url,
            language=parsed.language,
            bozo=parsed.bozo,
            entry_count=len(parsed.entries) + parsed.known,
        )
        await self._recover(tx, feed, now)
        if stored:
            await self.hook(tx, ref, stored, baseline)
        outcome = FeedOutcome(
            feed.id, feed.url, "changed", new=len(stored) + older, baseline=baseline
        )
        return outcome, created

    async def _flush_quiet(self) -> None:
        rows, self._quiet = self._quiet, []
        if not rows:
            return
        now = self.clock.now()
        try:
            async with self.db.transaction() as tx:
                await store.record_fetches(
                    tx,
                    rows,
                    now=now,
                    next_check=self._next_check(now),
                )
        except Exception:  # boundary: losing this only means those feeds are polled again
            log.exception("event=quiet_fetches_not_recorded feeds=%s", len(rows))

    async def _record_fetch_only(
        self, feed: store.FeedRow, result: FetchResult, digest: str | None
    ) -> None:
        if feed.state == "healthy" and self._cycle.locked():
            self._quiet.append((feed.id, result.etag, result.last_modified, digest))
            return
        now = self.clock.now()
        async with self.db.transaction() as tx:
            await store.record_success(
                tx,
                feed.id,
                now=now,
                next_check=self._next_check(now),
                etag=result.etag,
                last_modified=result.last_modified,
                body_hash=digest,
            )
            await self._recover(tx, feed, now)

    async def _recover(self, tx: aiosqlite.Connection, feed: store.FeedRow, now: datetime) -> None:
        if feed.state != "healthy":
            reason = (
                f"recovered after {feed.error_count} errors" if feed.error_count else "recovered"
            )
            await store.set_state(
                tx, feed.id, old=feed.state, new="healthy", reason=reason, now=now
            )
            log.info("event=feed_recovered feed=%s url=%s", feed.id, redact_url(feed.url))

    async def _record_failure(
        self, feed: store.FeedRow, error: str, retry_after: float | None
    ) -> FeedOutcome:
        now = self.clock.now()
        count = feed.error_count + 1
        delay = backoff_delay(count, retry_after)
        base = self._cycle_started or now
        new_state: FeedState = feed.state
        reason = ""
        if count >= self.settings.disable_after_errors:
            new_state = "disabled"
            reason = f"disabled after {count} consecutive errors; last: {error}"
        elif count >= self.settings.failing_after_errors:
            new_state = "failing"
            reason = f"{count} consecutive errors; last: {error}"
        try:
            async with self.db.transaction() as tx:
                await store.record_failure(
                    tx, feed.id, now=now, next_check=base + delay, error=error, error_count=count
                )
                if new_state != feed.state:
                    await store.set_state(
                        tx, feed.id, old=feed.state, new=new_state, reason=reason, now=now
                    )
        except Exception:  # boundary: even the bookkeeping failing must not reach other feeds
            log.exception("event=feed_failure_not_recorded feed=%s", feed.id)
        if new_state != feed.state:
            log.warning(
                "event=feed_state feed=%s url=%s old=%s new=%s reason=%s",
                feed.id,
                redact_url(feed.url),
                feed.state,
                new_state,
                reason,
            )
        return FeedOutcome(feed.id, feed.url, "failed", error=error)
