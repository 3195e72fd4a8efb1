"""Daily digests: once per server per day, never twice, never skipped; held alerts included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.alerts.transport import TransientDeliveryError
from bot.digest.service import DigestService
from bot.storage.database import Database
from tests.alerts.conftest import CHANNEL, NEWSROOM, Newsroom
from tests.alerts.standins import article

# The clock starts at 2026-02-01 09:00 UTC = 11:00 in Kyiv; digests are due at 08:00 Kyiv (06:00 UTC).
NEXT_MORNING = datetime(2026, 2, 2, 6, 0, tzinfo=UTC)


def digests_of(newsroom: Newsroom, guild_id: int = NEWSROOM) -> list[str]:
    """The text of each digest posted (its parts joined)."""
    texts: dict[str, list[str]] = {}
    for m in newsroom.posts(guild_id, kind="digest"):
        texts.setdefault(m.title.split(" (")[0], []).append(m.as_text())
    return ["\n".join(parts) for parts in texts.values()]


async def test_digest_runs_once_per_day_across_restarts(newsroom: Newsroom) -> None:
    services = newsroom.services
    await newsroom.arrive(article("Donbas: shelling near Pokrovsk", "Reuters"))
    await newsroom.deliver(20)
    # 11:00 local, today's 08:00 digest has not run: it runs now (catch-up), exactly once
    queued = await services.digests.run_due_digest(NEWSROOM, newsroom.clock.now())
    assert queued is not None and queued.totals.stories == 1
    assert await services.digests.run_due_digest(NEWSROOM, newsroom.clock.now()) is None
    await newsroom.deliver()
    [text] = digests_of(newsroom)
    assert "Donbas: shelling near Pokrovsk" in text and "Reuters" in text
    assert newsroom.posts(kind="digest")[0].channel_id == CHANNEL
    [run] = await services.digests.runs(NEWSROOM)
    assert run.status == "sent" and run.sent_at is not None

    # a restart: new connections and a new service on the same file find today's run
    async with Database.open(services.db.path) as db:
        after_restart = DigestService(db, services.settings, newsroom.clock)
        assert await after_restart.run_due_digest(NEWSROOM) is None
        assert NEWSROOM not in await after_restart.run_overdue()
    await newsroom.deliver(60)
    assert len(digests_of(newsroom)) == 1
    restarted = DigestService(services.db, services.settings, newsroom.clock)

    # next morning: not before 08:00 local, then once, covering only what came since
    newsroom.clock.set(NEXT_MORNING - timedelta(minutes=1))
    assert await restarted.run_due_digest(NEWSROOM) is None
    await newsroom.arrive(article("Security guarantees: new draft", "AP"))
    newsroom.clock.set(NEXT_MORNING)
    second = await restarted.run_due_digest(NEWSROOM)
    assert second is not None
    assert second.since == run.until
    assert [ln.title for s in second.sections for ln in s.lines] == [
        "Security guarantees: new draft"
    ]


async def test_misfired_digest_is_caught_up_late_not_skipped(newsroom: Newsroom) -> None:
    services = newsroom.services
    await services.digests.run_due_digest(NEWSROOM)  # day 1 done
    await newsroom.arrive(article("Donbas: talks stall", "BBC"))
    # the bot was down over day 2's 08:00: it comes back at 13:30 local
    newsroom.clock.set(NEXT_MORNING + timedelta(hours=5, minutes=30))
    ran = await services.digests.run_overdue()
    assert NEWSROOM in ran
    runs = await services.digests.runs(NEWSROOM)
    assert [r.period for r in runs] == ["2026-02-01", "2026-02-02"]
    await newsroom.deliver()
    assert any("Donbas: talks stall" in t for t in digests_of(newsroom))
    assert await services.digests.run_overdue() == []


async def test_quiet_hours_alerts_appear_in_the_next_digest_once(newsroom: Newsroom) -> None:
    await newsroom.set_guild(quiet_start="22:00", quiet_end="12:00")  # now is 11:00 local
    await newsroom.arrive(article("Donbas: overnight strikes", "Kyiv Independent"))
    await newsroom.deliver(20)
    assert newsroom.posts(kind="alert") == []
    digest = await newsroom.services.digests.run_due_digest(NEWSROOM)
    assert digest is not None and [ln.title for ln in digest.held] == ["Donbas: overnight strikes"]
    assert digest.sections == []  # shown once, in the held section
    await newsroom.deliver()
    text = digests_of(newsroom)[0]
    assert "**Held back from alerts** (1)" in text and "Donbas: overnight strikes" in text
    [alert] = await newsroom.alerts.alerts(NEWSROOM)
    assert alert.status == "digested"
    newsroom.clock.set(NEXT_MORNING)
    nxt = await newsroom.services.digests.run_due_digest(NEWSROOM)
    assert nxt is not None and nxt.held == []


async def test_long_digest_goes_out_in_parts_in_order(newsroom: Newsroom) -> None:
    services = newsroom.services
    small = DigestService(services.db, services.settings, newsroom.clock, chunk_chars=300)
    await newsroom.arrive(*[article(f"Donbas item {i} " + "z" * 80, "Reuters") for i in range(8)])
    newsroom.clock.advance(timedelta(seconds=1))
    digest = await small.run_due_digest(NEWSROOM)
    assert digest is not None
    [run] = await small.runs(NEWSROOM)
    assert run.chunks > 2
    newsroom.transport.fail_next(TransientDeliveryError("502"), guild_id=NEWSROOM, kind="digest")
    await newsroom.deliver(20)  # alerts for the items are combined; digest part 1 fails
    assert newsroom.posts(kind="digest") == []  # part 2+ wait for part 1
    await newsroom.deliver(5)
    parts = newsroom.posts(kind="digest")
    assert len(parts) == run.chunks
    assert parts[0].title.startswith("Daily digest") and parts[-1].footer.endswith(
        f"of {run.chunks}"
    )
    assert all(len("\n".join(p.lines)) <= 300 for p in parts)
    [run] = await small.runs(NEWSROOM)
    assert run.status == "sent"
