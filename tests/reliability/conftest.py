"""Fixtures for the fault-injection suite, and the summary table printed at the end of the run.

``start_bot(...)`` prepares a database (the fake server's channels configured, the farm's feeds
subscribed), starts the real app as a subprocess and waits until it is connected to the fake
Discord. When the app cannot do that yet because a piece has not landed, the test is skipped
with the missing piece named (never passed).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.settings import PROJECT_ROOT
from tests.reliability.harness import (
    BotProcess,
    FeedFarm,
    ReliabilityFake,
    db_query,
    midmorning_timezone,
    now_utc,
    seeds_without_feeds,
    wait_until,
)

# --- summary table -----------------------------------------------------------------------


@dataclass
class Row:
    scenario: str
    faults: str = ""
    alerts_expected: int | str = "-"
    alerts_delivered: int | str = "-"
    alerts_duplicated: int | str = "-"
    articles_lost: int | str = "-"
    articles_twice: int | str = "-"
    notes: str = ""
    outcome: str = "?"


@dataclass
class Summary:
    rows: dict[str, Row] = field(default_factory=dict)

    def row(self, nodeid: str, scenario: str) -> Row:
        return self.rows.setdefault(nodeid, Row(scenario))


SUMMARY = Summary()


@pytest.fixture
def summary_row(request: pytest.FixtureRequest) -> Row:
    doc = (request.function.__doc__ or request.node.name).strip().splitlines()[0]
    return SUMMARY.row(request.node.nodeid, doc.rstrip("."))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "tests/reliability/" not in report.nodeid.replace("\\", "/"):
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        row = SUMMARY.rows.get(report.nodeid) or SUMMARY.row(
            report.nodeid, report.nodeid.split("::")[-1]
        )
        row.outcome = report.outcome
        if hasattr(report, "wasxfail"):
            row.outcome = "xfail"
            row.notes = f"{row.notes}; known bug: {report.wasxfail}".lstrip("; ")
        elif report.skipped and isinstance(report.longrepr, tuple):
            reason = report.longrepr[2].removeprefix("Skipped: ")
            row.notes = f"{row.notes}; skipped: {reason}".lstrip("; ")


def render_summary() -> list[str]:
    head = ("scenario", "faults injected", "alerts exp", "delivered", "duplicated",
            "articles lost", "stored twice", "result", "notes")  # fmt: skip
    body = [
        (
            r.scenario,
            r.faults,
            str(r.alerts_expected),
            str(r.alerts_delivered),
            str(r.alerts_duplicated),
            str(r.articles_lost),
            str(r.articles_twice),
            r.outcome,
            r.notes,
        )  # fmt: skip
        for r in SUMMARY.rows.values()
    ]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    out = [line, sep]
    for r in body:
        out.append("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    return out


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not SUMMARY.rows:
        return
    terminalreporter.section("reliability summary")
    for line in render_summary():
        terminalreporter.write_line(line)


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[ReliabilityFake]:
    fake = ReliabilityFake()
    await fake.start()
    try:
        yield fake
    finally:
        fake.release()
        await fake.stop()


@pytest.fixture
async def farm() -> AsyncIterator[FeedFarm]:
    farm = FeedFarm()
    await farm.start()
    try:
        yield farm
    finally:
        farm.release()
        await farm.stop()


@dataclass
class Deployment:
    bot: BotProcess
    db_path: Path
    fake: ReliabilityFake
    alert_channel: int
    digest_channel: int
    timezone: str = "UTC"  # the fake server's (see midmorning_timezone)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return db_query(self.db_path, sql, params)

    async def restart(self, within: float = 60.0) -> None:
        await start_and_wait(self.bot, self.fake, within)

    async def make_due(self) -> None:
        """Every feed due now (what `feeds poll --all` does)."""
        from bot.clock import SystemClock
        from bot.storage import feeds as feed_store
        from bot.storage.database import Database

        async with Database.open(self.db_path) as db, db.transaction() as tx:
            await feed_store.make_all_due(tx, SystemClock().now())

    def local_hhmm(self, minutes_from_now: int) -> str:
        """HH:MM on the server's clock, ``minutes_from_now`` from now (same day: no wrap)."""
        when = now_utc() + timedelta(minutes=minutes_from_now)
        return when.astimezone(ZoneInfo(self.timezone)).strftime("%H:%M")

    async def set_digest_time(self, hhmm: str) -> None:
        from bot.storage import guilds
        from bot.storage.database import Database

        async with Database.open(self.db_path) as db, db.transaction() as tx:
            await guilds.update_guild(tx, self.fake.guild.id, digest_time=hhmm)


StartBot = Callable[..., Awaitable[Deployment]]

POLL_INTERVAL = 5  # seconds between poll cycles in the app under test


def bot_env(
    tmp_path: Path, fake: ReliabilityFake, db_path: Path, overrides: dict[str, str]
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEATWATCH_")}
    launcher = os.environ.get("BEATWATCH_RELIABILITY_LAUNCHER")
    if launcher:  # a developer's own launcher module (on PYTHONPATH)
        env["BEATWATCH_RELIABILITY_LAUNCHER"] = launcher
    env.update(
        PYTHONPATH=os.pathsep.join(
            p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p
        ),
        BEATWATCH_RELIABILITY_DISCORD=f"http://127.0.0.1:{fake.port}",
        BEATWATCH_DISCORD_TOKEN=fake.token,
        BEATWATCH_DATABASE_PATH=str(db_path),
        BEATWATCH_SEEDS_DIR=str(seeds_without_feeds(tmp_path / "seeds")),
        BEATWATCH_DEV_GUILD_ID=str(fake.guild.id),
        BEATWATCH_ALLOW_PRIVATE_HOSTS="true",
        BEATWATCH_LOG_LEVEL="INFO",
        # Short intervals so a scenario takes seconds: polls every 5 s (the minimum), the
        # outbox every second. Production defaults are minutes; what is checked is the same.
        BEATWATCH_POLL_INTERVAL_SECONDS=str(POLL_INTERVAL),
        BEATWATCH_FETCH_TIMEOUT_SECONDS="2",
        BEATWATCH_CONNECT_TIMEOUT_SECONDS="1",
        BEATWATCH_MAX_BODY_BYTES="1000000",
        BEATWATCH_COALESCE_THRESHOLD="1000",
        BEATWATCH_ALERT_HOLD_SECONDS="0",
        BEATWATCH_DELIVERY_INTERVAL_SECONDS="1",
        BEATWATCH_HEARTBEAT_INTERVAL_SECONDS="1",
        BEATWATCH_DEFAULT_TIMEZONE="UTC",
    )
    env.update(overrides)
    return env


async def start_and_wait(bot: BotProcess, fake: ReliabilityFake, within: float = 60.0) -> None:
    """Start the app and wait until it is connected and set up; skip if it cannot be yet."""
    fake.identified.clear()
    await bot.start()
    await wait_until(
        lambda: fake.identified.is_set() or not bot.running(), within, "the bot to connect"
    )
    if not bot.running():
        log = bot.current_log()
        if bot.proc is not None and bot.proc.returncode == 0:
            pytest.skip(
                "`python -m bot run` exits instead of running the Discord bot "
                "(bot/cli/run.py not wired to bot.app yet - DISCORD)"
            )
        pytest.fail(f"the bot exited with {bot.proc and bot.proc.returncode}:\n{log[-3000:]}")
    await wait_until(
        lambda: "event=bot_setup_done" in bot.current_log(), within, "setup_hook to finish", bot
    )
    if "event=scheduler_missing" in bot.current_log():
        pytest.skip("bot/scheduling.py (ALERTS) has not landed: nothing polls or delivers yet")


@pytest.fixture
async def start_bot(
    tmp_path: Path, fake: ReliabilityFake, farm: FeedFarm
) -> AsyncIterator[StartBot]:
    started: list[BotProcess] = []

    async def start(
        feeds: list[str] = (),  # type: ignore[assignment]
        env: dict[str, str] | None = None,
        digest_time: str | None = None,
        known: bool = True,
    ) -> Deployment:
        db_path = tmp_path / "data" / "beatwatch.sqlite3"
        db_path.parent.mkdir(exist_ok=True)
        alert_channel = fake.channel("newsroom")
        digest_channel = fake.channel("general")
        timezone = await prepare_database(
            db_path, fake, alert_channel, digest_channel, list(feeds), digest_time, known
        )
        bot = BotProcess(tmp_path, bot_env(tmp_path, fake, db_path, env or {}))
        started.append(bot)
        await start_and_wait(bot, fake)
        return Deployment(bot, db_path, fake, alert_channel, digest_channel, timezone)

    start.started = started  # type: ignore[attr-defined]  # so a test can stop them early
    yield start
    # SIGKILL: a scenario that checks a graceful stop does it itself (and records it); the
    # teardown only has to make sure nothing is left running.
    for bot in started:
        if bot.proc is not None:
            await bot.kill9()
    left = [line for bot in started for line in bot.left_behind]
    if left:
        pytest.fail(
            f"{len(left)} process(es) the app started outlived it (killed now):\n" + "\n".join(left)
        )


async def prepare_database(
    db_path: Path,
    fake: ReliabilityFake,
    alert_channel: int,
    digest_channel: int,
    feed_urls: list[str],
    digest_time: str | None,
    known: bool,
) -> str:
    """What an editor would have set up: the server's channels and its feeds. Returns the
    server's timezone (:func:`midmorning_timezone`); ``digest_time`` is on its clock and
    defaults to two hours from now, so no digest is due unless a scenario makes it due.

    ``known``: the feeds were already read once (their baseline is done), so every entry the
    farm serves from now on is news and alerts.
    """
    from bot.clock import SystemClock
    from bot.storage import guilds
    from bot.storage.database import Database

    try:
        from bot.storage import feeds as feed_store
    except ImportError:
        pytest.skip("bot/storage/feeds.py (FEEDS) has not landed")
    clock = SystemClock()
    now = clock.now()
    timezone = midmorning_timezone(now)
    later = (now + timedelta(hours=2)).astimezone(ZoneInfo(timezone)).strftime("%H:%M")
    async with Database.open(db_path) as db, db.transaction() as tx:
        await guilds.ensure_guild(
            tx, fake.guild.id, clock, name=fake.guild.name, timezone=timezone,
            digest_time=digest_time or later,
        )  # fmt: skip
        await guilds.update_guild(
            tx, fake.guild.id, alert_channel_id=alert_channel, digest_channel_id=digest_channel
        )
        await feed_store.mark_defaults_applied(tx, fake.guild.id, now)
        await feed_store.mark_defaults_applied(tx, 0, now)
        for url in feed_urls:
            feed_id, _ = await feed_store.ensure_feed(tx, url, now, title=url.rsplit("/", 1)[-1])
            await feed_store.subscribe(tx, fake.guild.id, feed_id, now)
            if known:
                await feed_store.record_success(
                    tx, feed_id, now=now, next_check=now, etag=None, last_modified=None,
                    parsed=True,
                )  # fmt: skip
    return timezone
