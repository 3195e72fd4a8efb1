"""Alerts pipeline figures: the NewArticlesHook per article, and outbox delivery throughput.

Uses the real services (facts ingest, StoryService, TopicService with the shipped topics) on a
temporary SQLite file. Articles: every entry of ../shared/corpus/feeds (real feed captures),
repeated with new keys until --articles, each batch stored and handed to the hook the way the
feed watcher does (one transaction per batch); --guilds servers subscribe to the feed. Then
delivery passes to a recording transport until the outbox is empty. Besides the shipped topics
each server tracks a broad "Politics" topic (president / government / minister) so that many
articles alert and bursts are combined. Prints a table, then one
JSON line with the figures (the last line).

    .venv/bin/python bench/alerts.py [--articles 2000] [--guilds 10] [--batch 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.alerts.transport import RecordingTransport  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.feeds.parser import parse_feed  # noqa: E402
from bot.models import Article, FeedRef  # noqa: E402
from bot.services import open_services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.storage import guilds  # noqa: E402
from bot.storage.articles import insert_article  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "feeds"
START = datetime(2026, 2, 1, 6, 0, tzinfo=UTC)


def corpus_articles() -> list[Article]:
    found: list[Article] = []
    if CORPUS.exists():
        for path in sorted(CORPUS.iterdir()):
            parsed = parse_feed(path.read_bytes(), {}, f"https://bench.example/{path.name}", START)
            found += [e.article for e in parsed.entries]
    if not found:
        found = [
            Article(
                entry_key=f"synthetic:{i}",
                url=f"https://bench.example/{i}",
                title=f"Shelling in Donetsk region, report {i}",
                summary="Officials said the strikes hit Kramatorsk and Sloviansk overnight.",
                publisher="Bench",
                published=START,
                first_seen=START,
            )
            for i in range(200)
        ]
    return found


async def run(n_articles: int, n_guilds: int, batch: int) -> dict[str, object]:
    base = corpus_articles()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, database_path=Path(tmp) / "bench.sqlite3")  # type: ignore[call-arg]
        clock = FixedClock(START)
        async with open_services(settings, clock) as services:
            assert services.intake is not None
            async with services.db.transaction() as tx:
                cur = await tx.execute(
                    "INSERT INTO feeds (url, title, next_check_at, created_at) VALUES (?, 'bench', ?, ?)",
                    ("https://bench.example/feed", "2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z"),
                )
                feed_id = int(cur.lastrowid or 0)
                for g in range(1, n_guilds + 1):
                    await guilds.ensure_guild(tx, g, clock)
                    await guilds.update_guild(tx, g, alert_channel_id=1000 + g)
                    await tx.execute(
                        "INSERT INTO guild_feeds (guild_id, feed_id, added_at) VALUES (?, ?, ?)",
                        (g, feed_id, "2026-02-01T00:00:00Z"),
                    )
            for g in range(1, n_guilds + 1):
                # a broad beat of each server's own, so that many articles alert (and burst)
                await services.topics.add(g, "Politics", ["president", "government", "minister"])
            feed = FeedRef(id=feed_id, url="https://bench.example/feed", title="bench")
            per_batch: list[float] = []
            deliver_s = 0.0
            passes = 0
            transport = RecordingTransport()
            made = 0
            while made < n_articles:
                chunk = []
                for i in range(min(batch, n_articles - made)):
                    src = base[(made + i) % len(base)]
                    when = clock.now()
                    chunk.append(
                        src.model_copy(
                            update={
                                "entry_key": f"{src.entry_key}#{made + i}",
                                "published": when,
                                "first_seen": when,
                            }
                        )
                    )
                t0 = time.perf_counter()
                async with services.db.transaction() as tx:
                    stored = []
                    for art in chunk:
                        art_id, created = await insert_article(tx, art)
                        if created:
                            stored.append(art.model_copy(update={"id": art_id}))
                    await services.intake.on_new_articles(tx, feed, stored, False)
                per_batch.append((time.perf_counter() - t0) / max(1, len(chunk)))
                made += len(chunk)
                # a batch every 30 s, a delivery pass every 10 s (as the scheduler would)
                for _ in range(3):
                    clock.advance(timedelta(seconds=10))
                    t0 = time.perf_counter()
                    report = await services.alerts.deliver(transport)
                    deliver_s += time.perf_counter() - t0
                    passes += 1
            while (await services.alerts.counts()).get("pending", 0) and passes < 10_000:
                clock.advance(timedelta(minutes=1))
                t0 = time.perf_counter()
                report = await services.alerts.deliver(transport)
                deliver_s += time.perf_counter() - t0
                passes += 1
            counts = await services.alerts.counts()
            alerts = await services.db.fetchval("SELECT count(*) FROM alerts")
            sent = len(transport.posted)
            return {
                "articles": made,
                "corpus_entries": len(base),
                "guilds": n_guilds + 1,
                "alerts": int(alerts or 0),
                "outbox_rows": sum(counts.values()),
                "hook_ms_per_article_median": round(statistics.median(per_batch) * 1000, 3),
                "hook_ms_per_article_p95": round(
                    sorted(per_batch)[int(0.95 * (len(per_batch) - 1))] * 1000, 3
                ),
                "messages_posted": sent,
                "edits": sum(len(p.edits) for p in transport.posted),
                "delivery_passes": passes,
                "delivery_seconds": round(deliver_s, 3),
                "combined_messages": len(transport.messages("combined")),
                "single_alerts": len(transport.messages("alert")),
                "delivery_ms_per_pass": round(deliver_s / max(1, passes) * 1000, 3),
                "outbox_by_status": counts,
                "last_pass": report.model_dump(),
                "python": platform.python_version(),
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--guilds", type=int, default=10)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args()
    figures = asyncio.run(run(args.articles, args.guilds, args.batch))
    rows = [
        ("articles through the hook", figures["articles"]),
        ("servers (incl. console)", figures["guilds"]),
        ("alerts created", figures["alerts"]),
        ("hook ms/article (median)", figures["hook_ms_per_article_median"]),
        ("hook ms/article (p95)", figures["hook_ms_per_article_p95"]),
        ("messages posted", figures["messages_posted"]),
        ("edits", figures["edits"]),
        ("  of which combined", figures["combined_messages"]),
        ("  of which single alerts", figures["single_alerts"]),
        ("delivery passes", figures["delivery_passes"]),
        ("delivery seconds (all passes)", figures["delivery_seconds"]),
        ("delivery ms/pass", figures["delivery_ms_per_pass"]),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        sys.stdout.write(f"{name:<{width}}  {value}\n")
    sys.stdout.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
