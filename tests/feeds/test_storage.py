"""bot.storage.feeds bulk article insert behaves like articles.insert_article."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.models import Article
from bot.storage import feeds as store
from bot.storage.articles import get_article, insert_article
from bot.storage.database import Database

WHEN = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)


def _article(key: str, title: str) -> Article:
    return Article(
        entry_key=key, url=f"https://x.org/{key}", title=title, summary="s", body="b",
        publisher="X", published=WHEN, first_seen=WHEN, language="en",
    )  # fmt: skip


async def test_insert_articles_matches_insert_article(db: Database):
    async with db.transaction() as tx:
        old_id, _ = await insert_article(tx, _article("a", "Known"))
        result = await store.insert_articles(
            tx, [_article("b", "New"), _article("a", "Known again"), _article("c", "Newer")]
        )
        one_by_one, created = await insert_article(tx, _article("d", "Single"))
    assert [c for _, c in result] == [True, False, True] and created
    assert result[1][0] == old_id
    bulk = await get_article(db.reader, result[0][0])
    single = await get_article(db.reader, one_by_one)
    assert bulk is not None and single is not None and bulk.title == "New"
    row = await db.fetchone("SELECT content_hash FROM articles WHERE id = ?", (result[0][0],))
    from bot.storage.articles import content_hash

    assert row is not None and row[0] == content_hash("New", bulk.text)
    async with db.transaction() as tx:
        assert await store.insert_articles(tx, []) == []
