"""A server with no alert/digest channel yet: nothing is lost, it waits for the channel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.scheduling import build_scheduler
from bot.storage import outbox as outbox_store
from tests.alerts.conftest import CHANNEL, NEWSROOM, Newsroom
from tests.alerts.standins import StandInMatcher, article

HOLD = 20
NEXT_MORNING = datetime(2026, 2, 2, 6, 0, tzinfo=UTC)  # 08:00 in Kyiv: the digest time


def many_topics(newsroom: Newsroom) -> None:
    newsroom.topics.default = StandInMatcher({f"Topic {i}": [f"keyword{i}"] for i in range(8)})


async def test_alerts_wait_for_a_channel_then_go_out_in_order(newsroom: Newsroom) -> None:
    many_topics(newsroom)
    await newsroom.set_guild(alert_channel_id=None)
    queued = ["Story keyword0", "Story keyword1"]
    for i, title in enumerate(queued):
        await newsroom.arrive(article(title, "Reuters", minutes=i))
    report = await newsroom.deliver(HOLD)
    assert report.failed == 0 and newsroom.posts() == []
    waiting = await newsroom.alerts.outbox(NEWSROOM, status="waiting_channel")
    assert sorted(r.summary for r in waiting) == queued
    assert all("no channel" in (r.last_error or "") for r in waiting)
    assert await newsroom.alerts.outbox(NEWSROOM, status="failed") == []
    await newsroom.deliver(3600)  # still no channel: still waiting, nothing posted
    assert newsroom.posts() == []
    await newsroom.set_guild(alert_channel_id=CHANNEL)
    await newsroom.deliver(60)
    assert [(m.channel_id, m.title) for m in newsroom.posts()] == [(CHANNEL, t) for t in queued]
    assert await newsroom.alerts.outbox(NEWSROOM, status="waiting_channel") == []
    assert {a.status for a in await newsroom.alerts.alerts(NEWSROOM)} == {"delivered"}


async def test_many_waiting_alerts_become_one_catch_up_message(newsroom: Newsroom) -> None:
    many_topics(newsroom)
    await newsroom.set_guild(alert_channel_id=None)
    for i in range(5):
        await newsroom.arrive(article(f"Story keyword{i}", "Reuters", minutes=i))
        await newsroom.deliver(HOLD)
    await newsroom.set_guild(alert_channel_id=CHANNEL)
    await newsroom.deliver(1)
    [msg] = newsroom.posts()
    assert msg.kind == "combined" and msg.channel_id == CHANNEL
    assert msg.title == "Catch-up: 5 stories from before alerts had a channel"
    assert sum("Story keyword" in line for line in msg.lines) == 5
    assert {a.status for a in await newsroom.alerts.alerts(NEWSROOM)} == {"delivered"}
    # a later outlet of one of them edits the catch-up message (it keeps its title)
    await newsroom.arrive(article("Story keyword2", "AP"))
    await newsroom.deliver(1)
    [msg] = newsroom.posts()
    assert msg.title.startswith("Catch-up: 5 stories") and "2 outlets" in msg.as_text()


async def test_alerts_too_old_when_the_channel_comes_go_to_the_digest(newsroom: Newsroom) -> None:
    many_topics(newsroom)
    await newsroom.set_guild(alert_channel_id=None)
    await newsroom.arrive(article("Old story keyword0", "Reuters"))
    await newsroom.deliver(HOLD)
    newsroom.clock.set(NEXT_MORNING + timedelta(hours=4))  # 25 h later
    await newsroom.arrive(article("Fresh story keyword1", "AP"))
    await newsroom.deliver(HOLD)
    await newsroom.set_guild(alert_channel_id=CHANNEL)
    await newsroom.deliver(1)
    assert [m.title for m in newsroom.posts(kind="alert")] == ["Fresh story keyword1"]
    old = next(a for a in await newsroom.alerts.alerts(NEWSROOM) if a.title.startswith("Old"))
    assert old.status == "held" and "too old" in (old.hold_reason or "")
    digest = await newsroom.services.digests.run_due_digest(NEWSROOM)
    assert digest is not None and [ln.title for ln in digest.held] == ["Old story keyword0"]


async def test_notices_wait_for_a_channel_too(newsroom: Newsroom) -> None:
    await newsroom.set_guild(alert_channel_id=None)
    async with newsroom.services.db.transaction() as tx:
        await tx.execute(
            """INSERT INTO feed_health_events (feed_id, old_state, new_state, reason, at)
               VALUES (?, 'healthy', 'failing', 'HTTP 503 three times', '2026-02-01T08:59:00Z')""",
            (newsroom.feed.id,),
        )
    await newsroom.deliver()
    assert newsroom.posts(kind="notice") == []
    [row] = await newsroom.alerts.outbox(NEWSROOM, status="waiting_channel")
    assert row.kind == "notice"
    await newsroom.set_guild(alert_channel_id=CHANNEL)
    await newsroom.deliver(1)
    assert [m.title for m in newsroom.posts(kind="notice")] == ["Feed failing: Test feed"]


async def test_digest_without_a_channel_is_held_not_marked_sent(newsroom: Newsroom) -> None:
    services = newsroom.services
    await newsroom.set_guild(alert_channel_id=None)
    await newsroom.arrive(article("Donbas: shelling near Pokrovsk", "Reuters"))
    await newsroom.deliver(HOLD)
    assert await services.digests.run_due_digest(NEWSROOM) is None
    [run] = await services.digests.runs(NEWSROOM)
    assert run.status == "waiting_channel" and run.sent_at is None
    assert await services.digests.run_due_digest(NEWSROOM) is None  # never claimed twice
    await newsroom.deliver(60)
    assert newsroom.posts(kind="digest") == []
    # a channel is set in the afternoon: the held digest goes out then, covering up to then
    newsroom.clock.advance(timedelta(hours=3))
    await newsroom.arrive(article("Security guarantees: new draft", "AP"))
    newsroom.clock.advance(timedelta(seconds=1))
    await newsroom.set_guild(digest_channel_id=555)
    assert await services.digests.release_waiting() == [NEWSROOM]
    await newsroom.deliver(1)
    [digest] = newsroom.posts(kind="digest")
    assert digest.channel_id == 555
    assert "Donbas: shelling near Pokrovsk" in digest.as_text()
    assert "Security guarantees: new draft" in digest.as_text()
    [run] = await services.digests.runs(NEWSROOM)
    assert run.status == "sent"
    assert await services.digests.release_waiting() == []
    # next morning's digest starts where the released one ended
    newsroom.clock.set(NEXT_MORNING)
    nxt = await services.digests.run_due_digest(NEWSROOM)
    assert nxt is not None and nxt.since == run.until and nxt.totals.stories == 0


async def test_held_digest_is_taken_over_by_the_next_day_s_digest(newsroom: Newsroom) -> None:
    services = newsroom.services
    await newsroom.set_guild(alert_channel_id=None)
    await newsroom.arrive(article("Donbas: day one", "Reuters"))
    assert await services.digests.run_due_digest(NEWSROOM) is None  # held, day 1
    [day1] = await services.digests.runs(NEWSROOM)
    newsroom.clock.set(NEXT_MORNING - timedelta(hours=1))
    await newsroom.arrive(article("Donbas: day two", "AP"))
    await newsroom.set_guild(alert_channel_id=CHANNEL)
    newsroom.clock.set(NEXT_MORNING)  # the channel came just before day 2's digest time
    digest = await services.digests.run_due_digest(NEWSROOM)
    assert digest is not None and digest.since == day1.since
    titles = [ln.title for s in digest.sections for ln in s.lines]
    assert sorted(titles) == ["Donbas: day one", "Donbas: day two"]
    assert [(r.period, r.status) for r in await services.digests.runs(NEWSROOM)] == [
        ("2026-02-02", "queued")
    ]
    await newsroom.deliver()
    assert len(newsroom.posts(kind="digest")) == 1


async def test_held_digest_still_without_channel_next_day_keeps_one_held_run(
    newsroom: Newsroom,
) -> None:
    services = newsroom.services
    await newsroom.set_guild(alert_channel_id=None)
    await services.digests.run_due_digest(NEWSROOM)
    [day1] = await services.digests.runs(NEWSROOM)
    newsroom.clock.set(NEXT_MORNING)
    assert await services.digests.run_due_digest(NEWSROOM) is None
    [run] = await services.digests.runs(NEWSROOM)
    assert (run.period, run.status, run.since) == ("2026-02-02", "waiting_channel", day1.since)
    async with services.db.transaction() as tx:
        assert await outbox_store.count_outbox(tx) == {}


async def test_channel_set_after_a_day_old_alert_and_held_digest(newsroom: Newsroom) -> None:
    """What the delivery job does once a channel is set: the day-old alert is not posted but
    shown once in the held digest, which goes out in the same run."""
    scheduler = build_scheduler(newsroom.services, newsroom.transport, newsroom.clock)
    await newsroom.set_guild(alert_channel_id=None)
    await newsroom.arrive(article("Donbas: old news", "Reuters"))
    await newsroom.deliver(HOLD)
    assert await newsroom.services.digests.run_due_digest(NEWSROOM) is None  # held
    newsroom.clock.set(NEXT_MORNING + timedelta(hours=4))
    await scheduler.run_delivery()
    assert newsroom.posts() == []
    await newsroom.set_guild(alert_channel_id=CHANNEL)
    await scheduler.run_delivery()
    assert newsroom.posts(kind="alert") == []
    [digest] = newsroom.posts(kind="digest")
    text = digest.as_text()
    assert text.count("Donbas: old news") == 1
    assert text.index("**Held back from alerts** (1)") < text.index("Donbas: old news")
    [run] = await newsroom.services.digests.runs(NEWSROOM)
    assert run.status == "sent"
