"""Store-time benchmark: one feed brings 100 / 1,000 / 10,000 new entries at once.

Each size gets a fresh database and the real pipeline the bot wires (the watcher's
``store_parsed`` with AlertIntake: facts, stories, alerts; topics from the shipped seeds),
on a feed that has been polled before (so alerts are possible, not a baseline). Reported: the
seconds to store, per entry, and the longest write transaction (the time every other
writer would wait).

    .venv/bin/python bench/store.py [--sizes 100,1000,10000]

Entries are real news records from ../shared/corpus/articles/dev_pool.jsonl when present
(each reused with its own key), otherwise generated. Prints a table; the last line is one
JSON object with the figures. A first run of 20 entries warms the process up (models,
compiled patterns) and is not reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POOL = ROOT.parent / "shared" / "corpus" / "articles" / "dev_pool.jsonl"


def records(limit: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if POOL.is_file():
        with POOL.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                title = (rec.get("title") or "").strip()
                if title:
                    out.append((title, (rec.get("text") or "").strip()[:3000]))
                if len(out) >= limit:
                    break
    if not out:
        out = [(f"Talks on guarantees resume {i}", "Officials met in Geneva.") for i in range(50)]
    return out


def parsed_feed(count: int, now: datetime, items: list[tuple[str, str]]) -> Any:
    from bot.feeds.normalize import NormalizedEntry
    from bot.feeds.parser import ParsedFeed
    from bot.models import Article

    entries = []
    for n in range(count):
        title, text = items[n % len(items)]
        when = now - timedelta(seconds=20 * (count - n))
        entries.append(
            NormalizedEntry(
                article=Article(
                    entry_key=f"store:{count}:{n}",
                    url=f"https://store.example/{count}/{n}",
                    title=title if n < len(items) else f"{title} ({n // len(items)})",
                    body=text,
                    publisher="Store Wire",
                    published=when,
                    first_seen=now,
                ),
                date_missing=False,
            )
        )
    return ParsedFeed(title="Store Wire", version="rss20", entries=entries)


async def one_size(count: int, tmp: Path, items: list[tuple[str, str]]) -> dict[str, Any]:
    from bot.alerts.intake import AlertIntake
    from bot.clock import FixedClock
    from bot.facts.batch import FactBatch
    from bot.facts.ingest import ingest_article
    from bot.feeds.fetcher import FetchResult
    from bot.feeds.service import FeedService
    from bot.models import CONSOLE_GUILD_ID
    from bot.settings import Settings
    from bot.storage import feeds as store
    from bot.storage import guilds
    from bot.storage.database import Database
    from bot.stories.service import StoryService
    from bot.topics.service import TopicService

    path = tmp / f"store-{count}.sqlite3"
    settings = Settings(_env_file=None, database_path=path)  # type: ignore[call-arg]
    clock = FixedClock(datetime(2026, 2, 1, 9, 0, tzinfo=UTC))
    async with Database.open(path) as db:
        service = FeedService(settings, clock, db)
        stories = StoryService(db, clock, settings)
        topics = TopicService(db, clock)
        await topics.load_seeds(settings.seeds_dir / "topics.json")
        intake = AlertIntake(
            clock=clock,
            stories=stories,
            topics=topics,
            ingest_facts=ingest_article,
            facts=FactBatch(clock, run=service.pool.run),
        )
        service.set_hook(intake.on_new_articles)
        service.watcher.prepare = intake.prepare
        stories.run = service.pool.run
        longest = 0.0
        transactions = 0
        real = db.transaction

        @asynccontextmanager
        async def timed() -> AsyncIterator[Any]:
            nonlocal longest, transactions
            async with real() as tx:
                started = time.perf_counter()
                try:
                    yield tx
                finally:
                    longest = max(longest, time.perf_counter() - started)
                    transactions += 1

        async with db.transaction() as tx:
            await guilds.ensure_guild(tx, CONSOLE_GUILD_ID, clock, name="console")
            feed_id, _ = await store.ensure_feed(tx, "https://store.example/feed", clock.now())
            await store.subscribe(tx, CONSOLE_GUILD_ID, feed_id, clock.now())
            await tx.execute("UPDATE feeds SET baseline_done = 1 WHERE id = ?", (feed_id,))
        feed = await store.get_feed(db.reader, feed_id)
        assert feed is not None
        await stories.ensure_loaded()
        db.transaction = timed  # type: ignore[method-assign]
        parsed = parsed_feed(count, clock.now(), items)
        result = FetchResult(url=feed.url, final_url=feed.url, status=200, body=b"x")
        started = time.perf_counter()
        outcome = await service.watcher.store_parsed(feed, result, parsed, f"digest-{count}")
        seconds = time.perf_counter() - started
        db.transaction = real  # type: ignore[method-assign]
        facts = int(await db.fetchval("SELECT count(*) FROM facts"))
        grouped = int(await db.fetchval("SELECT count(*) FROM story_articles"))
        alerts = int(await db.fetchval("SELECT count(*) FROM outbox"))
        await service.close()
    path.unlink(missing_ok=True)
    return {
        "entries": count,
        "stored": outcome.new,
        "seconds": round(seconds, 2),
        "ms_per_entry": round(seconds * 1000 / count, 2),
        "longest_tx_s": round(longest, 3),
        "transactions": transactions,
        "with_facts_and_story": grouped,
        "facts": facts,
        "alerts_queued": alerts,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.ERROR)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    items = records(max(sizes))
    tmp = Path(tempfile.mkdtemp(prefix="beatwatch-store-"))
    asyncio.run(one_size(20, tmp, items))  # warm-up (model, regexes), not reported
    rows = [asyncio.run(one_size(n, tmp, items)) for n in sizes]
    print(f"store benchmark: one feed, N new entries at once, cores={os.cpu_count()}")
    header = (
        f"{'entries':>8}{'seconds':>10}{'ms/entry':>10}{'longest tx s':>14}{'txs':>6}"
        f"{'full path':>11}{'alerts':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['entries']:>8}{r['seconds']:>10.2f}{r['ms_per_entry']:>10.2f}"
            f"{r['longest_tx_s']:>14.3f}{r['transactions']:>6}{r['with_facts_and_story']:>11}"
            f"{r['alerts_queued']:>8}"
        )
    print(json.dumps({"bench": "store", "results": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
