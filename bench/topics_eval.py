"""Topic matching quality on the blind-labelled development set, split 50/50 (tune / held-out).

Labels: ``bench/devsets/topic_labels.jsonl`` (one line per record: ``id``, ``donbas``,
``security_guarantees``, ``trilateral_talks``, ``lang``, ``note``), written by helpers that saw
only the texts and the beats' rules of issue 14, never the matcher. Record ids point into
``../shared/corpus/articles/dev_pool.jsonl``; ``seed:<file>#n`` ids are passages in
``bench/devsets/topic_seed_passages.json``. The labellers saw the title and the text cut at 4000
characters, so the matcher is run on the same (title, text[:4000]).

The split is fixed: ids sorted, shuffled by ``random.Random(20261208)``; the first half is the
tune half, the second the held-out half. Only the tune half's misses may be read
(``--show-misses``); the held-out half is reported as figures only.

    .venv/bin/python bench/topics_eval.py                       # both halves
    .venv/bin/python bench/topics_eval.py --show-misses         # + the tune half's misses
    .venv/bin/python bench/topics_eval.py --half tune           # hide the held-out half
    .venv/bin/python bench/topics_eval.py --no-concepts         # what the concepts add

Prints a table per half (precision, recall, F1 per beat, macro F1, recall of positives per
language), then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.models import Match, Topic  # noqa: E402
from bot.topics.matcher import Matcher  # noqa: E402
from bot.topics.rules import is_concept  # noqa: E402
from bot.topics.service import read_seed_topics  # noqa: E402

POOL = ROOT.parent / "shared" / "corpus" / "articles" / "dev_pool.jsonl"
DEVSET = ROOT / "bench" / "devsets"
SPLIT_SEED = 20261208
TEXT_CHARS = 4000
BEATS = {
    "donbas": "Donbas",
    "security_guarantees": "security guarantees",
    "trilateral_talks": "trilateral talks",
}


def split(ids: Sequence[str], seed: int = SPLIT_SEED) -> tuple[list[str], list[str]]:
    """50/50 by a fixed seed: (tune, held_out)."""
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    half = len(order) // 2
    return order[:half], order[half:]


def load_labels() -> list[dict[str, Any]]:
    with open(DEVSET / "topic_labels.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_texts(ids: set[str]) -> dict[str, tuple[str, str]]:
    """id -> (title, text[:4000]) for the labelled records."""
    out: dict[str, tuple[str, str]] = {}
    with open(POOL, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if rec["id"] in ids:
                out[rec["id"]] = (rec.get("title") or "", (rec.get("text") or "")[:TEXT_CHARS])
    seeds = json.loads((DEVSET / "topic_seed_passages.json").read_text(encoding="utf-8"))
    for rec in seeds:
        if rec["id"] in ids:
            out[rec["id"]] = (rec.get("title") or "", (rec.get("text") or "")[:TEXT_CHARS])
    return out


def shipped_topics(path: Path, concepts: bool = True) -> list[Topic]:
    def keep(terms: tuple[str, ...]) -> tuple[str, ...]:
        return terms if concepts else tuple(t for t in terms if not is_concept(t))

    return [
        Topic(
            id=i,
            name=r.name,
            any_of=keep(r.any_of),
            all_of=tuple(keep(g) for g in r.all_of),
            none_of=keep(r.none_of),
        )
        for i, r in enumerate(read_seed_topics(path), 1)
    ]


def scores(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate(
    ids: list[str],
    labels: dict[str, dict[str, Any]],
    found: dict[str, dict[str, Match]],
) -> dict[str, Any]:
    beats: dict[str, Any] = {}
    langs: dict[str, list[int]] = {}  # lang -> [positives found, positives]
    for key, name in BEATS.items():
        tp = fp = fn = 0
        for i in ids:
            gold = bool(labels[i][key])
            got = name in found[i]
            tp += gold and got
            fp += got and not gold
            fn += gold and not got
            if gold:
                lang = labels[i].get("lang") or "?"
                slot = langs.setdefault(lang, [0, 0])
                slot[0] += got
                slot[1] += 1
        p, r, f = scores(tp, fp, fn)
        beats[key] = {"tp": tp, "fp": fp, "fn": fn, "positives": tp + fn, "p": p, "r": r, "f1": f}
    macro = sum(b["f1"] for b in beats.values()) / len(beats)
    return {
        "n": len(ids),
        "beats": beats,
        "macro_f1": macro,
        "lang_recall": {k: {"found": v[0], "positives": v[1]} for k, v in sorted(langs.items())},
    }


def print_half(name: str, res: dict[str, Any]) -> None:
    print(f"\n{name}: {res['n']} records")
    print(f"{'beat':22} {'pos':>4} {'tp':>4} {'fp':>4} {'fn':>4} {'P':>6} {'R':>6} {'F1':>6}")
    for key, b in res["beats"].items():
        print(
            f"{key:22} {b['positives']:>4} {b['tp']:>4} {b['fp']:>4} {b['fn']:>4} "
            f"{b['p']:>6.3f} {b['r']:>6.3f} {b['f1']:>6.3f}"
        )
    print(f"macro F1 {res['macro_f1']:.3f}")
    langs = ", ".join(f"{k} {v['found']}/{v['positives']}" for k, v in res["lang_recall"].items())
    print(f"recall of positives by language: {langs}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed-topics", type=Path, default=ROOT / "seeds" / "topics.json")
    ap.add_argument("--show-misses", action="store_true", help="print the TUNE half's misses")
    ap.add_argument(
        "--half", choices=("both", "tune"), default="both", help="'tune': hide the held-out half"
    )
    ap.add_argument(
        "--no-concepts", action="store_true", help="ablation: the rules without their concepts"
    )
    args = ap.parse_args()
    if not POOL.exists():
        print(f"skipped: {POOL} is absent (the labelled records' texts live there)")
        return 0
    rows = load_labels()
    labels = {r["id"]: r for r in rows}
    texts = load_texts(set(labels))
    missing = sorted(set(labels) - set(texts))
    if missing:
        print(f"warning: {len(missing)} labelled ids have no text (left out): {missing[:5]}")
    ids = [i for i in labels if i in texts]
    tune, held = split(ids)
    matcher = Matcher(shipped_topics(args.seed_topics, concepts=not args.no_concepts))
    t0 = time.perf_counter()
    found: dict[str, dict[str, Match]] = {}
    for i in ids:
        title, text = texts[i]
        matches = matcher.match(title, "", text)
        found[i] = {m.topic: m for m in matches}
    ms = (time.perf_counter() - t0) * 1000
    results = {"tune": evaluate(tune, labels, found), "held_out": evaluate(held, labels, found)}
    print(
        f"{len(ids)} labelled records ({len(tune)} tune / {len(held)} held-out), split seed "
        f"{SPLIT_SEED}; "
        f"matched in {ms:.0f} ms"
    )
    print_half("tune", results["tune"])
    if args.half == "tune":
        del results["held_out"]
    else:
        print_half("held-out", results["held_out"])
    if args.show_misses:
        print("\nTUNE-half misses:")
        for i in tune:
            for key, name in BEATS.items():
                gold = bool(labels[i][key])
                got = name in found[i]
                if gold == got:
                    continue
                title, text = texts[i]
                kind = "FN" if gold else "FP"
                print(f"\n[{kind} {key}] {i} ({labels[i].get('lang')}) note: {labels[i]['note']}")
                if got:
                    m = found[i][name]
                    print(f"  matched {m.alias!r} in {m.field}: {m.snippet}")
                print(f"  title: {title[:200]}")
                print(f"  text: {' '.join(text.split())[:1200]}")
    print(
        json.dumps(
            {
                "split_seed": SPLIT_SEED,
                "tune": results["tune"],
                "held_out": results.get("held_out"),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
