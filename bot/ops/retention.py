"""Retention: prune old articles and delivered outbox rows, keeping what is still cited.

The scheduler's retention job calls :func:`prune_old` (daily is plenty); ``beatwatch prune``
runs it by hand. What "cited" means is documented on :func:`bot.storage.ops.prune`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.clock import Clock
from bot.ops import counters
from bot.settings import Settings
from bot.storage import ops as ops_store
from bot.storage.database import Database
from bot.storage.ops import PruneCounts

log = logging.getLogger(__name__)


async def prune_old(
    db: Database,
    clock: Clock,
    retention_days: int,
    outbox_retention_days: int,
    dry_run: bool = False,
) -> PruneCounts:
    """Delete articles older than ``retention_days`` that nothing cites, and delivered outbox
    rows older than ``outbox_retention_days``. One transaction; ``dry_run`` rolls it back."""
    now = clock.now()
    article_cutoff = now - timedelta(days=retention_days)
    outbox_cutoff = now - timedelta(days=outbox_retention_days)
    try:
        async with db.transaction() as tx:
            counts = await ops_store.prune(tx, article_cutoff, outbox_cutoff)
            if dry_run:
                raise _DryRun(counts)
            await ops_store.record_retention_run(tx, now, counts)
    except _DryRun as dry:
        return dry.counts
    counters.RETENTION_DELETED.inc(counts.articles_deleted, table="articles")
    counters.RETENTION_DELETED.inc(counts.outbox_deleted, table="outbox")
    counters.RETENTION_DELETED.inc(counts.alerts_deleted, table="alerts")
    log.info(
        "event=retention_done articles_deleted=%s articles_kept=%s outbox_deleted=%s "
        "alerts_deleted=%s stories_deleted=%s",
        counts.articles_deleted,
        counts.articles_kept,
        counts.outbox_deleted,
        counts.alerts_deleted,
        counts.stories_deleted,
    )
    return counts


class _DryRun(Exception):
    def __init__(self, counts: PruneCounts) -> None:
        super().__init__("dry run")
        self.counts = counts


def retention_hook(
    db: Database, clock: Clock, settings: Settings
) -> Callable[[], Awaitable[PruneCounts]]:
    """The scheduler's ``prune`` hook: ``build_scheduler(..., prune=retention_hook(db, clock, settings))``."""

    async def run() -> PruneCounts:
        return await prune_old(db, clock, settings.retention_days, settings.outbox_retention_days)

    return run
