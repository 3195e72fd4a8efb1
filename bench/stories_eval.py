"""Story grouping quality on blind-labelled real article pairs, split 50/50 (tune / held-out).

Pairs: ``bench/devsets/story_pairs.jsonl`` (``pair``, ``a``, ``b``, ``same``, ``unsure``,
``kind``, ``note``), labelled by helpers that saw only the two texts: same story (one event
across outlets, rewrites, updates, copies) or different stories (a series' consecutive
editions, preview vs outcome, same-day same-topic stories). ``a``/``b`` are record ids in
``../shared/corpus/articles/dev_pool.jsonl``.

Each pair is grouped on its own with :func:`bot.stories.grouper.group_articles` (the code of
``beatwatch stories group``; default 72 h window): predicted "same" when both land in one
story. Pairs marked ``unsure`` are left out of the headline figures (counted separately). The
split is fixed: pair ids sorted, shuffled by ``random.Random(20261208)``; the first half tunes,
the second is held out. Only tune-half misses may be read (``--show-misses``).

    .venv/bin/python bench/stories_eval.py
    .venv/bin/python bench/stories_eval.py --half tune --show-misses
    .venv/bin/python bench/stories_eval.py --no-meaning          # what the meaning rule adds

Prints precision / recall per half, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.models import StoryDoc  # noqa: E402
from bot.stories import grouper  # noqa: E402
from bot.stories.grouper import group_articles  # noqa: E402

POOL = ROOT.parent / "shared" / "corpus" / "articles" / "dev_pool.jsonl"
PAIRS = ROOT / "bench" / "devsets" / "story_pairs.jsonl"
SPLIT_SEED = 20261208
UNDATED = datetime(2026, 1, 1, tzinfo=UTC)  # a record without a date: "first seen" together


def split(ids: list[str], seed: int = SPLIT_SEED) -> tuple[list[str], list[str]]:
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    half = len(order) // 2
    return order[:half], order[half:]


def load_records(ids: set[str]) -> dict[str, dict[str, Any]]:
    out = {}
    with open(POOL, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if rec["id"] in ids:
                out[rec["id"]] = rec
    return out


def doc(rec: dict[str, Any]) -> StoryDoc:
    published = rec.get("published")
    when = datetime.fromisoformat(published.replace("Z", "+00:00")) if published else UNDATED
    return StoryDoc(
        id=rec["id"],
        title=rec.get("title") or "",
        text=rec.get("text") or "",
        outlet=rec.get("outlet") or "",
        published=when,
        url=rec.get("url"),
    )


def evaluate(pairs: list[dict[str, Any]], predicted: dict[str, bool]) -> dict[str, Any]:
    sure = [p for p in pairs if not p["unsure"]]
    tp = sum(1 for p in sure if p["same"] and predicted[p["pair"]])
    fp = sum(1 for p in sure if not p["same"] and predicted[p["pair"]])
    fn = sum(1 for p in sure if p["same"] and not predicted[p["pair"]])
    unsure = [p for p in pairs if p["unsure"]]
    return {
        "pairs": len(sure),
        "same": tp + fn,
        "different": len(sure) - tp - fn,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "unsure_pairs": len(unsure),
        "unsure_agree": sum(1 for p in unsure if p["same"] == predicted[p["pair"]]),
    }


def print_half(name: str, r: dict[str, Any]) -> None:
    print(
        f"{name:9} {r['pairs']:>4} pairs ({r['same']} same / {r['different']} different): "
        f"precision {r['precision']:.3f} ({r['tp']}/{r['tp'] + r['fp']}), "
        f"recall {r['recall']:.3f} ({r['tp']}/{r['same']}); "
        f"unsure pairs agreeing with the label {r['unsure_agree']}/{r['unsure_pairs']}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--show-misses", action="store_true", help="print the TUNE half's misses")
    ap.add_argument("--half", choices=("both", "tune"), default="both")
    ap.add_argument(
        "--no-meaning", action="store_true", help="ablation: without the headline-meaning rule"
    )
    args = ap.parse_args()
    if args.no_meaning:
        grouper.MEANING_MIN = 2.0  # a cosine never reaches it
    if not POOL.exists():
        print(f"skipped: {POOL} is absent (the pairs' texts live there)")
        return 0
    with open(PAIRS, encoding="utf-8") as f:
        pairs = [json.loads(line) for line in f if line.strip()]
    records = load_records({p["a"] for p in pairs} | {p["b"] for p in pairs})
    pairs = [p for p in pairs if p["a"] in records and p["b"] in records]
    predicted: dict[str, bool] = {}
    for p in pairs:
        groups = group_articles([doc(records[p["a"]]), doc(records[p["b"]])])
        predicted[p["pair"]] = groups[p["a"]] == groups[p["b"]]
    tune_ids, held_ids = split([p["pair"] for p in pairs])
    by_id = {p["pair"]: p for p in pairs}
    results = {"tune": evaluate([by_id[i] for i in tune_ids], predicted)}
    if args.half == "both":
        results["held_out"] = evaluate([by_id[i] for i in held_ids], predicted)
    print(f"{len(pairs)} labelled pairs, split seed {SPLIT_SEED}")
    for name, r in results.items():
        print_half(name, r)
    if args.show_misses:
        print("\nTUNE-half misses:")
        for i in tune_ids:
            p = by_id[i]
            if p["same"] == predicted[i]:
                continue
            kind = "merged (FP)" if predicted[i] else "missed (FN)"
            print(f"\n[{kind}] {i} {p['kind']} unsure={p['unsure']} note: {p['note']}")
            for key in ("a", "b"):
                r = records[p[key]]
                text = " ".join((r.get("text") or "").split())[:500]
                print(f"  {key}: {r.get('outlet')} {r.get('published')} | {r.get('title')}")
                print(f"     {text}")
    print(json.dumps({"split_seed": SPLIT_SEED, **results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
