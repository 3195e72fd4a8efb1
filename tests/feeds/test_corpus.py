"""Robustness: every captured real feed and every feedparser test file goes through
parse + normalise (+ topic matching when the topics area is present) without an exception."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.feeds.parser import parse_feed
from bot.settings import PROJECT_ROOT
from bot.storage.database import Database
from tests.conftest import shared_path

NOW = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def matcher(tmp_path: Path) -> Any:
    """The shipped topics' matcher, or None when the topics area is not there yet."""
    try:
        from bot.topics.service import TopicService
    except ImportError:
        return None
    seeds = PROJECT_ROOT / "seeds" / "topics.json"
    if not seeds.exists():
        return None
    async with Database.open(tmp_path / "topics.sqlite3") as db:
        topics = TopicService(db, FixedClock(NOW))
        await topics.load_seeds(seeds)
        return await topics.matcher_for(0)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _run(files: list[Path], matcher: Any) -> tuple[int, int]:
    feeds = entries = 0
    for path in files:
        parsed = parse_feed(path.read_bytes(), {}, "https://corpus.example/feed", NOW)
        parsed.problems()
        feeds += parsed.is_feed
        for item in parsed.entries:
            art = item.article
            assert art.title and art.entry_key and art.published.tzinfo is not None, path
            assert "<script" not in art.body.lower() and "<p>" not in art.summary, path
            if matcher is not None:
                matcher.match(art.title, art.summary, art.body)
            entries += 1
    return feeds, entries


def test_real_feed_captures(matcher: Any):
    files = _files(shared_path("corpus", "feeds"))
    feeds, entries = _run(files, matcher)
    assert feeds == len(files)  # every real capture is recognised as a feed
    assert entries > 1000


def test_feedparser_test_suite_files(matcher: Any):
    files = _files(shared_path("corpus", "feedparser-tests"))
    assert len(files) > 1000
    _run(files, matcher)
