"""Cold-process benchmark: what a user waits for when typing a command.

Builds (once, cached) a store with ``--articles`` articles published over the last 60 hours
(so all of them are inside the 72-hour story window), each with its facts and its story, and
1,000 subscribed feeds; then runs each command as a fresh process (``beatwatch ask "..."``,
``beatwatch feeds status``, ``beatwatch status``) ``--runs`` times and reports the median and
the peak RSS of each.

    .venv/bin/python bench/cold.py [--articles 100000] [--runs 3] [--store PATH]

Article texts come from ../shared/corpus/articles/dev_pool.jsonl when present (each record
reused with its own entry key, URL, publisher and time), otherwise they are generated. Fact
rows are analysed once per distinct record (bot.facts.ingest.fact_rows, in worker processes)
and copied for each article that reuses it. Building 100k articles takes a few minutes on
two cores; the store is kept and reused (``--rebuild`` to start again).
Prints a table; the last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POOL = ROOT.parent / "shared" / "corpus" / "articles" / "dev_pool.jsonl"
FEEDS = 1000
MAX_FACTS_PER_ARTICLE = 40
QUESTION = "Who denied the FT report?"
OUTLETS = [f"Outlet {n}" for n in range(60)]


def base_records(limit: int) -> tuple[list[tuple[str, str]], str]:
    """(title, text) pairs: the real pool when present, else generated."""
    out: list[tuple[str, str]] = []
    if POOL.is_file():
        with POOL.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                text = (rec.get("text") or "").strip()
                title = (rec.get("title") or "").strip() or text[:90].rsplit(" ", 1)[0]
                if title:
                    out.append((title, text[:6000]))
                if len(out) >= limit:
                    break
        return out, f"dev_pool ({len(out)} records)"
    rng = random.Random(7)
    words = "talks ceasefire envoy Kyiv Moscow troops guarantees summit sanctions border".split()
    for i in range(min(limit, 2000)):
        title = " ".join(rng.choice(words) for _ in range(8)) + f" {i}"
        text = ". ".join(" ".join(rng.choice(words) for _ in range(14)) for _ in range(6)) + "."
        out.append((title, text))
    return out, f"generated ({len(out)} records)"


def _analyse(batch: list[tuple[int, str, str]]) -> list[tuple[int, list[tuple[object, ...]]]]:
    from bot.facts.ingest import fact_rows
    from bot.models import Article

    now = datetime(2026, 2, 1, tzinfo=UTC)
    out = []
    for n, title, text in batch:
        article = Article(
            entry_key=f"x{n}", title=title, body=text, publisher="x", published=now, first_seen=now
        )
        try:
            rows = fact_rows(0, article, now)[:MAX_FACTS_PER_ARTICLE]
        except Exception:  # noqa: BLE001 - one odd record is left without facts
            rows = []
        out.append((n, rows))
    return out


async def _prepare(path: Path) -> None:
    """Schema, console newsroom, seeds: the state a real store starts from."""
    from bot.services import open_services
    from bot.settings import Settings

    settings = Settings(_env_file=None, database_path=path)  # type: ignore[call-arg]
    async with open_services(settings):
        pass


def build(path: Path, count: int) -> dict[str, object]:
    from bot.clock import to_iso
    from bot.facts.ingest import ANALYSIS_VERSION
    from bot.storage.articles import content_hash

    started = time.perf_counter()
    records, origin = base_records(count)
    tmp = path.with_suffix(".building")
    for leftover in path.parent.glob(tmp.name + "*"):
        leftover.unlink()
    asyncio.run(_prepare(tmp))
    workers = max(1, os.cpu_count() or 1)
    parts = [
        [(n, t, x) for n, (t, x) in enumerate(records)][i : i + 100]
        for i in range(0, len(records), 100)
    ]
    facts_of: dict[int, list[tuple[object, ...]]] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for done in pool.map(_analyse, parts):
            facts_of.update(done)
    analysed = time.perf_counter() - started
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    now = datetime.now(UTC).replace(microsecond=0)
    first = now - timedelta(hours=60)
    step = timedelta(hours=60) / max(1, count)
    stamp = to_iso(now)
    conn.execute("BEGIN")
    feed_ids = []
    for i in range(FEEDS):
        cur = conn.execute(
            "INSERT INTO feeds (url, title, next_check_at, created_at, last_success_at,"
            " last_checked_at, baseline_done, entry_count) VALUES (?, ?, ?, ?, ?, ?, 1, 50)",
            (f"http://127.0.0.1:9/feed/{i}", f"Feed {i}", stamp, stamp, stamp, stamp),
        )
        feed_ids.append(int(cur.lastrowid or 0))
        conn.execute(
            "INSERT INTO guild_feeds (guild_id, feed_id, added_at) VALUES (0, ?, ?)",
            (feed_ids[-1], stamp),
        )
    conn.execute("COMMIT")
    chunk = 5000
    rng = random.Random(11)
    story_of: dict[int, int] = {}
    for start in range(0, count, chunk):
        conn.execute("BEGIN")
        rows = []
        for i in range(start, min(count, start + chunk)):
            title, text = records[i % len(records)]
            if i >= len(records):
                title = f"{title} ({i // len(records)})"
            published = to_iso(first + step * i)
            rows.append(
                (
                    f"cold:{i}",
                    f"https://cold.example/{i}",
                    title,
                    text,
                    OUTLETS[rng.randrange(len(OUTLETS))],
                    published,
                    published,
                    content_hash(title, text),
                )
            )
        conn.executemany(
            "INSERT INTO articles (entry_key, url, title, body, publisher, published, first_seen,"
            " source, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, 'feed', ?)",
            rows,
        )
        marks = ",".join("?" * len(rows))
        ids = {
            r[0]: int(r[1])
            for r in conn.execute(
                f"SELECT entry_key, id FROM articles WHERE entry_key IN ({marks})",  # noqa: S608 - placeholders only
                [r[0] for r in rows],
            )
        }
        facts = []
        links = []
        members = []
        for row in rows:
            i = int(row[0].split(":")[1])
            article_id = ids[row[0]]
            for fact in facts_of.get(i % len(records), []):
                facts.append((article_id, *fact[1:11], row[5], stamp, *fact[13:]))
            links.append((feed_ids[i % FEEDS], row[0], article_id, row[6]))
            story = i // 3  # three consecutive articles per story
            if story not in story_of:
                cur = conn.execute(
                    "INSERT INTO stories (first_article_id, title, first_publisher,"
                    " first_published, last_published, article_count, outlet_count, created_at,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, 1, 1, ?, ?)",
                    (article_id, row[2], row[4], row[5], row[5], row[6], row[6]),
                )
                story_of = {story: int(cur.lastrowid or 0)}
                seq = 1
            else:
                seq = i % 3 + 1
            members.append((article_id, story_of[story], seq, row[4], row[6]))
        conn.executemany(
            "INSERT INTO facts (article_id, position, kind, text, section, entities, context,"
            " quantities, dates, first_date, attribution, published, added_at, terms, vec)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            facts,
        )
        conn.executemany(
            "INSERT INTO fact_analysis (article_id, version) VALUES (?, ?)",
            [(ids[r[0]], ANALYSIS_VERSION) for r in rows],
        )
        conn.executemany(
            "INSERT INTO feed_entries (feed_id, entry_key, article_id, first_seen)"
            " VALUES (?, ?, ?, ?)",
            links,
        )
        conn.executemany(
            "INSERT INTO story_articles (article_id, story_id, seq, publisher, via, score,"
            " added_at) VALUES (?, ?, ?, ?, CASE WHEN ? = 1 THEN 'new' ELSE 'similar' END,"
            " NULL, ?)",
            [(a, s, q, p, q, at) for a, s, q, p, at in members],
        )
        conn.execute(
            "UPDATE stories SET article_count = (SELECT count(*) FROM story_articles"
            " WHERE story_id = stories.id) WHERE id >= ?",
            (min(s for _, s, _, _, _ in members),),
        )
        conn.execute("COMMIT")
        print(f"  ... {start + len(rows)} articles", file=sys.stderr, flush=True)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA optimize")
    conn.close()
    tmp.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    return {
        "records": origin,
        "analyse_s": round(analysed, 1),
        "build_s": round(time.perf_counter() - started, 1),
    }


# ``python -m bot ARGS`` that leaves as soon as the command has returned and its output is
# flushed: what the user waits for. (Some older commits wait at interpreter exit for a
# thread nobody stops; that is not part of the command's time, and would hang the run.)
RUNNER = (
    "import os, sys; from bot.__main__ import main; code = main(sys.argv[1:]); "
    "sys.stdout.flush(); sys.stderr.flush(); os._exit(code)"
)


def run_cold(store: Path, argv: list[str], source: Path) -> tuple[float, int]:
    """(wall seconds, exit code) of one fresh ``python -m bot ...`` process run from
    ``source`` (this checkout, or another one given with ``--source`` for a baseline)."""
    env = {
        **os.environ,
        "BEATWATCH_DATABASE_PATH": str(store),
        "PYTHONPATH": str(source),
    }
    env.pop("BEATWATCH_LOG_LEVEL", None)
    # Each version writes its own shipped topics at start (seeds/topics.json); an older one
    # may refuse a newer one's topics, so they are left out of the store between runs.
    conn = sqlite3.connect(store)
    conn.execute("DELETE FROM topics WHERE guild_id IS NULL")
    conn.commit()
    conn.close()
    started = time.perf_counter()
    proc = subprocess.run(  # noqa: S603 - our own entry point
        [sys.executable, "-c", RUNNER, *argv],
        env=env,
        capture_output=True,
        cwd=store.parent,
        check=False,
        timeout=600,
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.decode(errors="replace")[-2000:])
    return wall, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--store", type=Path)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--label", default="", help="a name for this run in the JSON")
    parser.add_argument(
        "--source",
        type=Path,
        default=ROOT,
        help="the checkout whose code runs the commands (e.g. an unpacked `git archive` of"
        " an older commit, for a before/after in one run)",
    )
    args = parser.parse_args()
    store = args.store or Path(tempfile.gettempdir()) / "beatwatch-cold" / (
        f"cold-{args.articles}.sqlite3"
    )
    store.parent.mkdir(parents=True, exist_ok=True)
    built: dict[str, object] = {"cached": True}
    if args.rebuild or not store.exists():
        built = build(store, args.articles)
    conn = sqlite3.connect(store)
    articles = int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    facts = int(conn.execute("SELECT count(*) FROM facts").fetchone()[0])
    conn.close()
    size_mb = store.stat().st_size / 2**20
    commands = {
        "ask": ["ask", QUESTION],
        "feeds status": ["feeds", "status"],
        "alerts list": ["alerts", "list"],
    }
    results: dict[str, dict[str, object]] = {}
    for name, argv in commands.items():
        walls, codes = [], []
        for _ in range(args.runs):
            wall, code = run_cold(store, argv, args.source)
            walls.append(wall)
            codes.append(code)
        results[name] = {
            "median_s": round(statistics.median(walls), 3),
            "runs_s": [round(w, 3) for w in walls],
            "exit_codes": codes,
        }
    print(
        f"cold commands: {articles} articles ({facts} facts, {size_mb:.0f} MB) in the story window,"
        f" {FEEDS} feeds; {args.runs} runs each, cores={os.cpu_count()}"
    )
    header = f"{'command':<16}{'median s':>10}   runs"
    print(header)
    print("-" * 48)
    for name, r in results.items():
        print(f"{name:<16}{r['median_s']:>10.3f}   {r['runs_s']}")
    print(
        json.dumps(
            {
                "bench": "cold",
                "label": args.label,
                "source": str(args.source),
                "articles": articles,
                "facts": facts,
                "db_mb": round(size_mb, 1),
                "build": built,
                "results": results,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
