"""StoryService against a real SQLite file: durable stories, stable ids, rollback, restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.models import Article
from bot.seeds import load_seed_articles
from bot.settings import PROJECT_ROOT, Settings
from bot.storage.articles import insert_article
from bot.storage.database import Database
from bot.stories.service import StoryService

T0 = datetime(2026, 1, 28, 7, 0, tzinfo=UTC)


def article(
    key: str, title: str, text: str, publisher: str, hours: float = 0, url: str | None = None
) -> Article:
    when = T0 + timedelta(hours=hours)
    return Article(
        entry_key=key,
        url=url,
        title=title,
        summary=text,
        publisher=publisher,
        published=when,
        first_seen=when,
    )


STRIKE_A = article(
    "a",
    "Russian missile strike on Kramatorsk kills four, injures 19",
    "A Russian missile struck a residential area of Kramatorsk in eastern Ukraine on Wednesday "
    "morning, killing four people and wounding 19, regional governor Vadym Filashkin said.",
    "Reuters",
)
STRIKE_B = article(
    "b",
    "Four killed as Russia hits apartment block in Kramatorsk",
    "Four civilians were killed and 19 injured when a Russian Iskander missile hit a five-storey "
    "apartment building in Kramatorsk, Donetsk Oblast Governor Vadym Filashkin reported.",
    "Kyiv Independent",
    hours=2,
)
STRIKE_C = article(
    "c",
    "Kramatorsk: death toll from Russian missile strike rises, 19 wounded",
    "Russia's missile strike on a Kramatorsk apartment building killed four people and wounded "
    "19, Donetsk governor Vadym Filashkin said, as rescuers searched the rubble.",
    "Suspilne",
    hours=3,
)
OTHER = article(
    "d",
    "US ties security guarantees to Donbas withdrawal",
    "Washington has told Kyiv that US security guarantees will follow only once Ukraine agrees "
    "to withdraw its troops from the Donbas, people familiar with the talks said.",
    "Financial Times",
    hours=1,
)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database.open(tmp_path / "stories.sqlite3") as database:
        yield database


@pytest.fixture
def story_clock() -> FixedClock:
    return FixedClock(T0 + timedelta(hours=4))


async def store_and_assign(db: Database, svc: StoryService, art: Article):
    async with db.transaction() as tx:
        article_id, _ = await insert_article(tx, art)
        return await svc.assign(tx, art.model_copy(update={"id": article_id}))


async def test_one_story_across_outlets_with_first_reporter_and_outlets(
    db: Database, story_clock: FixedClock, settings: Settings
) -> None:
    svc = StoryService(db, story_clock, settings)
    await svc.load()
    first = await store_and_assign(db, svc, STRIKE_A)
    other = await store_and_assign(db, svc, OTHER)
    second = await store_and_assign(db, svc, STRIKE_B)
    third = await store_and_assign(db, svc, STRIKE_C)

    assert first.is_new and other.is_new and other.story_id != first.story_id
    assert not second.is_new and second.story_id == first.story_id
    assert third.story_id == first.story_id
    assert third.article_count == 3
    assert third.outlets == ["Reuters", "Kyiv Independent", "Suspilne"]
    assert third.first_publisher == "Reuters"
    assert third.title == STRIKE_A.title
    assert third.first_published == STRIKE_A.published

    assert await svc.get(first.story_id) == third.model_copy(update={"is_new": False})
    assert [a.publisher for a in await svc.articles_of(first.story_id)] == [
        "Reuters",
        "Kyiv Independent",
        "Suspilne",
    ]
    active = await svc.stories_since(T0)
    assert {s.story_id for s in active} == {first.story_id, other.story_id}


async def test_assign_is_idempotent(
    db: Database, story_clock: FixedClock, settings: Settings
) -> None:
    svc = StoryService(db, story_clock, settings)
    ref = await store_and_assign(db, svc, STRIKE_A)
    again = await store_and_assign(db, svc, STRIKE_A)  # same entry key -> same article id
    assert again == ref
    joined = await store_and_assign(db, svc, STRIKE_B)
    assert (await store_and_assign(db, svc, STRIKE_B)) == joined
    assert joined.article_count == 2


async def test_earlier_publication_arriving_later_becomes_first_reporter(
    db: Database, story_clock: FixedClock, settings: Settings
) -> None:
    svc = StoryService(db, story_clock, settings)
    late = await store_and_assign(db, svc, STRIKE_B)
    early = await store_and_assign(db, svc, STRIKE_A)  # published 2h before B, seen after it
    assert early.story_id == late.story_id
    assert early.first_publisher == "Reuters"
    assert early.title == STRIKE_A.title
    assert early.outlets == ["Kyiv Independent", "Reuters"]  # the order they joined


async def test_rolled_back_assignment_leaves_no_trace(
    db: Database, story_clock: FixedClock, settings: Settings
) -> None:
    svc = StoryService(db, story_clock, settings)
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            article_id, _ = await insert_article(tx, STRIKE_A)
            ref = await svc.assign(tx, STRIKE_A.model_copy(update={"id": article_id}))
            assert ref.is_new
            raise RuntimeError("crash after assign, before commit")
    # The article and its story are gone from the database; the index must forget them too,
    # so the next article of that story starts a story that really exists.
    ref = await store_and_assign(db, svc, STRIKE_B)
    assert ref.is_new
    assert await svc.get(ref.story_id) is not None
    assert len(svc.index.docs) == 1
    joined = await store_and_assign(db, svc, STRIKE_A)
    assert joined.story_id == ref.story_id and joined.article_count == 2


async def test_two_articles_of_one_story_in_one_transaction_group(
    db: Database, story_clock: FixedClock, settings: Settings
) -> None:
    svc = StoryService(db, story_clock, settings)
    async with db.transaction() as tx:
        refs = []
        for art in (STRIKE_A, OTHER, STRIKE_B):
            article_id, _ = await insert_article(tx, art)
            refs.append(await svc.assign(tx, art.model_copy(update={"id": article_id})))
    assert refs[2].story_id == refs[0].story_id != refs[1].story_id
    assert await svc.reconcile() == 0  # all committed, nothing dropped
    assert svc._pending == {}


async def test_restart_rebuilds_the_index_and_ids_stay_stable(
    tmp_path: Path, story_clock: FixedClock, settings: Settings
) -> None:
    path = tmp_path / "restart.sqlite3"
    async with Database.open(path) as db:
        svc = StoryService(db, story_clock, settings)
        await svc.load()
        first = await store_and_assign(db, svc, STRIKE_A)
        await store_and_assign(db, svc, OTHER)
    async with Database.open(path) as db:
        svc = StoryService(db, story_clock, settings)
        assert await svc.load() == 2
        joined = await store_and_assign(db, svc, STRIKE_B)
        assert joined.story_id == first.story_id
        assert joined.outlets == ["Reuters", "Kyiv Independent"]


async def test_articles_outside_the_window_start_a_new_story(
    db: Database, story_clock: FixedClock, settings: Settings
) -> None:
    svc = StoryService(db, story_clock, settings)
    first = await store_and_assign(db, svc, STRIKE_A)
    much_later = STRIKE_B.model_copy(
        update={
            "entry_key": "b-later",
            "published": STRIKE_A.published + timedelta(hours=settings.story_window_hours + 1),
        }
    )
    assert (await store_and_assign(db, svc, much_later)).story_id != first.story_id


async def test_seed_articles_002_and_003_share_a_story(
    db: Database, story_clock: FixedClock, settings: Settings
) -> None:
    svc = StoryService(db, story_clock, settings)
    refs = {}
    for art in load_seed_articles(PROJECT_ROOT / "seeds"):
        refs[art.entry_key[5:8]] = await store_and_assign(db, svc, art)
    assert refs["003"].story_id == refs["002"].story_id
    assert refs["003"].article_count == 2
    assert len({refs[k].story_id for k in ("000", "001", "002", "004")}) == 4


async def test_services_expose_a_loaded_story_service(services) -> None:  # type: ignore[no-untyped-def]
    ref = await store_and_assign(services.db, services.stories, STRIKE_A)
    assert (await services.stories.get(ref.story_id)) == ref.model_copy(update={"is_new": False})


async def test_settling_outside_a_transaction_never_drops_an_open_ones_work(
    db: Database, story_clock: FixedClock, settings: Settings
) -> None:
    svc = StoryService(db, story_clock, settings)
    async with db.transaction() as tx:
        article_id, _ = await insert_article(tx, STRIKE_A)
        await svc.assign(tx, STRIKE_A.model_copy(update={"id": article_id}))
        assert await svc.reconcile() == 0  # e.g. another task looking while this one writes
        assert article_id in svc.index.docs
    ref = await store_and_assign(db, svc, STRIKE_B)
    assert ref.article_count == 2


async def test_committed_entries_stop_being_tracked(
    db: Database, story_clock: FixedClock, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.stories import service as service_module

    monkeypatch.setattr(service_module, "CONFIRM_AT", 2)
    svc = StoryService(db, story_clock, settings)
    for art in (STRIKE_A, OTHER, STRIKE_B, STRIKE_C):
        await store_and_assign(db, svc, art)
    assert len(svc._pending) < 2  # confirmed on the read connection as they pile up
    assert len(svc.index.docs) == 4
