"""The story index is loaded only by what assigns stories (issue 10): read-only commands never
pay for it, the first assignment loads it (with what was grouped before), once."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FixedClock
from bot.models import Article
from bot.services import Services, open_services
from bot.settings import Settings
from bot.storage.articles import insert_article


def _article(n: int, clock: FixedClock) -> Article:
    when = clock.now() - timedelta(hours=1)
    return Article(
        entry_key=f"lazy:{n}",
        url=f"https://lazy.example/{n}",
        title="Drone strike hits Kharkiv power station, officials say",
        body="A drone strike hit a power station in Kharkiv overnight, cutting power to "
        f"thousands of homes, regional officials said on Sunday. Report {n}.",
        publisher=f"Outlet {n}",
        published=when,
        first_seen=when,
    )


async def _assign(services: Services, article: Article) -> int:
    async with services.db.transaction() as tx:
        article_id, _ = await insert_article(tx, article)
        ref = await services.stories.assign(tx, article.model_copy(update={"id": article_id}))
    return ref.story_id


async def test_reads_never_load_the_index_and_the_first_assignment_does(
    settings: Settings, clock: FixedClock
) -> None:
    async with open_services(settings, clock) as services:
        assert not services.stories.loaded
        await services.facts.ask("Who denied the FT report?")
        await services.feeds.status(None)
        assert not services.stories.loaded
        first = await _assign(services, _article(1, clock))
        assert services.stories.loaded
    # A new process: the story grouped before is found again once the index loads.
    async with open_services(settings, clock) as services:
        assert not services.stories.loaded
        assert await _assign(services, _article(2, clock)) == first
        assert services.stories.loaded


async def test_concurrent_first_callers_load_once(settings: Settings, clock: FixedClock) -> None:
    import asyncio

    async with open_services(settings, clock) as services:
        calls = 0
        load = services.stories.load

        async def counted() -> int:
            nonlocal calls
            calls += 1
            return await load()

        services.stories.load = counted  # type: ignore[method-assign]
        await asyncio.gather(*(services.stories.ensure_loaded() for _ in range(5)))
        assert calls == 1 and services.stories.loaded
