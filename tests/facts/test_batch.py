"""FactBatch (issue 10): a feed's new articles get the same fact rows as ingest_article gives
them one by one, whether they were analysed ahead of the transaction or not."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import FixedClock
from bot.facts.batch import FactBatch
from bot.facts.ingest import ingest_article
from bot.models import Article
from bot.storage.articles import insert_article
from bot.storage.database import Database

T0 = datetime(2026, 2, 1, 9, tzinfo=UTC)


def _articles() -> list[Article]:
    texts = [
        (
            "Kremlin rejects US peace plan",
            "Dmitry Peskov said on Sunday that Moscow would not accept the plan. "
            "He added that talks could resume in March.",
        ),
        (
            "Ukraine says 40 drones downed overnight",
            "Ukraine's air force said it shot down 40 of 52 drones launched overnight. "
            "Officials in Kharkiv reported damage to a power station.",
        ),
        ("A headline alone", ""),
    ]
    return [
        Article(
            entry_key=f"batch:{n}",
            title=title,
            body=body,
            publisher="Example Wire",
            published=T0 - timedelta(hours=n),
            first_seen=T0,
        )
        for n, (title, body) in enumerate(texts)
    ]


async def _facts(db: Database) -> list[tuple[object, ...]]:
    rows = await db.fetchall("SELECT * FROM facts ORDER BY article_id, position")
    versions = await db.fetchall("SELECT * FROM fact_analysis ORDER BY article_id")
    return [tuple(r) for r in rows] + [tuple(r) for r in versions]


async def _store(db: Database, articles: list[Article]) -> list[Article]:
    stored = []
    async with db.transaction() as tx:
        for article in articles:
            article_id, _ = await insert_article(tx, article)
            stored.append(article.model_copy(update={"id": article_id}))
    return stored


async def test_batch_rows_equal_one_by_one_prepared_or_not(tmp_path: Path) -> None:
    clock = FixedClock(T0)
    results = []
    for mode in ("one_by_one", "prepared", "unprepared"):
        async with Database.open(tmp_path / f"{mode}.sqlite3") as db:
            batch = FactBatch(clock)
            if mode == "prepared":
                await batch.prepare(_articles())
            stored = await _store(db, _articles())
            async with db.transaction() as tx:
                if mode == "one_by_one":
                    added = 0
                    for article in stored:
                        assert article.id is not None
                        added += await ingest_article(tx, article.id, article, clock)
                else:
                    added = await batch.ingest(tx, stored)
            assert added > 4
            async with db.transaction() as tx:  # idempotent, as ingest_article
                assert await batch.ingest(tx, stored) == 0
            results.append(await _facts(db))
    assert results[0] == results[1] == results[2]


async def test_a_changed_text_is_analysed_again(tmp_path: Path) -> None:
    clock = FixedClock(T0)
    async with Database.open(tmp_path / "f.sqlite3") as db:
        batch = FactBatch(clock)
        await batch.prepare(_articles())
        changed = [_articles()[0].model_copy(update={"body": "Talks ended without a deal."})]
        stored = await _store(db, changed)
        async with db.transaction() as tx:
            await batch.ingest(tx, stored)
        texts = [r[0] for r in await db.fetchall("SELECT text FROM facts")]
    assert "Talks ended without a deal." in texts
    assert not any("Peskov" in t for t in texts)
