"""Topic matching throughput: 100 synthetic topics x 5 aliases (+ the 3 shipped topics) over
100k articles of ~2 KB.

Compares, in one run over the same articles:
- one compiled regex per alias (case-insensitive, whole words), on a sample (slow);
- one combined alternation of every alias, on a sample;
- beatwatch's Matcher (Aho-Corasick over folded text + rules + explanations), on all articles.

Article text comes from ../shared/corpus/feeds when present (sentences of real feed entries,
reassembled into ~2 KB articles), else from a generated vocabulary.
Prints a table, then one JSON line with the figures (the last line).

    .venv/bin/python bench/match.py [--articles 100000] [--sample 2000] [--regex-sample 200]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import platform
import random
import re
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.models import Topic  # noqa: E402
from bot.topics.matcher import Matcher  # noqa: E402
from bot.topics.rules import is_concept, parse_term  # noqa: E402
from bot.topics.service import read_seed_topics  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "feeds"
ARTICLE_CHARS = 2000
_TAG = re.compile(r"<[^>]+>")
_SENT = re.compile(r"(?<=[.!?])\s+")


def corpus_sentences() -> tuple[list[str], str]:
    if not CORPUS.is_dir():
        return [], "generated"
    import feedparser

    sentences: list[str] = []
    for path in sorted(CORPUS.iterdir()):
        try:
            parsed = feedparser.parse(path.read_bytes(), sanitize_html=False)
        except Exception:  # noqa: BLE001 - one odd capture must not stop the benchmark
            continue
        for entry in parsed.entries:
            for text in (entry.get("title", ""), entry.get("summary", "")):
                clean = " ".join(html.unescape(_TAG.sub(" ", text)).split())
                sentences.extend(s for s in _SENT.split(clean) if len(s) > 30)
    return sentences, f"{CORPUS} ({len(sentences)} sentences)"


def generated_sentences(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(5000)]
    return [
        " ".join(rng.choice(vocab) for _ in range(rng.randint(8, 25))).capitalize() + "."
        for _ in range(20000)
    ]


_SYLLABLES = (
    "ka ro vin esk tal mir ab ad dor ne vo lu gan shy ber to pol ska gra ven dal mo rin sev "
    "che zar ov ets ila kur bra nyk ost hol tsi rev dan gor ul yan"
).split()


def pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(3, 4))).capitalize()


def synthetic_topics(rng: random.Random, n: int) -> list[Topic]:
    """Topics whose aliases are names and phrases like real beats have (places, people,
    programmes): mostly absent from ordinary text; the articles then carry them at a set rate."""
    topics = []
    for i in range(n):
        aliases: list[str] = []
        while len(aliases) < 5:
            kind = rng.random()
            if kind < 0.5:
                alias = pseudo_word(rng)
            elif kind < 0.8:
                alias = f"{pseudo_word(rng)} {pseudo_word(rng).lower()}"
            else:
                alias = pseudo_word(rng) + "*"
            if alias.casefold() not in {a.casefold() for a in aliases}:
                aliases.append(alias)
        topics.append(Topic(id=1000 + i, name=f"synthetic {i}", any_of=tuple(aliases)))
    return topics


def articles(
    rng: random.Random,
    sentences: list[str],
    count: int,
    topics: list[Topic],
    hit_rate: float,
) -> Iterator[tuple[str, str]]:
    """~2 KB articles of real sentences; a share ``hit_rate`` of them names a synthetic topic."""
    aliases = [a for t in topics for a in t.any_of]
    for _ in range(count):
        title = rng.choice(sentences)[:120]
        parts: list[str] = []
        size = 0
        while size < ARTICLE_CHARS:
            s = rng.choice(sentences)
            parts.append(s)
            size += len(s) + 1
        if aliases and rng.random() < hit_rate:
            alias = rng.choice(aliases).replace("*", rng.choice(["", "a", "ivka", "ske"]))
            parts.insert(rng.randrange(len(parts)), f"Officials in {alias} said so.")
        yield title, " ".join(parts)[: ARTICLE_CHARS + 40]


def term_regex(text: str, left_boundary: bool = True) -> str:
    term = parse_term(text)
    parts = []
    for tok in term.folded.split(" "):
        parts.append(re.escape(tok[:-1]) + r"\w*" if tok.endswith("*") else re.escape(tok))
    body = r"[\s\-]+".join(parts)
    left = r"\b" if left_boundary and term.folded[0].isalnum() else ""
    right = r"\b" if body[-1:].isalnum() or body.endswith("*") else ""
    return left + body + right


def bench_per_alias(topics: list[Topic], docs: list[tuple[str, str]]) -> tuple[float, int]:
    """Each alias its own compiled regex, searched in the casefolded text (detection only)."""
    compiled = [
        (t.name, re.compile(term_regex(a))) for t in topics for a in t.any_of if not is_concept(a)
    ]
    hits = 0
    start = time.process_time()
    for title, body in docs:
        found = set()
        folded = (title.casefold(), body.casefold())
        for name, rx in compiled:
            if name not in found and (rx.search(folded[0]) or rx.search(folded[1])):
                found.add(name)
        hits += len(found)
    return len(docs) / (time.process_time() - start), hits


def bench_alternation(topics: list[Topic], docs: list[tuple[str, str]]) -> tuple[float, int]:
    groups = []
    names = []
    for t in topics:
        for a in t.any_of:
            if is_concept(a):  # the baselines know plain terms only
                continue
            groups.append(f"({term_regex(a, left_boundary=False)})")
            names.append(t.name)
    # One word-boundary test in front of the whole alternation (every term starts with a
    # letter or digit), so most positions fail before any alternative is tried.
    rx = re.compile(r"\b(?:" + "|".join(groups) + ")")
    hits = 0
    start = time.process_time()
    for title, body in docs:
        found = set()
        for text in (title.casefold(), body.casefold()):
            for m in rx.finditer(text):
                found.add(names[m.lastindex - 1 if m.lastindex else 0])
        hits += len(found)
    return len(docs) / (time.process_time() - start), hits


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--sample", type=int, default=300, help="articles for the alternation")
    ap.add_argument("--regex-sample", type=int, default=100, help="articles for per-alias regex")
    ap.add_argument("--topics", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--seed-topics",
        type=Path,
        default=ROOT / "seeds" / "topics.json",
        help="the shipped-topics file (to compare two versions of it)",
    )
    ap.add_argument(
        "--hit-rate", type=float, default=0.1, help="share of articles naming a synthetic topic"
    )
    args = ap.parse_args()
    rng = random.Random(args.seed)

    sentences, source = corpus_sentences()
    if len(sentences) < 500:
        sentences, source = generated_sentences(rng), "generated vocabulary"
    shipped = [
        Topic(id=i, name=r.name, any_of=r.any_of, all_of=r.all_of, none_of=r.none_of)
        for i, r in enumerate(read_seed_topics(args.seed_topics), 1)
    ]
    synthetic = synthetic_topics(rng, args.topics)
    topics = synthetic + shipped
    aliases = sum(len(t.any_of) for t in topics)

    t0 = time.perf_counter()
    matcher = Matcher(topics)
    compile_ms = (time.perf_counter() - t0) * 1000

    sample = list(
        articles(random.Random(args.seed + 1), sentences, args.sample, synthetic, args.hit_rate)
    )
    per_alias_rate, _ = bench_per_alias(topics, sample[: args.regex_sample])
    alternation_rate, alt_hits = bench_alternation(topics, sample)

    # The matcher over every article, generated in chunks outside the timed section.
    gen = articles(random.Random(args.seed + 1), sentences, args.articles, synthetic, args.hit_rate)
    elapsed = cpu = 0.0
    done = 0
    matched_articles = 0
    matches = 0
    chars = 0
    sample_hits = 0
    while done < args.articles:
        chunk = [next(gen) for _ in range(min(10_000, args.articles - done))]
        start, start_cpu = time.perf_counter(), time.process_time()
        for title, body in chunk:
            found = matcher.match(title, "", body)
            if found:
                matched_articles += 1
                matches += len(found)
        cpu += time.process_time() - start_cpu
        elapsed += time.perf_counter() - start
        if done == 0:
            sample_hits = sum(len(matcher.match(t, "", b)) for t, b in chunk[: args.sample])
        chars += sum(len(t) + len(b) for t, b in chunk)
        done += len(chunk)
    matcher_rate = done / cpu
    matcher_wall_rate = done / elapsed

    rows = [
        ("one regex per alias", args.regex_sample, per_alias_rate),
        ("combined alternation", len(sample), alternation_rate),
        ("Matcher (Aho-Corasick, explanations)", done, matcher_rate),
    ]
    print(f"text: {source}")
    print(
        f"topics: {len(topics)} ({args.topics} synthetic x 5 aliases + {len(shipped)} shipped), "
        f"aliases: {aliases}, matcher compile: {compile_ms:.0f} ms"
    )
    print(f"articles: {done}, mean {chars / done:.0f} chars; python {platform.python_version()}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS) of this process: {peak_mb:.0f} MB")
    print(f"{'method (rates per CPU second)':40} {'articles':>9} {'articles/s':>12}")
    for name, n, rate in rows:
        print(f"{name:40} {n:>9} {rate:>12,.0f}")
    print(
        f"matcher wall-clock rate: {matcher_wall_rate:,.0f} articles/s; "
        f"{matched_articles} articles matched, {matches} topic matches; "
        f"on the {len(sample)}-article sample: alternation {alt_hits} / matcher {sample_hits} "
        "(the matcher also applies context, exclusions and acronym case)"
    )
    print(
        json.dumps(
            {
                "articles": done,
                "mean_chars": round(chars / done),
                "topics": len(topics),
                "aliases": aliases,
                "compile_ms": round(compile_ms, 1),
                "per_alias_regex_articles_per_s": round(per_alias_rate, 1),
                "alternation_articles_per_s": round(alternation_rate, 1),
                "matcher_articles_per_s": round(matcher_rate, 1),
                "matcher_wall_articles_per_s": round(matcher_wall_rate, 1),
                "rates": "per CPU second (process_time); wall-clock for the matcher too",
                "matched_articles": matched_articles,
                "target_articles_per_s": 10_000,
                "text_source": "corpus" if "sentences" in source else "generated",
                "peak_rss_mb": round(peak_mb, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
