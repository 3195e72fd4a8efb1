"""Upgrading the analysis: a deployed store gets the better answers without re-fetching."""

from bot.clock import FixedClock
from bot.facts.ingest import ANALYSIS_VERSION
from bot.facts.service import FactService
from bot.storage.database import Database

from .conftest import SEEDS

_LUHANSK = "How much of Luhansk does Russia control?"


async def _age(db: Database) -> None:
    """Make the store look like an older release wrote it: version 1, no word shares."""
    async with db.transaction() as tx:
        await tx.execute("UPDATE fact_analysis SET version = 1")
        await tx.execute("UPDATE facts SET quantities = '[]' WHERE text LIKE '%nearly all of%'")


async def test_start_up_reanalyses_facts_of_an_older_analysis(
    seeded_db: Database, clock: FixedClock
) -> None:
    await _age(seeded_db)
    added_before = await seeded_db.fetchall(
        "SELECT article_id, min(added_at) FROM facts GROUP BY article_id ORDER BY article_id"
    )
    old = FactService(seeded_db, clock)
    assert not (await old.ask(_LUHANSK)).answer.startswith("nearly all")
    old.close()

    service = FactService(seeded_db, clock)
    assert await service.ingest_seeds(SEEDS) == 0  # the start-up path: no new facts...
    answer = await service.ask(_LUHANSK)  # ...but the stored ones are redone
    assert answer.answer.startswith("nearly all of Luhansk"), answer.answer
    versions = await seeded_db.fetchall("SELECT DISTINCT version FROM fact_analysis")
    assert [v[0] for v in versions] == [ANALYSIS_VERSION]
    added_after = await seeded_db.fetchall(
        "SELECT article_id, min(added_at) FROM facts GROUP BY article_id ORDER BY article_id"
    )
    assert [tuple(r) for r in added_after] == [tuple(r) for r in added_before]  # digests unmoved
    service.close()


async def test_nothing_outdated_leaves_the_store_untouched(
    seeded_db: Database, clock: FixedClock
) -> None:
    ids = await seeded_db.fetchall("SELECT id FROM facts ORDER BY id")
    service = FactService(seeded_db, clock)
    assert await service.reanalyse_outdated() == 0
    assert await service.ingest_seeds(SEEDS) == 0
    assert await seeded_db.fetchall("SELECT id FROM facts ORDER BY id") == ids
    # the index matches the rows after a re-analysis too
    await _age(seeded_db)
    assert await service.reanalyse_outdated() == 5
    assert await service.reanalyse_outdated() == 0
    indexed = await seeded_db.fetchval("SELECT count(*) FROM facts_fts")
    assert indexed == await seeded_db.fetchval("SELECT count(*) FROM facts")
    service.close()
