"""Fixtures for driving the real bot against the fake Discord.

- ``fake``: a started FakeDiscord (function-scoped) on the test's clock (nonces expire with it).
- ``start_bot()``: builds the real ``BeatwatchBot`` (real setup_hook, cogs, scheduler, SQLite in
  tmp_path), connects it to the fake and waits until it is ready. Bots are closed at teardown.
- Every test fails on an ERROR logged by ``discord.*`` (or ``bot.*``/``cogs.*``) loggers, and on
  any request the fake had to refuse, unless the test takes ``expect_refusals``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import BeatwatchBot
from bot.clock import FixedClock
from bot.settings import PROJECT_ROOT, Settings
from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.feed_server import FeedServer

WATCHED_LOGGERS = ("discord", "bot", "cogs")


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in WATCHED_LOGGERS:
            self.records.append(record)


@pytest.fixture(autouse=True)
def fail_on_logged_errors() -> Iterator[_ErrorCollector]:
    collector = _ErrorCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    old = root.level
    if root.level > logging.INFO:
        root.setLevel(logging.INFO)
    try:
        yield collector
    finally:
        root.removeHandler(collector)
        root.setLevel(old)
    errors = [f"{r.name}: {r.getMessage()}" for r in collector.records]
    assert not errors, "ERRORs were logged:\n" + "\n".join(errors)


@pytest.fixture
def expect_refusals(fake: FakeDiscord) -> list[str]:
    """Take this fixture in a test that provokes refusals on purpose: the fake's refusals
    (``fake.violations``) then do not fail the test; the test checks them itself."""
    return fake.violations


@pytest.fixture
async def fake(request: pytest.FixtureRequest, clock: FixedClock) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(clock=clock.now) as fake:  # the bot's clock: nonces expire with it
        yield fake
        if "expect_refusals" not in request.fixturenames:
            assert not fake.violations, "the fake Discord refused requests:\n" + "\n".join(
                fake.violations
            )


DEFAULT_FEEDS = 30  # more than autocomplete's 25


@pytest.fixture
def seeds_dir(tmp_path: Path, feed_server: FeedServer) -> Path:
    """The shipped seeds, except the default feeds: local ones (tests never leave 127.0.0.1)."""
    seeds = tmp_path / "seeds"
    shutil.copytree(PROJECT_ROOT / "seeds", seeds)
    feeds = [
        {
            "url": feed_server.url(f"wire{n:02d}.xml"),
            "title": f"Wire {n:02d}",
            "region": "test",
            "language": "en",
        }
        for n in range(1, DEFAULT_FEEDS + 1)
    ]
    (seeds / "feeds.json").write_text(json.dumps({"feeds": feeds}), encoding="utf-8")
    return seeds


@pytest.fixture
def bot_settings(settings: Settings, fake: FakeDiscord, seeds_dir: Path) -> Settings:
    return settings.model_copy(
        update={"dev_guild_id": fake.guild.id, "discord_token": None, "seeds_dir": seeds_dir}
    )


StartBot = Callable[..., Awaitable[BeatwatchBot]]


@pytest.fixture
async def start_bot(
    bot_settings: Settings, clock: FixedClock, fake: FakeDiscord
) -> AsyncIterator[StartBot]:
    running: list[tuple[BeatwatchBot, asyncio.Task[None]]] = []

    async def start(**overrides: Any) -> BeatwatchBot:
        settings = overrides.pop("settings", bot_settings)
        bot = BeatwatchBot(settings, clock=clock, guild_ready_timeout=0.05, **overrides)
        fake.identified.clear()
        task = asyncio.create_task(bot.start(fake.token), name="bot")
        running.append((bot, task))
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, task}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready.cancel()
            task.result()  # raises what start() raised
            raise AssertionError("the bot stopped before it was ready")
        assert ready in done, "the bot did not become ready"
        async with asyncio.timeout(5):  # on_guild_available: the guild's row and default feeds
            while not set(fake.bot_guilds) <= bot.known_guilds:
                bot.guild_known.clear()
                await bot.guild_known.wait()
        return bot

    yield start
    for bot, task in reversed(running):
        await stop_bot(bot, task)


async def stop_bot(bot: BeatwatchBot, task: asyncio.Task[None] | None = None) -> None:
    if not bot.is_closed():
        await bot.close()
    if task is not None:
        await asyncio.wait_for(task, 5)


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    await server.start()
    yield server
    await server.stop()


async def settle(bot: BeatwatchBot) -> None:
    """Wait for the scheduler's running jobs (e.g. the start-up poll) to finish."""
    executor = bot.scheduler._executors["default"]
    running = [f for f in executor._pending_futures if not f.done()]
    if running:
        await asyncio.wait(running, timeout=10)


async def some_news(
    bot: BeatwatchBot, fake: FakeDiscord, feed_server: FeedServer, clock: FixedClock
) -> None:
    """A feed with one new Donbas story, polled: the next digest has something new (its alert
    waits for the hold, so nothing is posted yet)."""
    from datetime import timedelta

    from tests.e2e.feed_server import Item

    url = feed_server.feed("news.xml", "Kyiv Wire")
    await (await fake.slash("feeds add", {"url": url})).reply()
    feed_server.publish(
        "news.xml",
        Item(
            "Russian forces shell Kramatorsk as fighting intensifies in Donetsk region",
            description="Residential buildings in Kramatorsk, in the Donetsk region, were hit "
            "overnight, regional governor Vadym Filashkin said.",
            published=clock.now() - timedelta(minutes=10),
            link="https://kyiv.example/news",
        ),
    )
    await settle(bot)
    clock.advance(timedelta(seconds=bot.settings.poll_interval_seconds + 1))
    await bot.scheduler.run_poll()
    clock.advance(timedelta(seconds=2))  # a digest covers up to the second before it
