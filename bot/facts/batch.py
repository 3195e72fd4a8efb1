"""Facts for a batch of new articles (one feed's poll): the same rows as
:func:`bot.facts.ingest.ingest_article`, article by article, with

- the CPU part (:func:`bot.facts.ingest.fact_rows`: analysis and sentence vectors) done
  *before* the write transaction, by :meth:`FactBatch.prepare`, off the event loop (in the
  parse worker processes when a runner is given): other writers do not wait for it;
- one statement per kind inside the transaction (:meth:`FactBatch.ingest`): which articles
  already have facts, the fact rows, their analysis versions.

An article :meth:`~FactBatch.prepare` did not see (or saw with another text) is analysed in
:meth:`~FactBatch.ingest`, as before.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import Clock
from bot.facts.ingest import ANALYSIS_VERSION, fact_rows
from bot.models import Article
from bot.storage import facts as store

log = logging.getLogger(__name__)

Row = tuple[object, ...]
Runner = Callable[..., Awaitable[Any]]  # run(fn, *args): fn(*args) off the event loop

MAX_PREPARED = 20_000  # prepared articles kept for a transaction that has not come (yet)


def analyse_many(articles: Sequence[Article], added_at: datetime) -> list[list[Row]]:
    """Fact rows (article id 0, replaced when stored) for each article. Pure: runs in a
    worker process."""
    return [fact_rows(0, article, added_at) for article in articles]


def _same(article: Article) -> tuple[str, str, datetime]:
    return (article.title, article.text, article.published)


class FactBatch:
    def __init__(self, clock: Clock, run: Runner | None = None) -> None:
        self._clock = clock
        self._run: Runner = run or asyncio.to_thread
        self._prepared: dict[str, tuple[tuple[str, str, datetime], list[Row]]] = {}

    async def prepare(self, articles: Sequence[Article]) -> None:
        """Analyse ``articles`` (new entries, not stored yet) ahead of their transaction."""
        todo = [a for a in articles if a.entry_key not in self._prepared]
        if not todo:
            return
        rows = await self._run(analyse_many, todo, self._clock.now())
        if len(self._prepared) + len(todo) > MAX_PREPARED:
            self._prepared.clear()  # left by transactions that rolled back
        for article, article_rows in zip(todo, rows, strict=True):
            self._prepared[article.entry_key] = (_same(article), article_rows)

    def forget(self, articles: Sequence[Article]) -> None:
        """Drop what :meth:`prepare` kept for ``articles`` (their transaction failed)."""
        for article in articles:
            self._prepared.pop(article.entry_key, None)

    async def ingest(self, tx: aiosqlite.Connection, articles: Sequence[Article]) -> int:
        """Store the facts of stored articles (``id`` set) that have none, inside the caller's
        transaction. Returns how many facts were added."""
        ids = [a.id for a in articles if a.id is not None]
        have = await store.articles_with_facts(tx, ids)
        todo: dict[int, Article] = {}
        for article in articles:
            assert article.id is not None
            if article.id not in have:
                todo.setdefault(article.id, article)
        ready: dict[int, list[Row]] = {}
        missing: list[Article] = []
        for article_id, article in todo.items():
            kept = self._prepared.pop(article.entry_key, None)
            if kept is not None and kept[0] == _same(article):
                ready[article_id] = kept[1]
            else:
                missing.append(article)
        if missing:
            rows = await asyncio.to_thread(analyse_many, missing, self._clock.now())
            for article, article_rows in zip(missing, rows, strict=True):
                assert article.id is not None
                ready[article.id] = article_rows
        batch = [(article_id, *row[1:]) for article_id in todo for row in ready[article_id]]
        if batch:
            await store.insert_facts(tx, batch)
        if todo:
            await store.set_analysis_versions(tx, list(todo), ANALYSIS_VERSION)
        log.debug("event=facts_ingested articles=%s facts=%s", len(todo), len(batch))
        return len(batch)
