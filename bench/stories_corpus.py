"""Real news text for the story benchmarks and the shipped background document frequencies.

python bench/stories_corpus.py --write-docfreq   # rebuild bot/stories/docfreq.txt

Entries come from ../shared/corpus/feeds (45 real feed captures) plus the seed articles; when
../shared is absent, ``load_entries`` returns only the seeds.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.seeds import load_seed_articles  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.stories.features import clean_text, extract  # noqa: E402

FEEDS = ROOT.parent / "shared" / "corpus" / "feeds"
DOCFREQ = ROOT / "bot" / "stories" / "docfreq.txt"
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Entry:
    source: str
    title: str
    text: str


def load_entries() -> list[Entry]:
    import html

    import feedparser

    entries: list[Entry] = []
    seeds = load_seed_articles(Settings(_env_file=None).seeds_dir)  # type: ignore[call-arg]
    entries.extend(Entry(a.publisher, a.title, a.text) for a in seeds)
    if not FEEDS.exists():
        return entries
    for path in sorted(FEEDS.iterdir()):
        parsed = feedparser.parse(path.read_bytes())
        for e in parsed.entries:
            title = html.unescape(_TAG.sub(" ", e.get("title", "") or "")).strip()
            text = e.get("summary", "") or ""
            if e.get("content"):
                body = e.content[0].get("value", "") or ""
                if len(body) > len(text):
                    text = body
            text = clean_text(html.unescape(_TAG.sub(" ", text)))
            if title:
                entries.append(Entry(path.name.split("__")[-1], title, text))
    return entries


def write_docfreq(min_df: int = 2) -> int:
    entries = load_entries()
    df: dict[str, int] = {}
    for e in entries:
        for term in extract(e.title, e.text).terms:
            df[term] = df.get(term, 0) + 1
    lines = [
        "# Background document frequencies for story grouping (bench/stories_corpus.py).",
        "# Terms of real news feed entries (../shared/corpus/feeds) and the seed articles.",
        f"__docs__ {len(entries)}",
    ]
    lines += [
        f"{t} {c}" for t, c in sorted(df.items(), key=lambda kv: (-kv[1], kv[0])) if c >= min_df
    ]
    DOCFREQ.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 3


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write-docfreq", action="store_true")
    args = parser.parse_args()
    if args.write_docfreq:
        n = write_docfreq()
        sys.stdout.write(f"wrote {DOCFREQ} ({n} terms)\n")
    else:
        sys.stdout.write(f"{len(load_entries())} entries\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
