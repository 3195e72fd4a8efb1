"""StoryService: assigns each stored article to a story, durably, with an in-memory index.

The index (:class:`bot.stories.grouper.StoryIndex`) holds the articles of the last
``settings.story_window_hours`` so that assigning one article costs a few milliseconds.
It is built only by what assigns stories: ``assign`` (and the feed watcher, before it opens
its write transaction, through :meth:`StoryService.ensure_loaded`) loads it on first use;
read-only commands (``ask``, ``feeds status``, ...) never pay for it. ``load()`` rebuilds it
from the database, headline meaning vectors computed in batches.

**Transactions and rollback.** ``assign`` runs inside the caller's write transaction, and the
index is updated at once (so two articles of one story arriving in the same feed poll, in the
same transaction, group together). Index entries are keyed by article id and every entry not
yet known to be committed is kept in ``_pending``. The one query each ``assign`` starts with
(on the write transaction: is this article already in a story?) also asks which pending
entries are still there: those that are not belong to a transaction that rolled back, and are
removed from the index (a story they created disappears with them) before anything is matched.
Once ``CONFIRM_AT`` entries are pending, those visible on the read connection (committed) stop
being tracked. So a rollback can leave the index stale only until the next call, never wrong
for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

import aiosqlite

from bot.clock import Clock
from bot.models import Article, StoryRef
from bot.settings import Settings
from bot.storage import stories as store
from bot.storage.articles import content_hash
from bot.storage.database import Database
from bot.stories.features import Features, extract
from bot.stories.grouper import Doc, StoryIndex, epoch, headline_vectors

log = logging.getLogger(__name__)

EVICT_EVERY = 500
CONFIRM_AT = 200  # pending entries before committed ones are confirmed on the read connection
LOAD_BATCH = 256  # headlines embedded at once while loading (and rows between yields)
MAX_READY = 20_000  # prepared articles kept for a transaction that has not come (yet)


def article_features(items: Sequence[tuple[str, str]]) -> list[tuple[Features, bytes | None]]:
    """(features, headline meaning vector) of each ``(title, text)``: what :meth:`StoryService.assign`
    computes, in one embedding call. Pure: runs in a worker process."""
    feats = [extract(title, text) for title, text in items]
    found = iter(headline_vectors([f.headline for f in feats if f.headline]))
    return [(f, next(found) if f.headline else None) for f in feats]


class StoryService:
    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self.db = db
        self.clock = clock
        self.window = timedelta(hours=settings.story_window_hours)
        self.index = StoryIndex(self.window.total_seconds())
        self._pending: dict[int, int] = {}  # article id -> story id, commit not yet seen
        self._since_evict = 0
        self._loaded = False
        self._load_lock = asyncio.Lock()
        # prepare(): entry key -> ((title, text), features, headline vector)
        self._ready: dict[str, tuple[tuple[str, str], Features, bytes | None]] = {}
        self.run: Callable[..., Awaitable[Any]] = asyncio.to_thread

    # --- start-up ---
    @property
    def loaded(self) -> bool:
        return self._loaded

    async def ensure_loaded(self) -> None:
        """Load the index unless it is loaded (once, however many callers wait for it)."""
        if self._loaded:
            return
        async with self._load_lock:
            if not self._loaded:
                await self.load()

    async def load(self) -> int:
        """Rebuild the index from stored stories within the window; returns articles indexed.

        The new index replaces the old one when complete; the event loop gets a turn every
        ``LOAD_BATCH`` articles (the bot keeps its heartbeats while a large window loads)."""
        index = StoryIndex(self.window.total_seconds(), self.index.background)
        since = self.clock.now() - self.window
        # Document frequencies first (idf over the whole window), then the vectors; in between
        # keep each article's features and identity, never its text.
        pending: list[tuple[int, int, float, str, str | None, str, Features]] = []
        async for row in store.iter_grouped_articles(self.db.reader, since):
            feats = extract(row.title, row.text)
            index.count(feats.terms)
            pending.append(
                (
                    row.story_id,
                    row.article_id,
                    epoch(row.published),
                    row.publisher,
                    row.url or None,
                    row.content_hash,
                    feats,
                )
            )
            if len(pending) % LOAD_BATCH == 0:
                await asyncio.sleep(0)
        for start in range(0, len(pending), LOAD_BATCH):
            batch = pending[start : start + LOAD_BATCH]
            # One embedding call per batch (make_doc would embed each headline on its own).
            found = iter(headline_vectors([p[6].headline for p in batch if p[6].headline]))
            vectors = [next(found) if p[6].headline else None for p in batch]
            for (story_id, article_id, published, publisher, url, digest, feats), vector in zip(
                batch, vectors, strict=True
            ):
                doc = index.make_doc(
                    article_id,
                    feats,
                    published,
                    publisher,
                    url=url,
                    content_hash=digest,
                    vector=vector,
                )
                index.add(doc, story_id, counted=True)
            await asyncio.sleep(0)
        self.index = index
        self._pending.clear()
        self._loaded = True
        log.info("event=stories_loaded articles=%s stories=%s", len(pending), len(index.stories))
        return len(pending)

    async def prepare(self, articles: Sequence[Article]) -> None:
        """Before the write transaction that assigns ``articles``: their features and headline
        vectors, computed off the event loop (``run``: the parse workers), kept for
        :meth:`assign` (which computes them itself for an article not prepared)."""
        todo = [a for a in articles if a.entry_key not in self._ready]
        if not todo:
            return
        done = await self.run(article_features, [(a.title, a.text) for a in todo])
        if len(self._ready) + len(todo) > MAX_READY:
            self._ready.clear()  # left by transactions that rolled back
        for article, (feats, vector) in zip(todo, done, strict=True):
            self._ready[article.entry_key] = ((article.title, article.text), feats, vector)

    # --- writes ---
    async def assign(self, tx: aiosqlite.Connection, article: Article) -> StoryRef:
        """Put a stored article (``article.id`` set) in its story, creating one if needed.

        Call inside the caller's ``db.transaction()``. Idempotent per article id: a second
        call returns the same story (``is_new`` is True on every call for the article that
        created it).
        """
        if article.id is None:
            raise ValueError("assign() needs a stored article (id set)")
        await self.ensure_loaded()
        # One query: this article's story if it has one, and which pending index entries a
        # rolled-back transaction left behind (absent even on the writer).
        known = await store.assignments(tx, [*self._pending, article.id])
        self._drop_rolled_back(known)
        existing = known.get(article.id)
        if existing is not None:
            story_id, seq = existing
            ref = await store.get_story(tx, story_id, is_new=seq == 1)
            assert ref is not None
            return ref
        now = self.clock.now()
        kept = self._ready.pop(article.entry_key, None)
        if kept is not None and kept[0] == (article.title, article.text):
            doc = self._doc(article, kept[1], kept[2])
        else:
            doc = self._doc(article, extract(article.title, article.text))
        found = self.index.match(doc)
        if found is None:
            story_id = await store.create_story(tx, article, now)
            is_new = True
            log.debug("event=story_new story=%s article=%s", story_id, article.id)
        else:
            story_id = cast(int, found.story)
            await store.add_to_story(tx, story_id, article, found.via, found.score, now)
            is_new = False
            log.debug(
                "event=story_join story=%s article=%s via=%s score=%.3f",
                story_id,
                article.id,
                found.via,
                found.score,
            )
        self.index.add(doc, story_id)
        self._pending[article.id] = story_id
        if len(self._pending) >= CONFIRM_AT:
            await self.reconcile(tx)  # settle what has been committed meanwhile
        self._maybe_evict(now)
        ref = await store.get_story(tx, story_id, is_new=is_new)
        assert ref is not None
        return ref

    async def reconcile(self, tx: aiosqlite.Connection | None = None) -> int:
        """Settle pending index entries (see the module docstring); returns entries dropped.

        ``tx`` is the current write transaction; without it only committed entries are settled.
        """
        if not self._pending:
            return 0
        ids = list(self._pending)
        committed = await store.present_articles(self.db.reader, ids)
        for article_id in committed:
            del self._pending[article_id]
        unsure = [i for i in ids if i not in committed]
        if not unsure or tx is None:
            return 0  # without the writer's view, an open transaction is not a rolled-back one
        return self._drop_rolled_back(await store.assignments(tx, unsure), unsure)

    def _drop_rolled_back(
        self, on_writer: dict[int, tuple[int, int]], ids: list[int] | None = None
    ) -> int:
        """Pending entries not visible on the writer were rolled back: forget them."""
        gone = [i for i in (ids if ids is not None else list(self._pending)) if i not in on_writer]
        for article_id in gone:
            del self._pending[article_id]
            self.index.remove(article_id)
        if gone:
            log.info("event=stories_rollback_dropped articles=%s", len(gone))
        return len(gone)

    # --- reads ---
    async def get(self, story_id: int) -> StoryRef | None:
        return await store.get_story(self.db.reader, story_id)

    async def stories_since(self, since: datetime) -> list[StoryRef]:
        """Stories that started or gained an article at or after ``since``, oldest first."""
        return await store.stories_since(self.db.reader, since)

    async def articles_of(self, story_id: int) -> list[Article]:
        """The story's articles in the order they joined it."""
        return await store.articles_of(self.db.reader, story_id)

    # --- internals ---
    def _doc(self, article: Article, feats: Features, vector: bytes | None = None) -> Doc:
        assert article.id is not None
        return self.index.make_doc(
            article.id,
            feats,
            epoch(article.published),
            article.publisher,
            url=article.url or None,
            content_hash=content_hash(article.title, article.text),
            vector=vector,
        )

    def _maybe_evict(self, now: datetime) -> None:
        self._since_evict += 1
        if self._since_evict < EVICT_EVERY:
            return
        self._since_evict = 0
        evicted = self.index.evict_before(epoch(now - self.window), keep=set(self._pending))
        if evicted:
            log.debug("event=stories_evicted articles=%s", evicted)
