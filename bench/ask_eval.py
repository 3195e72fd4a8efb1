"""Answer quality of ``ask`` on the development set, split 50/50 (tune / held-out).

The store is built the way a newsroom's is: the five seeds at start-up, then the dev-set
articles from ``../shared/corpus/articles/dev_pool.jsonl`` served as one RSS feed on 127.0.0.1
and added with ``feeds add`` (the real fetch -> parse -> store -> facts path).

The questions (``bench/devsets/ask_questions.jsonl``) were written by a helper that saw only the
article texts. Each has accepted answer phrases and the supporting article ids. A question is
*right* when ``ask`` answers, the answer (lead and quoted evidence) contains an accepted phrase
and a citation comes from a supporting article; an unanswerable one is right when ``ask``
abstains. *Confidently wrong*: answered, and not right.

    .venv/bin/python bench/ask_eval.py                  # both halves
    .venv/bin/python bench/ask_eval.py --half tune --show-misses   # look only at the tune half

Prints a table per half, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import re
import sys
import tempfile
import time
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.models import Answer  # noqa: E402
from bot.services import open_services  # noqa: E402
from bot.settings import Settings  # noqa: E402

POOL = ROOT.parent / "shared" / "corpus" / "articles" / "dev_pool.jsonl"
DEVSET = ROOT / "bench" / "devsets"
SPLIT_SEED = 20261208


def split(items: list[dict], seed: int = SPLIT_SEED) -> tuple[list[dict], list[dict]]:
    """50/50 by a fixed seed: (tune, held_out)."""
    order = sorted(items, key=lambda q: q["qid"])
    random.Random(seed).shuffle(order)
    half = len(order) // 2
    return order[:half], order[half:]


def load_questions() -> list[dict]:
    with open(DEVSET / "ask_questions.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _rss(articles: list[dict], base: str) -> str:
    items = []
    for a in articles:
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in a["text"].split("\n") if p.strip())
        date = ""
        if a["published"]:  # an undated page goes out without a date (first seen counts)
            published = datetime.fromisoformat(a["published"].replace("Z", "+00:00"))
            if published.tzinfo is None:
                published = published.replace(hour=12, tzinfo=UTC)
            date = f"<pubDate>{format_datetime(published)}</pubDate>"
        outlet = a.get("outlet") or "dev pool"
        items.append(
            f"<item><title>{escape(a['title'] or a['text'][:90])}</title>"
            f"<link>{base}/a/{a['id']}</link><guid>{a['id']}</guid>"
            f"<author>{escape(outlet)}</author>"
            f"<description>{escape(paragraphs)}</description>"
            f"{date}</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Dev pool</title><link>{base}</link><description>dev</description>"
        f"{''.join(items)}</channel></rss>"
    )


_DASH = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", " ": " "})


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DASH).casefold()
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 20,000 -> 20000
    return re.sub(r"\s+", " ", text)


def contains(text: str, phrase: str) -> bool:
    p = norm(phrase).strip()
    if not p:
        return False
    return re.search(r"(?<!\w)" + re.escape(p) + r"(?!\w)", norm(text)) is not None


def grade(q: dict, answer: Answer, seed_ids: dict[str, str]) -> str:
    """'right', 'abstained' (answerable, no answer), 'wrong' (answered, not right)."""
    if not q["answerable"]:
        return "right" if answer.abstained else "wrong"
    if answer.abstained:
        return "abstained"
    cited = set()
    for c in answer.citations:
        if c.url and "/a/" in c.url:
            cited.add(c.url.rsplit("/a/", 1)[1])
        elif c.headline in seed_ids:
            cited.add(seed_ids[c.headline])
    lead = answer.answer.split("“", 1)[0] if q["kind"] == "yes_no" else answer.answer
    body = (
        lead if q["kind"] == "yes_no" else lead + " " + " ".join(c.quote for c in answer.citations)
    )
    phrase_ok = any(contains(body, p) for p in q["accept"])
    support_ok = not q["articles"] or bool(cited & set(q["articles"]))
    return "right" if phrase_ok and support_ok else "wrong"


async def build_and_ask(questions: list[dict], workdir: Path) -> dict[str, Answer]:
    answers: dict[str, Answer] = {}

    async def ask_all(services: Any) -> None:
        for q in questions:
            answers[q["qid"]] = await services.facts.ask(q["question"])

    await with_store(workdir, ask_all)
    return answers


async def with_store(workdir: Path, use: Callable[[Any], Awaitable[None]]) -> None:
    """Build the dev store (seeds + dev articles through a local feed), then ``use`` it."""
    ids = json.loads((DEVSET / "ask_articles.json").read_text())
    pool = dev_articles(set(ids))
    app = web.Application()
    state: dict[str, str] = {}

    async def feed(_: web.Request) -> web.Response:
        return web.Response(text=state["xml"], content_type="application/rss+xml")

    app.router.add_get("/feed.xml", feed)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"
    state["xml"] = _rss(pool, base)
    settings = Settings(
        database_path=workdir / "eval.sqlite3",
        seeds_dir=ROOT / "seeds",
        allow_private_hosts=True,
        _env_file=None,  # type: ignore[call-arg]
    )
    try:
        async with open_services(settings) as services:
            t = time.perf_counter()
            await services.feeds.add(f"{base}/feed.xml", 0)
            print(f"ingested {len(pool)} articles in {time.perf_counter() - t:.1f}s", flush=True)
            await use(services)
    finally:
        await runner.cleanup()


def dev_articles(wanted: set[str]) -> list[dict]:
    with open(POOL, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return [r for r in rows if r["id"] in wanted]


def seed_headlines() -> dict[str, str]:
    manifest = json.loads((ROOT / "seeds" / "articles" / "manifest.json").read_text())
    rows = manifest if isinstance(manifest, list) else manifest.get("articles", [])
    out = {}
    for row in rows:
        out[row["headline"]] = "seed:" + row["file"]
    return out


def summarise(name: str, rows: list[tuple[dict, str]]) -> dict[str, float]:
    ans = [g for q, g in rows if q["answerable"]]
    una = [g for q, g in rows if not q["answerable"]]
    wrong = sum(g == "wrong" for _, g in rows)
    out = {
        "questions": len(rows),
        "answerable": len(ans),
        "answerable_right": round(sum(g == "right" for g in ans) / max(len(ans), 1), 3),
        "answerable_abstained": round(sum(g == "abstained" for g in ans) / max(len(ans), 1), 3),
        "unanswerable": len(una),
        "unanswerable_abstained": round(sum(g == "right" for g in una) / max(len(una), 1), 3),
        "confidently_wrong": round(wrong / max(len(rows), 1), 3),
    }
    print(
        f"{name:<9} n={out['questions']:>4}  answerable right {out['answerable_right']:.1%} "
        f"(abstained {out['answerable_abstained']:.1%}, n={out['answerable']})  "
        f"unanswerable abstained {out['unanswerable_abstained']:.1%} (n={out['unanswerable']})  "
        f"confidently wrong {out['confidently_wrong']:.1%}"
    )
    return out


def sweep(tune: list[dict], write: bool = False) -> int:
    """Answer every tuning question as if the threshold were 0, keep the calibrated score of
    the best candidate, and print what each threshold would give."""
    import bot.facts.rerank as rerank  # noqa: PLC0415
    import bot.facts.service as service  # noqa: PLC0415

    fitted = rerank.calibration()
    rerank.calibration.cache_clear()
    open_cal = rerank.Calibration(fitted.weights, fitted.bias, threshold=0.0)
    rerank.calibration = service.calibration = lambda: open_cal  # type: ignore[assignment]
    scores: dict[str, float] = {}
    answers: dict[str, Answer] = {}

    async def use(services: Any) -> None:
        from bot.facts.question import analyse_question  # noqa: PLC0415

        for q in tune:
            analysed = analyse_question(q["question"])
            ranked, _ = services.facts.rank_with_signals(analysed)
            scores[q["qid"]] = ranked[0].score if ranked else 0.0
            if not services.facts.ask_by_words(analysed).abstained:
                scores[q["qid"]] = 1.0  # the word-level path answers whatever the threshold
            answers[q["qid"]] = await services.facts.ask(q["question"])

    with tempfile.TemporaryDirectory(prefix="beatwatch-ask-sweep-") as tmp:
        asyncio.run(with_store(Path(tmp), use))
    seeds = seed_headlines()
    graded = [(q, grade(q, answers[q["qid"]], seeds), scores[q["qid"]]) for q in tune]
    print(f"fitted threshold {fitted.threshold}")
    print("threshold  answerable-right  answered  precision  unanswerable-abstain  wrong/all")
    best_t, best_gain = fitted.threshold, -1e9
    for t in [x / 100 for x in [*range(30, 90, 5), *range(90, 100)]]:
        ans = [(q, g) for q, g, p in graded if q["answerable"]]
        right = sum(g == "right" and scores[q["qid"]] >= t for q, g in ans)
        answered = [(q, g) for q, g, p in graded if p >= t]
        wrong = sum(g != "right" for q, g in answered)
        una = [p for q, g, p in graded if not q["answerable"]]
        print(
            f"  {t:.2f}     {right / len(ans):>8.1%}        {len(answered):>4}    "
            f"{(len(answered) - wrong) / max(len(answered), 1):>7.1%}      "
            f"{sum(p < t for p in una) / max(len(una), 1):>8.1%}          {wrong / len(graded):.1%}"
        )
        if right - 3 * wrong > best_gain:  # a confidently wrong answer costs three right ones
            best_t, best_gain = t, right - 3 * wrong
    print(f"best threshold on this half (right - 3 x wrong): {best_t:.2f}")
    if write:
        path = ROOT / "bot" / "facts" / "calibration.json"
        body = json.loads(path.read_text())
        body["threshold"] = best_t
        body["threshold_chosen_by"] = "bench/ask_eval.py --sweep --write (tuning half)"
        path.write_text(json.dumps(body, indent=1) + "\n")
        print("wrote", path)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=["tune", "held_out", "both"], default="both")
    parser.add_argument("--show-misses", action="store_true", help="print misses (tune half only)")
    parser.add_argument("--dump", type=Path, help="write per-question results (tune half) here")
    parser.add_argument("--write", action="store_true", help="with --sweep: keep the best")
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="the coverage/precision trade-off over abstention thresholds (tune half; with "
        "--half held_out: that half, for the report only, never written)",
    )
    args = parser.parse_args()
    if not POOL.exists():
        print(f"skipped: {POOL} is not there (the dev pool lives outside the repository)")
        return 0
    questions = load_questions()
    tune, held = split(questions)
    if args.sweep:
        return sweep(
            held if args.half == "held_out" else tune, args.write and args.half != "held_out"
        )
    halves = {"tune": tune, "held_out": held}
    chosen = halves if args.half == "both" else {args.half: halves[args.half]}
    asked = [q for qs in chosen.values() for q in qs]
    with tempfile.TemporaryDirectory(prefix="beatwatch-ask-eval-") as tmp:
        t = time.perf_counter()
        answers = asyncio.run(build_and_ask(asked, Path(tmp)))
        elapsed = time.perf_counter() - t
    seeds = seed_headlines()
    result: dict[str, object] = {"split_seed": SPLIT_SEED, "seconds": round(elapsed, 1)}
    digest = hashlib.sha256((DEVSET / "ask_questions.jsonl").read_bytes()).hexdigest()[:12]
    result["devset_sha"] = digest
    for name, qs in chosen.items():
        rows = [(q, grade(q, answers[q["qid"]], seeds)) for q in qs]
        result[name] = summarise(name, rows)
        if name == "tune" and (args.show_misses or args.dump):
            misses = [
                {
                    "qid": q["qid"],
                    "question": q["question"],
                    "kind": q["kind"],
                    "grade": g,
                    "accept": q["accept"],
                    "evidence": q["evidence"],
                    "answer": answers[q["qid"]].answer,
                    "confidence": answers[q["qid"]].confidence,
                }
                for q, g in rows
            ]
            if args.dump:
                args.dump.write_text(json.dumps(misses, indent=1, ensure_ascii=False))
            if args.show_misses:
                for m in misses:
                    if m["grade"] != "right":
                        print(json.dumps(m, ensure_ascii=False))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
