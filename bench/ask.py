"""Benchmark: ``ask`` vs a bare FTS5 OR-query over fact stores of 10k, 100k and 1M facts.

Facts come from real sentences (../shared/corpus/feeds, read with feedparser, plus the seeds),
recombined into synthetic articles (sentence splices, perturbed numbers) so that every fact is
new text; the five seeds are in every store so reporters' questions have answers. Articles go
through the real ingest code (``analyse_article`` -> ``fact_rows`` -> ``insert_facts``, the same
tables and FTS trigger), analysed in a process pool and inserted in big transactions. Stores are
built incrementally (10k -> 100k -> 1M) and cached under the temp dir.

    .venv/bin/python bench/ask.py                 # 10k, 100k, 1M
    .venv/bin/python bench/ask.py --sizes 10000,100000

Prints a table, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import hashlib
import html
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.clock import FixedClock  # noqa: E402
from bot.facts.ingest import ANALYSIS_VERSION, fact_rows, ingest_article  # noqa: E402
from bot.facts.question import analyse_question  # noqa: E402
from bot.facts.sentences import split_article  # noqa: E402
from bot.facts.service import FactService  # noqa: E402
from bot.models import Article  # noqa: E402
from bot.seeds import load_seed_articles  # noqa: E402
from bot.storage import facts as fact_store  # noqa: E402
from bot.storage.articles import insert_article  # noqa: E402
from bot.storage.database import Database  # noqa: E402

FEEDS = ROOT.parent / "shared" / "corpus" / "feeds"
SEEDS = ROOT / "seeds"
SENTENCES_PER_ARTICLE = 30
ARTICLES_PER_TX = 300
GENERATOR_VERSION = "1"
REPORTER_QUESTIONS = [
    "What percentage of Donetsk does Russia control?",
    "Where were the first trilateral talks held?",
    "When do negotiators return to the UAE?",
    "Who denied the FT report?",
    "How much is the prosperity plan worth?",
    "What did Witkoff say?",
    "Is NATO membership on the table?",
    "Why is Donbas important?",
    "What is the fortress belt?",
    "How did Zelensky describe ceding territory?",
    "Who won the 2018 World Cup?",
    "What did the government say about the new law?",
]
_TAG = re.compile(r"<[^>]+>")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\b")


# --- corpus -------------------------------------------------------------------------------------
def corpus_sentences() -> tuple[list[str], str]:
    sentences: list[str] = []
    source = "generated"
    files = sorted(glob.glob(str(FEEDS / "*")))
    if files:
        import feedparser

        for path in files:
            parsed = feedparser.parse(path)
            for entry in parsed.entries:
                parts = [entry.get("title", ""), entry.get("summary", "")]
                parts += [c.get("value", "") for c in entry.get("content", [])]
                text = "\n".join(html.unescape(_TAG.sub(" ", p)) for p in parts if p)
                for unit in split_article("", text):
                    if unit.kind == "sentence" and 6 <= len(unit.text.split()) <= 60:
                        sentences.append(unit.text)
        source = f"{len(files)} feed captures"
    for article in load_seed_articles(SEEDS):
        sentences += [u.text for u in split_article("", article.text) if u.kind == "sentence"]
    if len(sentences) < 500:  # no shared corpus: a small generated grammar
        rng = random.Random(7)
        subjects = [
            "The minister",
            "Officials in Kyiv",
            "The Kremlin",
            "European leaders",
            "Analysts",
            "The central bank",
            "Protesters",
            "The mayor",
            "Rescue teams",
        ]
        verbs = ["said", "warned", "announced", "denied", "confirmed", "reported"]
        objects = [
            "new sanctions",
            "a ceasefire proposal",
            "rising prices",
            "a drone attack",
            "the budget",
            "power outages",
            "talks in Geneva",
            "a prisoner exchange",
        ]
        for _ in range(5000):
            sentences.append(
                f"{rng.choice(subjects)} {rng.choice(verbs)} on {rng.choice(['Monday', 'Friday'])} "
                f"that {rng.choice(objects)} would affect {rng.randint(2, 900)} people."
            )
    return list(dict.fromkeys(sentences)), source


def _splice(a: str, b: str, rng: random.Random) -> str:
    wa, wb = a.split(), b.split()
    cut_a = rng.randint(max(2, len(wa) // 3), max(3, len(wa) - 1))
    cut_b = rng.randint(1, max(1, len(wb) // 2))
    return " ".join(wa[:cut_a] + wb[cut_b:])


def _perturb(s: str, rng: random.Random) -> str:
    return _NUMBER.sub(lambda m: str(rng.randint(2, 990)) if rng.random() < 0.5 else m.group(0), s)


def make_articles(sentences: list[str], start: int, count: int) -> list[Article]:
    rng = random.Random(start)
    base = datetime(2025, 1, 1, 12, tzinfo=UTC)
    out = []
    for i in range(start, start + count):
        body = []
        for _ in range(SENTENCES_PER_ARTICLE):
            s = rng.choice(sentences)
            if rng.random() < 0.7:
                s = _splice(s, rng.choice(sentences), rng)
            s = _perturb(s, rng).rstrip(".") + "."
            body.append(s[0].upper() + s[1:])
        published = base + timedelta(minutes=17 * i)
        out.append(
            Article(
                entry_key=f"bench:{i}",
                url=f"https://bench.example/{i}",
                title=" ".join(rng.choice(sentences).split()[:9]),
                body=" ".join(body),
                publisher=rng.choice(["Bench Wire", "Example Post", "Sample Times"]),
                published=published,
                first_seen=published,
                source="feed",
            )
        )
    return out


def _analyse(batch: list[Article]) -> list[list[tuple[object, ...]]]:
    added = datetime(2026, 2, 1, tzinfo=UTC)
    return [fact_rows(0, article, added) for article in batch]


# --- building -----------------------------------------------------------------------------------
def _version() -> str:
    h = hashlib.sha256(f"{GENERATOR_VERSION}/{ANALYSIS_VERSION}".encode())
    for rel in (
        "bot/storage/migrations/0002_facts.sql",
        "bot/facts/terms.py",
        "bot/facts/gazetteer.json",
        "bot/facts/sentences.py",
    ):
        h.update((ROOT / rel).read_bytes())
    return h.hexdigest()[:10]


async def extend_store(
    path: Path, target: int, sentences: list[str], pool: ProcessPoolExecutor
) -> tuple[int, float]:
    """Add synthetic articles until the store holds ``target`` facts. Returns (added, seconds)."""
    clock = FixedClock(datetime(2026, 2, 1, tzinfo=UTC))
    added = 0
    started = time.perf_counter()
    async with Database.open(path) as db:
        await db.fetchval("PRAGMA journal_size_limit = 67108864")
        await FactService(db, clock).ingest_seeds(SEEDS)
        have = int(await db.fetchval("SELECT count(*) FROM facts"))
        next_index = int(await db.fetchval("SELECT count(*) FROM articles"))
        loop = asyncio.get_running_loop()
        chunk = 100
        while have < target:
            need = max(1, (target - have) // (SENTENCES_PER_ARTICLE + 1) + 1)
            count = min(ARTICLES_PER_TX, need)
            articles = make_articles(sentences, next_index, count)
            parts = [articles[i : i + chunk] for i in range(0, len(articles), chunk)]
            analysed = await asyncio.gather(
                *(loop.run_in_executor(pool, _analyse, part) for part in parts)
            )
            rows_per_article = [rows for part in analysed for rows in part]
            async with db.transaction() as tx:
                batch: list[tuple[object, ...]] = []
                for article, rows in zip(articles, rows_per_article, strict=True):
                    article_id, _ = await insert_article(tx, article)
                    batch.extend((article_id, *row[1:]) for row in rows)
                    await fact_store.set_analysis_version(tx, article_id, ANALYSIS_VERSION)
                await fact_store.insert_facts(tx, batch)
            have += len(batch)
            added += len(batch)
            next_index += count
            if added and added % 100_000 < len(batch):
                print(f"  ... {path.name}: {have} facts", file=sys.stderr, flush=True)
        await db.fetchval("PRAGMA wal_checkpoint(TRUNCATE)")
        async with db.transaction() as tx:  # it may ANALYZE: the read-only reader cannot
            await tx.execute("PRAGMA optimize")
    return added, time.perf_counter() - started


async def ingest_path_rate(sentences: list[str], tmp: Path) -> float:
    """facts/s of the real per-article path: ``ingest_article`` in one transaction each."""
    path = tmp / "ingest-rate.sqlite3"
    path.unlink(missing_ok=True)
    clock = FixedClock(datetime(2026, 2, 1, tzinfo=UTC))
    articles = make_articles(sentences, 10_000_000, 100)
    async with Database.open(path) as db:
        started = time.perf_counter()
        total = 0
        for article in articles:
            async with db.transaction() as tx:
                article_id, _ = await insert_article(tx, article)
                total += await ingest_article(tx, article_id, article, clock)
        elapsed = time.perf_counter() - started
    path.unlink(missing_ok=True)
    return total / elapsed


# --- querying -----------------------------------------------------------------------------------
def questions(sentences: list[str], n: int) -> list[str]:
    rng = random.Random(11)
    out = list(REPORTER_QUESTIONS)
    stems = ["What about", "What did they say about", "When did", "Who said", "How many"]
    while len(out) < n:
        words = [w.strip(".,;:'\"()") for w in rng.choice(sentences).split()]
        words = [w for w in words if len(w) > 3]
        if len(words) >= 3:
            picked = rng.sample(words, min(len(words), rng.randint(2, 4)))
            out.append(f"{rng.choice(stems)} {' '.join(picked)}?")
    return out[:n]


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


async def measure(path: Path, qs: list[str]) -> dict[str, float]:
    clock = FixedClock(datetime(2026, 2, 1, tzinfo=UTC))
    async with Database.open(path) as db:
        service = FactService(db, clock)
        t = time.perf_counter()
        assert await service.reanalyse_outdated() == 0
        startup_ms = (time.perf_counter() - t) * 1000  # the start-up check when nothing changed
        for q in qs[:5]:  # warm the page cache and the df cache like a running bot
            await service.ask(q)
        ask_ms, or_ms = [], []
        abstained = 0
        for q in qs:
            t = time.perf_counter()
            answer = await service.ask(q)
            ask_ms.append((time.perf_counter() - t) * 1000)
            abstained += answer.abstained
            terms = analyse_question(q).terms
            if terms:
                expr = fact_store.fts_query(terms, "OR")
                t = time.perf_counter()
                await fact_store.match_ranked(db.reader, expr, 10)
                or_ms.append((time.perf_counter() - t) * 1000)
        facts = int(await db.fetchval("SELECT count(*) FROM facts"))
    size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return {
        "facts": facts,
        "ask_p50_ms": round(statistics.median(ask_ms), 2),
        "ask_p95_ms": round(_pct(ask_ms, 0.95), 2),
        "or_p50_ms": round(statistics.median(or_ms), 2),
        "or_p95_ms": round(_pct(or_ms, 0.95), 2),
        "abstained": abstained,
        "queries": len(qs),
        "db_mb": round(size / 1e6, 1),
        "startup_check_ms": round(startup_ms, 2),
    }


def _start_from(path: Path, previous: Path | None) -> Path:
    """A fresh build file for ``path``: a copy of the previous (smaller) store, if any."""
    tmp = path.with_suffix(".building")
    for leftover in path.parent.glob(tmp.name + "*"):
        leftover.unlink()
    if previous is not None and previous.exists():
        shutil.copy(previous, tmp)
    return tmp


async def run(sizes: list[int], n_queries: int, cache: Path, rebuild: bool) -> dict[str, object]:
    sentences, source = corpus_sentences()
    version = _version()
    results: list[dict[str, object]] = []
    workers = max(1, os.cpu_count() or 1)
    qs = questions(sentences, n_queries)
    previous: Path | None = None
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for size in sorted(sizes):
            path = cache / f"facts-{size}-{version}.sqlite3"
            build_rate: float | None = None
            if rebuild or not path.exists():
                tmp = _start_from(path, previous)
                added, seconds = await extend_store(tmp, size, sentences, pool)
                tmp.rename(path)
                build_rate = round(added / seconds) if seconds > 0 else None
            previous = path
            row: dict[str, object] = {"size": size, **await measure(path, qs)}
            row["build_facts_per_s"] = build_rate
            results.append(row)
    rate = await ingest_path_rate(sentences, cache)
    return {
        "bench": "ask",
        "corpus": source,
        "corpus_sentences": len(sentences),
        "workers": workers,
        "ingest_article_facts_per_s": round(rate),
        "results": results,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "beatwatch-bench"
    )
    parser.add_argument("--rebuild", action="store_true", help="ignore cached stores")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    report = asyncio.run(run(sizes, args.queries, args.cache_dir, args.rebuild))
    header = f"{'facts':>9} | {'ask p50':>8} {'ask p95':>8} | {'OR p50':>8} {'OR p95':>8} | {'build f/s':>9} | {'DB MB':>7} | abstained | start ms"
    print(
        f"corpus: {report['corpus']} ({report['corpus_sentences']} sentences), workers={report['workers']}"
    )
    print(header)
    print("-" * len(header))
    for r in report["results"]:  # type: ignore[attr-defined]
        print(
            f"{r['facts']:>9} | {r['ask_p50_ms']:>8} {r['ask_p95_ms']:>8} | {r['or_p50_ms']:>8} "
            f"{r['or_p95_ms']:>8} | {str(r['build_facts_per_s'] or 'cached'):>9} | {r['db_mb']:>7} | "
            f"{r['abstained']}/{r['queries']:<5} | {r['startup_check_ms']:>8}"
        )
    print(
        f"ingest_article path (one transaction per article): {report['ingest_article_facts_per_s']} facts/s"
    )
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
