"""Poll benchmark: N feeds served from 127.0.0.1, the real pipeline end to end (fetch -> parse
-> normalise -> store -> facts -> stories -> alerts queued: the AlertIntake hook the bot
installs, with the shipped topics), against a bare loop of default ``feedparser.parse(bytes)``
over the same bodies. ``--hook none`` hands new articles to a no-op hook instead (the feed
side alone).

Cycle 1: every feed changed (first poll: all entries stored, facts and stories, no alerts:
a baseline). Cycle 2 and 3: every feed answers 304. Cycle 4: every feed changed with one new
entry in front (the usual case; it is a real news item, so topics match and alerts queue). Reported per cycle: wall time, CPU per feed (this process + the parse worker
processes; the HTTP server runs in its own process and is not counted), RSS after the cycle
and peak RSS (this process + workers). The bare loop runs in a separate process so its memory
does not mix with ours.

    .venv/bin/python bench/poll.py [--feeds 1000] [--parse auto|thread|process] [--hook full|none]

Bodies come from ../shared/corpus/feeds when present (made unique per feed by tagging each
guid/link with the feed number, so entries are new per feed as in real life), otherwise they
are generated. Prints a table; the last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import multiprocessing
import os
import re
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent / "shared" / "corpus" / "feeds"
POOL = ROOT.parent / "shared" / "corpus" / "articles" / "dev_pool.jsonl"
TICK = os.sysconf("SC_CLK_TCK")


# --- bodies --------------------------------------------------------------------------------


def _generated(i: int) -> bytes:
    items = "".join(
        f"<item><guid>https://gen.example/{i}/{j}</guid><title>Generated story {i}-{j} about talks"
        f"</title><link>https://gen.example/{i}/{j}</link><description>&lt;p&gt;"
        + ("Officials met to discuss security guarantees and the front line. " * 40)
        + f"&lt;/p&gt;</description><pubDate>Sun, 01 Feb 2026 08:{j % 60:02d}:00 GMT</pubDate></item>"
        for j in range(40)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Gen {i}</title>'
        f"<link>https://gen.example/</link>{items}</channel></rss>"
    ).encode()


_TAG_END = re.compile(rb"</(guid|link|id)>")


def make_bodies(count: int) -> tuple[list[bytes], str]:
    files = sorted(p for p in CORPUS.glob("*") if p.is_file()) if CORPUS.is_dir() else []
    if not files:
        return [_generated(i) for i in range(count)], "generated"
    bases = [p.read_bytes() for p in files]
    bodies = []
    for i in range(count):
        base = bases[i % len(bases)]
        tag = f"_f{i}".encode()
        bodies.append(_TAG_END.sub(lambda m, tag=tag: tag + b"</" + m.group(1) + b">", base))
    return bodies, f"corpus ({len(files)} captures)"


# --- server process ------------------------------------------------------------------------


_FIRST_ITEM = re.compile(rb"<(item|entry)[\s>]")


def fresh_items(count: int) -> list[tuple[str, str]]:
    """(headline, text) of the new entries of cycle 4: real war news from the development
    pool when present (so topics match and alerts queue), else a fixed item."""
    out: list[tuple[str, str]] = []
    if POOL.is_file():
        with POOL.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                title, text = (rec.get("title") or "").strip(), (rec.get("text") or "").strip()
                if title and len(text) > 80 and re.search(r"(?i)ukrain|kyiv|kremlin", title):
                    out.append((title, text[:1500]))
                if len(out) >= count:
                    break
    if not out:
        out = [("Ukraine and Russia hold talks on a ceasefire", "Officials met in Geneva.")]
    return [out[i % len(out)] for i in range(count)]


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def with_fresh_entry(body: bytes, i: int, generation: int, item: tuple[str, str]) -> bytes:
    """The body with one new entry in front of the first one (a typical changed feed)."""
    match = _FIRST_ITEM.search(body)
    if match is None:
        return body
    title, text = _xml(item[0]), _xml(item[1])
    if match.group(1) == b"entry":
        fresh = (
            f"<entry><title>{title}</title><id>urn:fresh:{i}:{generation}</id>"
            f'<link href="https://fresh.example/{i}/{generation}"/>'
            f"<updated>2026-02-01T09:30:00Z</updated><summary>{text}</summary></entry>"
        )
    else:
        fresh = (
            f"<item><title>{title}</title>"
            f'<guid isPermaLink="false">fresh-{i}-{generation}</guid>'
            f"<link>https://fresh.example/{i}/{generation}</link><description>{text}</description>"
            "<pubDate>Sun, 01 Feb 2026 09:30:00 GMT</pubDate></item>"
        )
    return body[: match.start()] + fresh.encode() + body[match.start() :]


def serve(count: int, port_box: Any, ready: Any, stop: Any, generation: Any) -> None:
    from aiohttp import web

    bodies, _ = make_bodies(count)
    items = fresh_items(count)
    cache: dict[tuple[int, int], tuple[bytes, str]] = {}

    def current(i: int) -> tuple[bytes, str]:
        gen = generation.value
        if (i, gen) not in cache:
            body = bodies[i] if gen == 0 else with_fresh_entry(bodies[i], i, gen, items[i])
            cache[(i, gen)] = (body, f'"{hashlib.sha1(body).hexdigest()[:16]}"')
        return cache[(i, gen)]

    async def handler(request: web.Request) -> web.StreamResponse:
        body, etag = current(int(request.match_info["i"]))
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            body=body, headers={"ETag": etag, "Content-Type": "application/rss+xml"}
        )

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{i}", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port_box.value = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        ready.set()
        await asyncio.to_thread(stop.wait)
        await runner.cleanup()

    asyncio.run(main())


# --- bare loop process ---------------------------------------------------------------------


def bare_loop(count: int, out: Any) -> None:
    import feedparser

    bodies, _ = make_bodies(count)
    wall = time.perf_counter()
    cpu = time.process_time()
    entries = 0
    for body in bodies:
        entries += len(feedparser.parse(body).entries)
    cpu_s, wall_s = time.process_time() - cpu, time.perf_counter() - wall
    # The floor for any feedparser-based pipeline: the same parse without sanitiser and
    # relative-URI resolution, nothing else (no normalising, no storing).
    floor = time.process_time()
    for body in bodies:
        feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
    out.put(
        {
            "cpu_s": cpu_s,
            "wall_s": wall_s,
            "floor_cpu_s": time.process_time() - floor,
            "entries": entries,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


# --- measurement helpers -------------------------------------------------------------------


def proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def proc_mem(pid: int | str) -> tuple[float, float]:
    """(current RSS, peak RSS) in MB."""
    rss = hwm = 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss, hwm


async def run_pipeline(
    count: int, port: int, parse_mode: str, generation: Any, hook_mode: str
) -> dict[str, Any]:
    from bot.alerts.intake import AlertIntake
    from bot.clock import FixedClock
    from bot.facts.batch import FactBatch
    from bot.facts.ingest import ingest_article
    from bot.feeds.service import FeedService
    from bot.models import CONSOLE_GUILD_ID
    from bot.settings import Settings
    from bot.storage import feeds as store
    from bot.storage import guilds
    from bot.storage.articles import count_articles
    from bot.storage.database import Database
    from bot.stories.service import StoryService
    from bot.topics.service import TopicService

    async def no_op_hook(tx: Any, feed: Any, articles: Any, baseline: bool) -> None:
        return None

    tmp = Path(tempfile.mkdtemp(prefix="beatwatch-bench-"))
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_path=tmp / "bench.sqlite3",
        allow_private_hosts=True,
        max_concurrent_fetches=20,
    )
    clock = FixedClock(datetime(2026, 2, 1, 9, 0, tzinfo=UTC))
    results: dict[str, Any] = {}
    async with Database.open(settings.database_path) as db:
        service = FeedService(settings, clock, db, hook=no_op_hook, parse_mode=parse_mode)
        if hook_mode == "full":  # what bot.services wires, without the default feeds
            stories = StoryService(db, clock, settings)
            topics = TopicService(db, clock)
            await topics.load_seeds(settings.seeds_dir / "topics.json")
            async with db.transaction() as tx:
                await guilds.ensure_guild(tx, CONSOLE_GUILD_ID, clock, name="console")
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
        await service.start()
        async with db.transaction() as tx:
            for i in range(count):
                fid, _ = await store.ensure_feed(
                    tx, f"http://127.0.0.1:{port}/feed/{i}", clock.now()
                )
                await store.subscribe(tx, 0, fid, clock.now())
        if parse_mode != "thread":
            await service.pool.warm_up()
        cycles = []
        for number in (1, 2, 3, 4):
            if number == 4:
                generation.value = 1  # every feed gains one entry
            workers = service.pool.worker_pids()
            main0 = time.process_time()
            cpu0 = main0 + sum(proc_cpu(p) for p in workers)
            wall0 = time.perf_counter()
            summary = await service.poll_due()
            wall = time.perf_counter() - wall0
            workers = service.pool.worker_pids()
            main_cpu = time.process_time() - main0
            cpu = main_cpu + sum(proc_cpu(p) for p in workers) - (cpu0 - main0)
            rss, hwm = proc_mem("self")
            w_mem = [proc_mem(p) for p in workers]
            cycles.append(
                {
                    "cycle": number,
                    "feeds": summary.polled,
                    "changed": summary.changed,
                    "not_modified": summary.not_modified,
                    "failed": summary.failed,
                    "articles": summary.new_articles + summary.baseline_articles,
                    "wall_s": round(wall, 3),
                    "cpu_s": round(cpu, 3),
                    "main_cpu_s": round(main_cpu, 3),
                    "cpu_ms_per_feed": round(cpu * 1000 / max(1, summary.polled), 3),
                    "wall_ms_per_feed": round(wall * 1000 / max(1, summary.polled), 3),
                    "rss_mb": round(rss + sum(m[0] for m in w_mem), 1),
                    "peak_rss_mb": round(hwm + sum(m[1] for m in w_mem), 1),
                    "errors": list(summary.errors.items())[:3],
                    "alerts_queued": await _count(db, "SELECT count(*) FROM outbox"),
                    "facts": await _count(db, "SELECT count(*) FROM facts"),
                    "stories": await _count(db, "SELECT count(*) FROM stories"),
                }
            )
            clock.advance(timedelta(minutes=11))
        results["cycles"] = cycles
        results["stored_articles"] = await count_articles(db.reader)
        await service.close()
    return results


async def _count(db: Any, sql: str) -> int:
    try:
        return int(await db.fetchval(sql))
    except Exception:  # noqa: BLE001 - a table of an area that is absent
        return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--parse", default="auto", choices=["auto", "thread", "process"])
    parser.add_argument(
        "--hook",
        default="full",
        choices=["full", "none"],
        help="full: facts, stories, alerts (end to end); none: the feed side alone",
    )
    parser.add_argument("--profile", help="write a cProfile of the pipeline to this file")
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.ERROR)

    ctx = multiprocessing.get_context("spawn")
    bodies, origin = make_bodies(args.feeds)
    mean_kb = sum(len(b) for b in bodies) / len(bodies) / 1024
    from bot.feeds.fastparse import fast_parse

    distinct = bodies[: min(len(bodies), 200)]
    fast_share = sum(
        fast_parse(b, {"content-type": "application/rss+xml"}) is not None for b in distinct
    ) / len(distinct)
    del bodies, distinct

    port_box = ctx.Value("i", 0)
    generation = ctx.Value("i", 0)
    ready, stop = ctx.Event(), ctx.Event()
    server = ctx.Process(
        target=serve, args=(args.feeds, port_box, ready, stop, generation), daemon=True
    )
    server.start()
    if not ready.wait(60):
        raise SystemExit("server did not start")
    try:
        pipeline = run_pipeline(args.feeds, port_box.value, args.parse, generation, args.hook)
        if args.profile:  # this process only (the parse workers are not in it)
            import cProfile

            with cProfile.Profile() as prof:
                ours = asyncio.run(pipeline)
            prof.dump_stats(args.profile)
        else:
            ours = asyncio.run(pipeline)
    finally:
        stop.set()
        server.join(10)

    out = ctx.Queue()
    bare_proc = ctx.Process(target=bare_loop, args=(args.feeds, out))
    bare_proc.start()
    bare = out.get()
    bare_proc.join()
    bare_cpu_ms = bare["cpu_s"] * 1000 / args.feeds
    bare_wall_ms = bare["wall_s"] * 1000 / args.feeds

    c1, c2, c3, c4 = ours["cycles"]
    floor_cpu_ms = bare["floor_cpu_s"] * 1000 / args.feeds
    print(
        f"poll benchmark: {args.feeds} feeds, bodies from {origin}, mean {mean_kb:.0f} KB, parse={args.parse}, hook={args.hook}, cores={os.cpu_count()}"
    )
    header = (
        f"{'run':<34}{'wall s':>9}{'wall ms/feed':>14}{'CPU ms/feed':>13}{'RSS MB':>9}{'peak MB':>9}"
        f"{'facts':>9}{'stories':>9}{'alerts':>8}"
    )
    print(header)
    print("-" * len(header))
    print(
        f"{'bare feedparser.parse(bytes) loop':<34}{bare['wall_s']:>9.2f}{bare_wall_ms:>14.2f}{bare_cpu_ms:>13.2f}{'':>9}{bare['peak_rss_mb']:>9.0f}"
    )
    print(f"{'  same, sanitiser off (floor)':<34}{'':>9}{'':>14}{floor_cpu_ms:>13.2f}")
    for c, label in (
        (c1, "cycle 1 (all changed, all new)"),
        (c2, "cycle 2 (all 304)"),
        (c3, "cycle 3 (all 304)"),
        (c4, "cycle 4 (all changed, 1 new)"),
    ):
        print(
            f"{label:<34}{c['wall_s']:>9.2f}{c['wall_ms_per_feed']:>14.3f}{c['cpu_ms_per_feed']:>13.3f}"
            f"{c['rss_mb']:>9.0f}{c['peak_rss_mb']:>9.0f}"
            f"{c['facts']:>9}{c['stories']:>9}{c['alerts_queued']:>8}"
        )
    ratio_cpu = c1["cpu_ms_per_feed"] / bare_cpu_ms
    ratio_wall = c1["wall_ms_per_feed"] / bare_wall_ms
    print(
        f"\nchanged feed vs bare loop: CPU {ratio_cpu:.2f}x, wall {ratio_wall:.2f}x (target <= 1.5x end to end); "
        f"first poll {c1['wall_s']:.1f} s wall (target <= 60 s); "
        f"unchanged feed: {c2['cpu_ms_per_feed']:.3f} ms CPU (target <= 0.3 ms); "
        f"RSS after cycles 1-4: {c1['rss_mb']:.0f}/{c2['rss_mb']:.0f}/{c3['rss_mb']:.0f}/{c4['rss_mb']:.0f} MB; "
        f"floor (feedparser without sanitiser, nothing else) {floor_cpu_ms / bare_cpu_ms:.2f}x; "
        f"changed feed with one new entry: CPU {c4['cpu_ms_per_feed'] / bare_cpu_ms:.2f}x"
    )
    print(
        f"articles stored: {ours['stored_articles']} in all (cycle 1 handed over {c1['articles']}), "
        f"new in cycle 4: {c4['articles']}; failed feeds {c1['failed']}/{c2['failed']}/{c3['failed']}/{c4['failed']}; "
        f"bare loop parsed {bare['entries']} entries; "
        f"bodies read by the expat fast path: {fast_share:.0%} (the rest by feedparser)"
    )
    figures = {
        "feeds": args.feeds,
        "bodies": origin,
        "mean_body_kb": round(mean_kb, 1),
        "parse_mode": args.parse,
        "hook": args.hook,
        "bare_cpu_ms_per_feed": round(bare_cpu_ms, 3),
        "bare_wall_ms_per_feed": round(bare_wall_ms, 3),
        "bare_peak_rss_mb": round(bare["peak_rss_mb"], 1),
        "cycle1": {k: v for k, v in c1.items() if k != "errors"},
        "cycle2": {k: v for k, v in c2.items() if k != "errors"},
        "cycle3": {k: v for k, v in c3.items() if k != "errors"},
        "cycle4": {k: v for k, v in c4.items() if k != "errors"},
        "floor_cpu_ms_per_feed": round(floor_cpu_ms, 3),
        "floor_cpu_ratio": round(floor_cpu_ms / bare_cpu_ms, 3),
        "changed_one_new_cpu_ratio": round(c4["cpu_ms_per_feed"] / bare_cpu_ms, 3),
        "changed_cpu_ratio": round(ratio_cpu, 3),
        "changed_wall_ratio": round(ratio_wall, 3),
        "unchanged_cpu_ms_per_feed": c2["cpu_ms_per_feed"],
        "stored_articles": ours["stored_articles"],
        "fast_path_share": round(fast_share, 3),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
