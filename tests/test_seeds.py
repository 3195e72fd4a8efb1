"""Guard: every shipped seed file validates."""

from __future__ import annotations

from bot.seeds import load_seed_articles
from bot.settings import PROJECT_ROOT


def test_seed_articles_validate() -> None:
    arts = load_seed_articles(PROJECT_ROOT / "seeds")
    assert len(arts) == 5
    assert len({a.entry_key for a in arts}) == 5
    for a in arts:
        assert a.title and a.publisher and len(a.body) > 1000
        assert not a.body.startswith(a.title)  # repeated headline stripped
    by_key = {a.entry_key: a for a in arts}
    assert by_key["seed:002_bfea11cc1d1f614f.txt"].published.date().isoformat() == "2026-01-27"
