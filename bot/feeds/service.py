"""``services.feeds``: subscriptions, validation on add, `feeds check`, poll cycles."""

from __future__ import annotations

import asyncio
import builtins
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.clock import Clock
from bot.errors import BeatwatchError, UserFacingError
from bot.feeds import opml
from bot.feeds.fetcher import Fetcher, FetchError, FetchResult
from bot.feeds.guard import HostGuard, redact_url
from bot.feeds.parser import ParsedFeed, ParsePool
from bot.feeds.watcher import (
    FeedWatcher,
    NewArticlesHook,
    body_hash,
    not_a_feed_reason,
)
from bot.models import (
    FeedCheckEntry,
    FeedCheckReport,
    FeedHealthEvent,
    FeedInfo,
    FeedStatus,
    PollSummary,
)
from bot.settings import Settings
from bot.storage import feeds as store
from bot.storage.database import Database

log = logging.getLogger(__name__)

_Shown = TypeVar("_Shown", FeedInfo, FeedStatus, FeedHealthEvent)

MAX_DISCOVERY_TRIES = 3


class SeedFeedError(BeatwatchError):
    pass


class DefaultFeed(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    title: str
    region: str
    language: str
    # The outlet's name for citations ("The Guardian"); several feeds of one outlet share it
    # so they count as one outlet in a story. Defaults to the title.
    outlet: str | None = None


def load_default_feeds(seeds_dir: Path) -> list[DefaultFeed]:
    """seeds/feeds.json: the default feed list every new server starts with."""
    path = seeds_dir / "feeds.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        feeds = [DefaultFeed.model_validate(item) for item in raw["feeds"]]
    except (OSError, KeyError, TypeError, json.JSONDecodeError, ValidationError) as exc:
        raise SeedFeedError(f"{path}: {exc}") from exc
    urls = [f.url for f in feeds]
    if len(set(urls)) != len(urls):
        raise SeedFeedError(f"{path}: a feed URL is listed twice")
    return feeds


def configured_names(settings: Settings) -> dict[str, str]:
    """Feed URL -> the name seeds/feeds.json gives it (empty if the file is unusable)."""
    try:
        return {f.url: f.title for f in load_default_feeds(settings.seeds_dir) if f.title}
    except SeedFeedError as exc:
        log.warning("event=feed_names_unavailable error=%s", exc)
        return {}


def configured_outlets(settings: Settings) -> dict[str, str]:
    """Feed URL -> the outlet seeds/feeds.json names as its articles' publisher."""
    try:
        return {
            f.url: f.outlet or f.title
            for f in load_default_feeds(settings.seeds_dir)
            if f.outlet or f.title
        }
    except SeedFeedError as exc:
        log.warning("event=feed_names_unavailable error=%s", exc)
        return {}


@dataclass(frozen=True)
class _Resolved:
    url: str
    result: FetchResult
    parsed: ParsedFeed
    discovered_from: str | None


def _redacted(model: _Shown, field: str) -> _Shown:
    url = getattr(model, field)
    shown = redact_url(url)
    return model if shown == url else model.model_copy(update={field: shown})


def _user_url(text: str) -> str:
    text = text.strip()
    if "://" not in text:
        text = f"https://{text}"
    return text


class FeedService:
    """Built as ``FeedService(settings, clock, db)``; ``await start()`` opens the HTTP session."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        db: Database,
        *,
        hook: NewArticlesHook | None = None,
        guard: HostGuard | None = None,
        resolver: Any = None,
        parse_mode: str = "auto",
        topics: Callable[[], Any] | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.db = db
        self.fetcher = Fetcher(settings, clock, guard=guard, resolver=resolver)
        self.pool = ParsePool(mode=parse_mode)
        self.watcher = FeedWatcher(
            settings,
            clock,
            db,
            self.fetcher,
            self.pool,
            hook,
            names=configured_names(settings),
            outlets=configured_outlets(settings),
        )
        # Returns the TopicService (or None); resolved lazily so the areas start independently.
        self.topics = topics

    def set_hook(self, hook: NewArticlesHook) -> None:
        """Install the NewArticlesHook (the alerts side's ``on_new_articles``)."""
        self.watcher.hook = hook

    async def start(self) -> None:
        await self.fetcher.start()

    async def close(self) -> None:
        await self.fetcher.close()
        self.pool.close()

    # --- polling -------------------------------------------------------------------------

    async def poll_due(self) -> PollSummary:
        return await self.watcher.poll_due()

    async def make_all_due(self) -> int:
        """Make every feed that is not disabled due now (ignores backoff; `feeds poll --all`)."""
        async with self.db.transaction() as tx:
            return await store.make_all_due(tx, self.clock.now())

    # --- subscriptions -------------------------------------------------------------------

    async def subscribe_defaults(self, guild_id: int, *, force: bool = False) -> int:
        """Subscribe a server to seeds/feeds.json once (a later removal is not undone).

        Returns how many subscriptions were added. Default feeds are trusted data: they are
        not fetched here; their first poll records a baseline.
        """
        if not force and await store.defaults_applied(self.db.reader, guild_id):
            return 0
        defaults = load_default_feeds(self.settings.seeds_dir)
        now = self.clock.now()
        added = 0
        async with self.db.transaction() as tx:
            for item in defaults:
                feed_id, _ = await store.ensure_feed(tx, item.url, now, title=item.title)
                added += await store.subscribe(tx, guild_id, feed_id, now)
            await store.mark_defaults_applied(tx, guild_id, now)
        log.info("event=default_feeds guild=%s added=%s", guild_id, added)
        return added

    async def add(self, url: str, guild_id: int, channel_id: int | None = None) -> FeedInfo:
        """Validate (fetch + parse, autodiscovery) and subscribe. UserFacingError if unusable.

        All or nothing: the subscription and the baseline (what the feed holds now, recorded
        without alerts) are written in one transaction, so a failure (disk full, killed)
        leaves no subscription behind.
        """
        resolved = await self._resolve(_user_url(url))
        await self._prepare([resolved])
        async with self.db.transaction() as tx:
            feed, new, baseline = await self._subscribe_in(tx, resolved, guild_id, channel_id)
        if baseline is not None:
            self.watcher.stored(feed, *baseline)
        log.info(
            "event=feed_added guild=%s feed=%s url=%s new=%s",
            guild_id,
            feed.id,
            redact_url(resolved.url),
            new,
        )
        for info in await self.list(guild_id):
            if info.id == feed.id:
                return info if new else info.model_copy(update={"already_subscribed": True})
        raise BeatwatchError(f"feed {feed.id} vanished while being added")  # pragma: no cover

    async def _prepare(self, resolved: builtins.list[_Resolved]) -> None:
        """The baselines' stories and facts: their CPU part before the write transaction."""
        entries = [e.article for r in resolved for e in r.parsed.entries]
        if self.watcher.prepare is not None and entries:
            await self.watcher.prepare(entries)

    async def _subscribe_in(
        self, tx: Any, resolved: _Resolved, guild_id: int, channel_id: int | None
    ) -> tuple[Any, bool, Any]:
        """Subscribe in ``tx`` and record the feed's baseline if due: (feed row, new
        subscription, the baseline stored, for ``watcher.stored`` once committed)."""
        now = self.clock.now()
        digest = body_hash(resolved.result.body)
        existing = await store.get_feed_by_url(tx, resolved.url)
        # A feed nobody followed (or a disabled one) was not polled for a while: what it
        # holds now is recorded as a fresh baseline, so re-adding it does not flood the
        # channel.
        stale = existing is None or existing.state == "disabled"
        if existing is not None and not stale:
            stale = not await store.subscribers(tx, existing.id)
        feed_id, _created = await store.ensure_feed(
            tx, resolved.url, now, title=resolved.parsed.title
        )
        new = await store.subscribe(tx, guild_id, feed_id, now, channel_id)
        if existing is not None and existing.state == "disabled":
            await store.set_state(
                tx, feed_id, old="disabled", new="healthy", reason="re-added", now=now
            )
            await store.reenable(tx, feed_id, now)
        feed = await store.get_feed(tx, feed_id)
        assert feed is not None
        baseline = None
        if stale or not feed.baseline_done:
            # Record what the feed holds now, without alerts (the same path as a poll).
            baseline = await self.watcher.store_parsed_in(
                tx, feed, resolved.result, resolved.parsed, digest, baseline=True
            )
        return feed, new, baseline

    # --- OPML ----------------------------------------------------------------------------

    async def import_opml(self, data: bytes, guild_id: int) -> builtins.list[opml.ImportResult]:
        """Subscribe to the feeds of an OPML file: each is fetched and checked first (as
        ``add``); then every usable one is subscribed in ONE transaction, so an import that
        fails part way leaves nothing behind. Per feed: added, already there, or refused (why).
        """
        listed = opml.parse(data)
        mine = {f.url for f in await store.list_subscriptions(self.db.reader, guild_id)}
        limit = asyncio.Semaphore(4)

        async def check(item: opml.OpmlFeed) -> _Resolved | str:
            url = _user_url(item.url)
            if url in mine:
                return "already"
            async with limit:
                try:
                    return await self._resolve(url)
                except UserFacingError as exc:
                    return str(exc)

        checked = await asyncio.gather(*(check(item) for item in listed))
        results: dict[str, opml.ImportResult] = {}
        usable: builtins.list[tuple[opml.OpmlFeed, _Resolved]] = []
        taken: set[str] = set(mine)
        for item, outcome in zip(listed, checked, strict=True):
            if outcome == "already":
                results[item.url] = opml.ImportResult(item.url, item.title, "already")
            elif isinstance(outcome, str):
                results[item.url] = opml.ImportResult(item.url, item.title, "refused", outcome)
            elif outcome.url in taken:
                results[item.url] = opml.ImportResult(item.url, item.title, "already")
            else:
                taken.add(outcome.url)
                usable.append((item, outcome))
        await self._prepare([r for _, r in usable])
        stored = []
        async with self.db.transaction() as tx:
            for item, resolved in usable:
                feed, new, baseline = await self._subscribe_in(tx, resolved, guild_id, None)
                stored.append((feed, baseline))
                title = item.title or resolved.parsed.title or resolved.url
                results[item.url] = opml.ImportResult(
                    resolved.url, title, "added" if new else "already"
                )
        for feed, baseline in stored:
            if baseline is not None:
                self.watcher.stored(feed, *baseline)
        out = [results[item.url] for item in listed]
        log.info(
            "event=opml_imported guild=%s added=%s already=%s refused=%s",
            guild_id,
            sum(r.outcome == "added" for r in out),
            sum(r.outcome == "already" for r in out),
            sum(r.outcome == "refused" for r in out),
        )
        return out

    async def export_opml(self, guild_id: int) -> tuple[bytes, int]:
        """The server's feed list as an OPML 2.0 file, and how many feeds it lists."""
        feeds = await self.list(guild_id)
        body = opml.serialise(
            (opml.OpmlFeed(f.url, f.title) for f in feeds),
            title="beatwatch feeds",
            now=self.clock.now(),
        )
        return body, len(feeds)

    async def remove(self, url_or_id: str, guild_id: int) -> FeedInfo:
        feed_id = await store.find_subscription(self.db.reader, guild_id, url_or_id)
        if feed_id is None:
            raise UserFacingError(f"no feed {url_or_id!r} in this server's list (see `feeds list`)")
        info = next(i for i in await self.list(guild_id) if i.id == feed_id)
        async with self.db.transaction() as tx:
            await store.unsubscribe(tx, guild_id, feed_id)
        log.info("event=feed_removed guild=%s feed=%s", guild_id, feed_id)
        return info

    # URLs are shown without credentials: new ones are refused, but a row from before may
    # still hold some.
    async def list(self, guild_id: int) -> builtins.list[FeedInfo]:
        return [
            _redacted(i, "url") for i in await store.list_subscriptions(self.db.reader, guild_id)
        ]

    async def status(self, guild_id: int | None = None) -> builtins.list[FeedStatus]:
        return [_redacted(s, "url") for s in await store.feed_statuses(self.db.reader, guild_id)]

    async def health_events_since(self, after_id: int = 0) -> builtins.list[FeedHealthEvent]:
        """Health transitions after ``after_id`` (one notice per transition, alerts side)."""
        return [
            _redacted(e, "feed_url")
            for e in await store.health_events_since(self.db.reader, after_id)
        ]

    async def subscribers(self, feed_id: int) -> builtins.list[tuple[int, int | None]]:
        return await store.subscribers(self.db.reader, feed_id)

    # --- validation and check ------------------------------------------------------------

    async def _fetch_parse(self, url: str) -> tuple[FetchResult, ParsedFeed]:
        result = await self.fetcher.fetch(url)
        parsed = await self.pool.parse(result.body, result.headers, url, self.clock.now())
        return result, parsed

    async def _resolve(self, url: str) -> _Resolved:
        """Fetch + parse ``url``; when it is a web page, follow its feed links."""
        try:
            result, parsed = await self._fetch_parse(url)
        except FetchError as exc:
            raise UserFacingError(f"could not fetch {redact_url(url)}: {exc}") from exc
        final = result.permanent_url or url
        if parsed.is_html:
            for link in parsed.feed_links[:MAX_DISCOVERY_TRIES]:
                try:
                    found, found_parsed = await self._fetch_parse(link)
                except FetchError as exc:
                    log.info(
                        "event=discovery_candidate_failed url=%s error=%s", redact_url(link), exc
                    )
                    continue
                if not_a_feed_reason(found_parsed) is None:
                    return _Resolved(found.permanent_url or link, found, found_parsed, url)
            if parsed.feed_links:
                raise UserFacingError(
                    f"{url} is a web page; none of its feed links worked: "
                    + ", ".join(parsed.feed_links[:MAX_DISCOVERY_TRIES])
                )
            raise UserFacingError(
                f"{url} is a web page without a feed link; give the RSS/Atom URL itself"
            )
        reason = not_a_feed_reason(parsed)
        if reason is not None:
            raise UserFacingError(f"{url}: {reason}")
        return _Resolved(final, result, parsed, None)

    async def check(self, url_or_file: str, guild_id: int = 0) -> FeedCheckReport:
        """Fetch (or read) one feed, parse, normalise, match topics; store nothing."""
        problems: list[str] = []
        status: int | None = None
        discovered: str | None = None
        local = await asyncio.to_thread(self._read_local, url_or_file)
        if local is not None:
            source, feed_url, body = local
            if len(body) > self.settings.max_body_bytes:
                problems.append(f"file larger than {self.settings.max_body_bytes:,} bytes")
                body = body[: self.settings.max_body_bytes]
            parsed = await self.pool.parse(body, {}, feed_url, self.clock.now())
        else:
            source = feed_url = _user_url(url_or_file)  # refused if it holds credentials
            try:
                result, parsed = await self._fetch_parse(feed_url)
                status = result.status
                if parsed.is_html and parsed.feed_links:
                    discovered = feed_url
                    feed_url = parsed.feed_links[0]
                    problems.append(f"web page, not a feed; using its feed link {feed_url}")
                    result, parsed = await self._fetch_parse(feed_url)
                    status = result.status
            except FetchError as exc:
                problems.append(f"fetch failed: {exc}")
                return FeedCheckReport(
                    source=redact_url(source),
                    feed_url=redact_url(feed_url),
                    http_status=exc.status,
                    discovered_from=discovered,
                    problems=problems,
                )
        problems.extend(parsed.problems())
        matcher = await self._matcher(guild_id)
        entries: builtins.list[FeedCheckEntry] = []
        for item in parsed.entries:
            art = item.article
            matches: builtins.list[dict[str, object]] = []
            if matcher is not None:
                try:
                    for m in matcher.match(art.title, art.summary, art.body):
                        matches.append(
                            m.model_dump(mode="json") if hasattr(m, "model_dump") else dict(vars(m))
                        )
                except Exception:  # boundary: a matcher bug must not hide the entries
                    log.exception("event=check_match_failed entry=%s", art.entry_key)
            entries.append(
                FeedCheckEntry(
                    entry_key=art.entry_key,
                    title=art.title,
                    url=art.url,
                    published=art.published,
                    date_missing=item.date_missing,
                    language=art.language,
                    summary=art.summary[:300],
                    matches=matches,
                )
            )
        return FeedCheckReport(
            source=source,
            feed_url=feed_url,
            title=parsed.title,
            http_status=status,
            discovered_from=discovered,
            entries=entries,
            problems=problems,
            matching=matcher is not None,
        )

    def _read_local(self, text: str) -> tuple[str, str, bytes] | None:
        if "://" in text:
            return None
        path = Path(text).expanduser()
        if not path.is_file():
            return None
        with path.open("rb") as handle:
            body = handle.read(self.settings.max_body_bytes + 1)
        return str(path), path.resolve().as_uri(), body

    async def _matcher(self, guild_id: int) -> Any:
        topics = self.topics() if self.topics is not None else None
        if topics is None or not hasattr(topics, "matcher_for"):
            return None
        try:
            return await topics.matcher_for(guild_id)
        except Exception:  # boundary: `feeds check` still shows entries without matches
            log.exception("event=matcher_unavailable guild=%s", guild_id)
            return None
