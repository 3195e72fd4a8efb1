"""Story grouping benchmark: batch grouping of 10k and 100k articles, and the incremental case
(one new article against 100k stored).

python bench/stories.py                 # 10k + 100k batch, incremental at 100k
python bench/stories.py --sizes 10000   # quicker

Articles: the real feed entries of ../shared/corpus/feeds (plus the seeds) are the base
stories; each gets rewritten copies by other "outlets" (wire copies, the same page scraped
twice, headline-only rewrites, paraphrases with synonyms / reordered / dropped / added
sentences), published within hours of it. 100k replays that set in ten two-week "epochs" with
fresh rewrites (each epoch a different story: beyond the time window). Without ../shared the
bases are generated. Ground truth: every copy belongs to its base's story.

Reports time and peak memory (RSS of a child process per scenario), pairwise precision and
recall against the ground truth, and for the incremental case the p50/p95 latency of
extract + match one article with 100k stored (all inside the window: the worst case), and
StoryService.assign end to end (SQLite file: insert the article, assign, commit).
Prints a table, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import re
import resource
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bot.models import StoryDoc  # noqa: E402
from bot.storage.articles import content_hash  # noqa: E402
from bot.stories.features import extract  # noqa: E402
from bot.stories.grouper import (  # noqa: E402
    StoryIndex,
    epoch,
    group_articles,
    headline_vectors,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
OUTLETS = [
    "Reuters", "AP", "AFP", "BBC", "The Guardian", "CNN", "Al Jazeera", "Kyiv Independent",
    "Ukrainska Pravda", "Suspilne", "Ukrinform", "The Moscow Times", "Meduza", "Politico",
    "Deutsche Welle", "France 24", "Euronews", "Sky News", "Bloomberg", "Financial Times",
    "The New York Times", "The Washington Post", "Yahoo News", "US News", "The Independent",
    "The Telegraph", "NPR", "ABC News", "CBS News", "NBC News", "Le Monde", "Der Spiegel",
]  # fmt: skip
SYNONYMS = {
    "said": ["stated", "told reporters", "announced", "confirmed"],
    "says": ["states", "claims", "confirms"],
    "killed": ["left dead", "killed at least"],
    "attack": ["strike", "assault", "raid"],
    "president": ["leader", "head of state"],
    "government": ["administration", "authorities", "cabinet"],
    "announced": ["unveiled", "revealed", "declared"],
    "people": ["residents", "civilians", "individuals"],
    "city": ["town", "municipality"],
    "increase": ["rise", "jump", "growth"],
    "decrease": ["fall", "drop", "decline"],
    "big": ["large", "major", "huge"],
    "new": ["fresh", "latest", "recent"],
    "plan": ["proposal", "scheme", "blueprint"],
    "talks": ["negotiations", "discussions", "meetings"],
    "officials": ["authorities", "representatives", "sources"],
    "country": ["nation", "state"],
    "police": ["officers", "law enforcement"],
    "help": ["assist", "support", "aid"],
    "show": ["reveal", "indicate", "suggest"],
    "after": ["following", "in the wake of"],
    "before": ["ahead of", "prior to"],
    "about": ["around", "roughly", "approximately"],
    "because": ["as", "since", "given that"],
    "important": ["key", "significant", "crucial"],
    "problem": ["issue", "challenge", "difficulty"],
    "war": ["conflict", "fighting"],
    "agreed": ["consented", "signed off", "accepted"],
    "warned": ["cautioned", "alerted"],
    "support": ["backing", "assistance"],
    "claims": ["allegations", "assertions"],
    "wants": ["seeks", "aims"],
    "first": ["initial", "opening"],
    "report": ["account", "story"],
    "start": ["begin", "launch", "kick off"],
    "end": ["finish", "conclude", "close"],
}
FILLERS = [
    "The ministry did not immediately respond to a request for comment.",
    "Further details were not immediately available.",
    "This is a developing story and will be updated.",
    "Officials were expected to give more details later on.",
    "The announcement drew a mixed reaction online.",
]
_SENT = re.compile(r"(?<=[.!?])\s+")
_WORDS = re.compile(r"\b\w+\b")


# --- data -------------------------------------------------------------------------------


def base_entries() -> tuple[list[tuple[str, str, str]], str]:
    """(outlet, title, text) bases: the real entries, the outlet being the feed they came from."""
    try:
        from stories_corpus import load_entries  # bench/stories_corpus.py

        entries = [(e.source.split(".")[0], e.title, e.text) for e in load_entries()]
        if len(entries) > 100:
            return entries, f"{len(entries)} real feed entries (../shared/corpus/feeds + seeds)"
    except (ImportError, OSError) as exc:
        sys.stderr.write(f"no real corpus ({exc}); generating bases\n")
    rng = random.Random(7)
    vocab = [w for vals in SYNONYMS.values() for v in vals for w in v.split()] + list(SYNONYMS)
    names = ["Kramatorsk", "Odesa", "Kyiv", "Berlin", "Paris", "Lagos", "Lima", "Osaka", "Quebec"]
    entries = []
    for i in range(2000):
        words = [rng.choice(vocab) for _ in range(60)] + [rng.choice(names), str(i)]
        rng.shuffle(words)
        entries.append((f"gen{i % 40}", " ".join(words[:9]).capitalize(), " ".join(words) + "."))
    return entries, "2000 generated bases (../shared absent)"


def paraphrase(text: str, rng: random.Random, p: float) -> str:
    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        options = SYNONYMS.get(word.lower())
        if options and rng.random() < p:
            choice = rng.choice(options)
            return choice.capitalize() if word[0].isupper() else choice
        return word

    return _WORDS.sub(swap, text)


def rewrite_headline(title: str, rng: random.Random) -> str:
    title = paraphrase(title, rng, 0.7)
    words = title.split()
    if ":" in title:
        head, _, tail = title.partition(":")
        return f"{tail.strip()}: {head.strip()}"
    if len(words) > 5:
        cut = rng.randint(2, len(words) - 2)
        return " ".join(words[cut:] + ["-"] + words[:cut])
    return title


def variant(title: str, text: str, rng: random.Random) -> tuple[str, str, str]:
    """A copy of one article as another outlet (or the same page) would carry it."""
    kind = rng.choices(["wire", "scrape", "headline", "rewrite", "summary"], [2, 1, 2, 5, 2])[0]
    if kind == "wire":
        return kind, title, text + rng.choice(["", " (Reporting by staff; editing by desk)"])
    if kind == "scrape":
        return kind, title, text
    if kind == "headline":
        return kind, rewrite_headline(title, rng), text
    sentences = [s for s in _SENT.split(text) if s]
    if kind == "summary":  # another feed carries only a headline and the first sentence
        return kind, rewrite_headline(title, rng), paraphrase(" ".join(sentences[:1]), rng, 0.6)
    lead, rest = sentences[:1], sentences[1:]
    rng.shuffle(rest)
    rest = [x for x in rest if rng.random() > 0.3]
    if rng.random() < 0.5:
        rest.insert(rng.randint(0, len(rest)), rng.choice(FILLERS))
    body = paraphrase(" ".join(lead + rest), rng, 0.6)
    if lead and rng.random() < 0.5:
        words = paraphrase(lead[0], rng, 0.6).rstrip(".").split()
        headline = " ".join(words[: rng.randint(8, 12)])
    else:
        headline = rewrite_headline(title, rng)
    return kind, headline, body


def build_docs(
    n: int, seed: int = 1
) -> tuple[list[StoryDoc], dict[str, str], Counter[str], dict[str, str]]:
    """``n`` articles with their true story labels."""
    bases, _ = base_entries()
    unique: dict[str, tuple[str, str, str]] = {}
    for outlet, title, text in bases:  # feed captures overlap: one base per headline
        unique.setdefault(" ".join(title.casefold().split()), (outlet, title, text))
    bases = list(unique.values())
    rng = random.Random(seed)
    docs: list[StoryDoc] = []
    truth: dict[str, str] = {}
    kinds: Counter[str] = Counter()
    kinds_of: dict[str, str] = {}
    per_epoch = min(n, 10_000)
    copies_per_base = max(1.0, per_epoch / len(bases) - 1)
    ep = 0
    while len(docs) < n:
        start = T0 + timedelta(days=14 * ep)
        # A later epoch's story is another story, not an exact copy of an earlier epoch's
        # (exact copies join whatever their dates): each of its texts says one thing more.
        mark = f" Edition {ep + 1}." if ep else ""
        for b, (source, title, text) in enumerate(bases):
            if len(docs) >= n:
                break
            label = f"e{ep}b{b}"
            when = start + timedelta(minutes=7 * b)  # ~10 days of news per epoch
            outlets = [source] + [o for o in rng.sample(OUTLETS, 12) if o != source][:11]
            url = f"https://news.example/{label}"
            docs.append(
                StoryDoc(id=f"{label}-0", title=title, text=text + mark, outlet=outlets[0],
                         published=when, url=url)
            )  # fmt: skip
            truth[f"{label}-0"] = label
            k = int(copies_per_base) + (1 if rng.random() < copies_per_base % 1 else 0)
            for c in range(1, min(k, 11) + 1):
                if len(docs) >= n:
                    break
                kind, vt, vx = variant(title, text, rng)
                kinds[kind] += 1
                kinds_of[f"{label}-{c}"] = kind
                same_page = kind == "scrape"
                docs.append(
                    StoryDoc(
                        id=f"{label}-{c}",
                        title=vt,
                        text=vx + mark,
                        outlet=outlets[0] if same_page else outlets[c],
                        published=when + timedelta(minutes=rng.randint(5, 12 * 60)),
                        url=url if same_page else f"{url}/{c}",
                    )
                )
                truth[f"{label}-{c}"] = label
        ep += 1
    return docs, truth, kinds, kinds_of


# --- measures -----------------------------------------------------------------------------


def pairs(groups: Counter[tuple[str, ...]] | Counter[str]) -> int:
    return sum(c * (c - 1) // 2 for c in groups.values())


def pairwise(assign: dict[str, str], truth: dict[str, str]) -> tuple[float, float, int]:
    predicted = pairs(Counter(assign.values()))
    actual = pairs(Counter(truth.values()))
    both = pairs(Counter((assign[k], truth[k]) for k in assign))
    wrong = predicted - both
    precision = both / predicted if predicted else 1.0
    recall = both / actual if actual else 1.0
    return precision, recall, wrong


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * resource.getpagesize() / 1e6


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def run_batch(n: int, out: mp.Queue) -> None:  # type: ignore[type-arg]
    docs, truth, kinds, kinds_of = build_docs(n)
    before = rss_mb()
    started = time.perf_counter()
    assign = group_articles(docs)
    seconds = time.perf_counter() - started
    precision, recall, wrong = pairwise(assign, truth)
    # recall per kind of copy: does the copy land in its base's story?
    by_kind: dict[str, list[int]] = {}
    for d in docs:
        kind = kinds_of.get(d.id)
        if kind is None:
            continue
        joined = assign[d.id] == assign[d.id.rsplit("-", 1)[0] + "-0"]
        for key in (kind, "all"):
            cell = by_kind.setdefault(key, [0, 0])
            cell[0] += joined
            cell[1] += 1
    # Stories mixing two bases: either a false merge or the corpus carrying one real story
    # twice (feed captures overlap; several outlets covered the same events). Show some.
    members: dict[str, set[str]] = {}
    for d in docs:
        members.setdefault(assign[d.id], set()).add(truth[d.id])
    by_id = {d.id: d for d in docs}
    mixed = [sorted(v) for v in members.values() if len(v) > 1]
    examples = [[by_id[f"{label}-0"].title[:70] for label in labels[:2]] for labels in mixed[:12]]
    out.put(
        {
            "n": n,
            "mixed_stories": len(mixed),
            "mixed_examples": examples,
            "stories_true": len(set(truth.values())),
            "stories_found": len(set(assign.values())),
            "seconds": round(seconds, 2),
            "ms_per_article": round(1000 * seconds / n, 3),
            "peak_mb": round(peak_mb(), 1),
            "grouping_mb": round(peak_mb() - before, 1),
            "pair_precision": round(precision, 4),
            "pair_recall": round(recall, 4),
            "wrong_pairs": wrong,
            "copy_recall": {k: round(v[0] / v[1], 4) for k, v in sorted(by_kind.items())},
            "copies": dict(kinds),
        }
    )


def batch_vectors(feats: list[Any], batch: int = 512) -> list[bytes | None]:
    """Headline meaning vectors in batches (as a start-up load computes them)."""
    out: list[bytes | None] = []
    for i in range(0, len(feats), batch):
        out += headline_vectors([f.headline for f in feats[i : i + batch]])
    return out


def run_incremental(stored: int, probes: int, out: mp.Queue) -> None:  # type: ignore[type-arg]
    docs, truth, _, _ = build_docs(stored + probes, seed=2)
    rng = random.Random(3)
    rng.shuffle(docs)
    probe_docs, stored_docs = docs[:probes], docs[probes:]
    before = rss_mb()
    index = StoryIndex(window_seconds=1e12)  # everything stored is inside the window
    started = time.perf_counter()
    feats = [extract(d.title, d.text) for d in stored_docs]
    for f in feats:
        index.count(f.terms)
    vectors = batch_vectors(feats)
    for d, f, v in zip(stored_docs, feats, vectors, strict=True):
        doc = index.make_doc(
            d.id, f, epoch(d.published), d.outlet, d.url, content_hash(d.title, d.text), v
        )
        index.add(doc, truth[d.id], counted=True)  # stored stories as the truth labels
    load_seconds = time.perf_counter() - started
    load_mb = peak_mb() - before
    latencies = []
    candidates = []
    hits = 0
    cpu = []
    for d in probe_docs:
        t = time.perf_counter()
        c = time.thread_time()
        f = extract(d.title, d.text)
        doc = index.make_doc(
            d.id, f, epoch(d.published), d.outlet, d.url, content_hash(d.title, d.text)
        )
        found = index.match(doc)
        latencies.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
        candidates.append(len(index.candidates(doc)))
        # the same base recurs in every epoch (all inside this window): any epoch's story counts
        hits += (
            found is not None and str(found.story).split("b", 1)[1] == truth[d.id].split("b", 1)[1]
        )
    latencies.sort()
    cpu.sort()
    out.put(
        {
            "stored": len(stored_docs),
            "probes": probes,
            "load_seconds": round(load_seconds, 2),
            "index_mb": round(load_mb, 1),
            "peak_mb": round(peak_mb(), 1),
            "p50_ms": round(latencies[len(latencies) // 2], 3),
            "p95_ms": round(latencies[int(len(latencies) * 0.95)], 3),
            "max_ms": round(latencies[-1], 3),
            "cpu_p50_ms": round(cpu[len(cpu) // 2], 3),
            "cpu_p95_ms": round(cpu[int(len(cpu) * 0.95)], 3),
            "mean_candidates": round(sum(candidates) / len(candidates), 1),
            "probe_joined_true_story": round(hits / probes, 4),
        }
    )


def run_index_bytes(n: int, out: mp.Queue) -> None:  # type: ignore[type-arg]
    """Bytes the index keeps per article (tracemalloc over building an index of ``n``)."""
    import tracemalloc

    docs, truth, _, _ = build_docs(n, seed=6)
    feats = [extract(d.title, d.text) for d in docs]
    vectors = batch_vectors(feats)
    tracemalloc.start()
    index = StoryIndex(window_seconds=1e12)
    for f in feats:
        index.count(f.terms)
    for d, f, v in zip(docs, feats, vectors, strict=True):
        doc = index.make_doc(
            d.id, f, epoch(d.published), d.outlet, d.url, content_hash(d.title, d.text), v
        )
        index.add(doc, truth[d.id], counted=True)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out.put({"articles": n, "bytes_per_article": round(current / n)})


def run_service(stored: int, probes: int, out: mp.Queue) -> None:  # type: ignore[type-arg]
    """StoryService.assign end to end (SQLite + index) with ``stored`` articles in the window."""
    import asyncio
    import tempfile

    from bot.clock import FixedClock
    from bot.models import Article
    from bot.settings import Settings
    from bot.storage import stories as store
    from bot.storage.articles import insert_article
    from bot.storage.database import Database
    from bot.stories.service import StoryService

    docs, truth, _, _ = build_docs(stored + probes, seed=4)
    rng = random.Random(5)
    rng.shuffle(docs)
    probe_docs, stored_docs = docs[:probes], docs[probes:]
    stored_docs.sort(key=lambda d: d.published)

    def article(d: StoryDoc) -> Article:
        return Article(
            entry_key=d.id, url=d.url, title=d.title, summary=d.text, publisher=d.outlet,
            published=d.published, first_seen=d.published,
        )  # fmt: skip

    async def go() -> dict[str, float]:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                database_path=Path(tmp) / "bench.sqlite3",
                story_window_hours=24 * 365 * 10,  # every stored article is a candidate
            )
            clock = FixedClock(max(d.published for d in docs) + timedelta(hours=1))
            async with Database.open(settings.database_path) as db:
                started = time.perf_counter()
                story_of: dict[str, int] = {}
                async with db.transaction() as tx:
                    for d in stored_docs:
                        art = article(d)
                        aid, _ = await insert_article(tx, art)
                        art = art.model_copy(update={"id": aid})
                        label = truth[d.id]
                        if label in story_of:
                            await store.add_to_story(
                                tx, story_of[label], art, "similar", 1.0, clock.now()
                            )
                        else:
                            story_of[label] = await store.create_story(tx, art, clock.now())
                fill = time.perf_counter() - started
                svc = StoryService(db, clock, settings)
                started = time.perf_counter()
                loaded = await svc.load()
                load = time.perf_counter() - started
                lat, only = [], []
                for d in probe_docs:
                    t = time.perf_counter()
                    async with db.transaction() as tx:
                        aid, _ = await insert_article(tx, article(d))
                        a = time.perf_counter()
                        await svc.assign(tx, article(d).model_copy(update={"id": aid}))
                        only.append((time.perf_counter() - a) * 1000)
                    lat.append((time.perf_counter() - t) * 1000)
                lat.sort()
                only.sort()
                return {
                    "stored": loaded,
                    "fill_seconds": round(fill, 1),
                    "load_seconds": round(load, 1),
                    "p50_ms": round(lat[len(lat) // 2], 3),
                    "p95_ms": round(lat[int(len(lat) * 0.95)], 3),
                    "assign_p50_ms": round(only[len(only) // 2], 3),
                    "assign_p95_ms": round(only[int(len(only) * 0.95)], 3),
                    "peak_mb": round(peak_mb(), 1),
                }

    out.put(asyncio.run(go()))


def labelled_pairs() -> dict[str, dict[str, float]]:
    """tests/stories/pairs.py: the rule vs plain TF-IDF cosine >= 0.5 on hand-written pairs."""
    from bot.stories.grouper import cosine

    sys.path.insert(0, str(ROOT))
    from tests.stories.pairs import DIFFERENT, SAME

    items = {id(x): x for _, a, b in SAME + DIFFERENT for x in (a, b)}
    docs = [
        StoryDoc(id=str(k), title=x.title, text=x.text, outlet=x.outlet, published=x.published)
        for k, x in items.items()
    ]
    grouped = group_articles(docs)
    index = StoryIndex(72 * 3600)
    feats = {d.id: extract(d.title, d.text) for d in docs}
    for f in feats.values():
        index.count(f.terms)
    vec = {d.id: index.make_doc(d.id, feats[d.id], 0, d.outlet) for d in docs}
    result = {}
    for name, pairs_ in (("same", SAME), ("different", DIFFERENT)):
        rule = sum(grouped[str(id(a))] == grouped[str(id(b))] for _, a, b in pairs_)
        plain = sum(cosine(vec[str(id(a))], vec[str(id(b))]) >= 0.5 for _, a, b in pairs_)
        result[name] = {"pairs": len(pairs_), "rule_grouped": rule, "cosine_0.5_grouped": plain}
    return result


def in_child(target, *args):  # type: ignore[no-untyped-def]
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, out))
    proc.start()
    result = out.get()
    proc.join()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--probes", type=int, default=1000)
    parser.add_argument("--examples", type=int, default=8, help="mixed stories to show")
    parser.add_argument(
        "--service-stored",
        type=int,
        default=100_000,
        help="articles in SQLite for the end-to-end StoryService.assign timing (0: skip)",
    )
    args = parser.parse_args()
    _, source = base_entries()
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    sys.stdout.write(f"bases: {source}; load average at start {load}\n\n")
    pairs_ = labelled_pairs()
    same, diff = pairs_["same"], pairs_["different"]
    sys.stdout.write(
        "labelled pairs (tests/stories/pairs.py)      grouped: this rule   plain cosine>=0.5\n"
        f"  same story, rewritten by another outlet  {same['rule_grouped']:>2}/{same['pairs']:<17}"
        f"{same['cosine_0.5_grouped']:>2}/{same['pairs']}\n"
        f"  same topic, different story (must be 0)  {diff['rule_grouped']:>2}/{diff['pairs']:<17}"
        f"{diff['cosine_0.5_grouped']:>2}/{diff['pairs']}\n\n"
    )
    batch = [in_child(run_batch, n) for n in args.sizes]
    sys.stdout.write(
        f"{'batch':>8} {'stories':>15} {'seconds':>8} {'ms/art':>7} {'peak MB':>8} "
        f"{'precision':>9} {'recall':>7} {'copy rec':>8} {'wrong pairs':>11}\n"
    )
    for r in batch:
        sys.stdout.write(
            f"{r['n']:>8} {r['stories_found']:>7}/{r['stories_true']:<7} {r['seconds']:>8} "
            f"{r['ms_per_article']:>7} {r['peak_mb']:>8} {r['pair_precision']:>9} "
            f"{r['pair_recall']:>7} {r['copy_recall']['all']:>8} {r['wrong_pairs']:>11}\n"
        )
    for r in batch[:1]:
        sys.stdout.write(
            f"\n{r['mixed_stories']} stories at {r['n']} mix two base entries; some (judge: "
            "false merge, or the corpus carrying one real story twice?):\n"
        )
        for a, b in r["mixed_examples"][: args.examples]:
            sys.stdout.write(f"  {a!r}\n    ~ {b!r}\n")
    inc = in_child(run_incremental, args.stored, args.probes)
    sys.stdout.write(
        f"\nincremental: one new article against {inc['stored']} stored "
        f"(index built in {inc['load_seconds']} s, +{inc['index_mb']} MB)\n"
        f"  wall p50 {inc['p50_ms']} ms  p95 {inc['p95_ms']} ms  max {inc['max_ms']} ms; "
        f"CPU p50 {inc['cpu_p50_ms']} ms  p95 {inc['cpu_p95_ms']} ms\n  "
        f"candidates/article {inc['mean_candidates']}  joined its true story "
        f"{inc['probe_joined_true_story']:.1%}  (target p95 <= 5 ms)\n"
    )
    size = in_child(run_index_bytes, 10_000)
    sys.stdout.write(
        f"  index size (tracemalloc, {size['articles']} articles): "
        f"{size['bytes_per_article']} bytes per article "
        f"(~{size['bytes_per_article'] * inc['stored'] / 1e6:.0f} MB at {inc['stored']})\n"
    )
    svc = None
    if args.service_stored:
        svc = in_child(run_service, args.service_stored, min(args.probes, 300))
        sys.stdout.write(
            f"\nStoryService.assign end to end (insert article + assign + commit, SQLite file) "
            f"with {svc['stored']} stored articles loaded in {svc['load_seconds']} s:\n"
            f"  whole transaction p50 {svc['p50_ms']} ms  p95 {svc['p95_ms']} ms; "
            f"assign() alone p50 {svc['assign_p50_ms']} ms  p95 {svc['assign_p95_ms']} ms; "
            f"peak {svc['peak_mb']} MB\n"
        )
    sys.stdout.write(
        json.dumps(
            {
                "source": source,
                "labelled_pairs": pairs_,
                "batch": batch,
                "incremental": inc,
                "index": size,
                "service": svc,
            }
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
