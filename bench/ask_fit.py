"""Fit the answer decision of ``ask`` on the TUNING half of the development set only.

For every tuning question, the candidates ``FactService.rank_with_signals`` returns are
labelled: a candidate supports the answer when it comes from a supporting article and holds an
accepted phrase or most of the gold evidence sentence's words. A logistic regression over the
signals of ``bot.facts.rerank`` (numpy, L2, classes balanced) gives the weights; the threshold
is the one that maximises right answers minus three times wrong ones on the tuning half (the
top candidate stands in for the answer). Writes ``bot/facts/calibration.json``.

    .venv/bin/python bench/ask_fit.py            # fit and write
    .venv/bin/python bench/ask_fit.py --dry-run  # fit and print only

The held-out half is never read here; ``bench/ask_eval.py`` reports both halves.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ask_eval import POOL, contains, load_questions, norm, split, with_store  # noqa: E402

from bot.facts.question import analyse_question  # noqa: E402
from bot.facts.rerank import FEATURES  # noqa: E402
from bot.facts.terms import content_terms  # noqa: E402

TOP = 40  # candidates per question used for fitting


def supports(q: dict, text: str, article_ok: bool) -> bool:
    if not q["answerable"] or not article_ok:
        return False
    if any(contains(text, p) for p in q["accept"]) and len(q["accept"]) and q["kind"] != "yes_no":
        return True
    gold = set(content_terms(q["evidence"]))
    have = set(content_terms(text))
    return bool(gold) and len(gold & have) >= 0.6 * min(len(gold), max(len(have), 1))


def article_of(fact: Any, seeds: dict[str, str]) -> str:
    if fact.url and "/a/" in fact.url:
        return str(fact.url.rsplit("/a/", 1)[1])
    return seeds.get(fact.headline, "")


async def collect(questions: list[dict], workdir: Path) -> list[dict]:
    from ask_eval import seed_headlines  # noqa: PLC0415

    seeds = seed_headlines()
    out: list[dict] = []

    async def use(services: Any) -> None:
        for q in questions:
            ranked, sigs = services.facts.rank_with_signals(analyse_question(q["question"]))
            rows = []
            for s, sig in list(zip(ranked, sigs, strict=True))[:TOP]:
                ok = article_of(s.fact, seeds) in set(q["articles"])
                rows.append({"x": [sig[k] for k in FEATURES], "y": supports(q, s.fact.text, ok)})
            out.append({"q": q, "rows": rows})

    await with_store(workdir, use)
    return out


def fit(x: np.ndarray, y: np.ndarray, l2: float = 0.01, steps: int = 3000) -> np.ndarray:
    """Logistic regression by gradient descent; classes weighted to balance."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    pos = max(y.sum(), 1)
    neg = max(len(y) - y.sum(), 1)
    sample = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * neg))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(xb @ w)))
        grad = xb.T @ ((p - y) * sample) / len(y) + l2 * np.r_[w[:-1], 0]
        w -= 1.0 * grad
    return w


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    if not POOL.exists():
        print(f"skipped: {POOL} is not there")
        return 0
    tune, _held_out = split(load_questions())
    with tempfile.TemporaryDirectory(prefix="beatwatch-ask-fit-") as tmp:
        data = asyncio.run(collect(tune, Path(tmp)))
    xs = [r["x"] for d in data for r in d["rows"]]
    ys = [r["y"] for d in data for r in d["rows"]]
    x = np.array(xs, dtype=float)
    y = np.array(ys, dtype=float)
    print(f"tuning questions {len(data)}  candidates {len(y)}  supporting {int(y.sum())}")
    w = fit(x, y)
    weights = {k: round(float(v), 4) for k, v in zip(FEATURES, w[:-1], strict=True)}
    bias = round(float(w[-1]), 4)
    print("weights", weights, "bias", bias)
    # threshold: answer when the best candidate's probability clears it
    tops = []
    for d in data:
        if not d["rows"]:
            tops.append((0.0, False, d["q"]["answerable"]))
            continue
        probs = [1 / (1 + np.exp(-(np.dot(r["x"], w[:-1]) + w[-1]))) for r in d["rows"]]
        best = int(np.argmax(probs))
        tops.append((float(probs[best]), bool(d["rows"][best]["y"]), d["q"]["answerable"]))
    best_t, best_gain = 0.5, -1e9
    print(" thr   answered  right  wrong  unans-abstain")
    for t in np.arange(0.05, 0.96, 0.05):
        answered = [(ok, a) for p, ok, a in tops if p >= t]
        right = sum(ok for ok, _ in answered)
        wrong = len(answered) - right
        una = [p for p, _, a in tops if not a]
        una_abst = sum(p < t for p in una) / max(len(una), 1)
        gain = right - 3 * wrong
        print(f" {t:.2f}  {len(answered):>8}  {right:>5}  {wrong:>5}  {una_abst:>12.1%}")
        if gain > best_gain:
            best_t, best_gain = float(t), gain
    print("threshold", round(best_t, 2))
    if not args.dry_run:
        out = ROOT / "bot" / "facts" / "calibration.json"
        body = {
            "fitted_by": "bench/ask_fit.py on the tuning half of bench/devsets/ask_questions.jsonl",
            "weights": weights,
            "bias": bias,
            "threshold": round(best_t, 2),
        }
        out.write_text(json.dumps(body, indent=1) + "\n")
        print("wrote", out)
    _ = norm
    return 0


if __name__ == "__main__":
    sys.exit(main())
