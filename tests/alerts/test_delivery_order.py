"""Queue order per channel: a message in retry backoff is not overtaken by later ones."""

from __future__ import annotations

from bot.alerts.transport import PermanentDeliveryError, TransientDeliveryError
from bot.models import FeedRef
from tests.alerts.conftest import CHANNEL, NEWSROOM, Newsroom
from tests.alerts.standins import StandInMatcher, add_feed, article, subscribe

HOLD = 20
OTHER_CHANNEL = 777


def six_topics(newsroom: Newsroom) -> None:
    """Six topics, so six alerts arriving together are six separate messages (no burst)."""
    newsroom.topics.default = StandInMatcher({f"Topic {i}": [f"keyword{i}"] for i in range(6)})


def titles(newsroom: Newsroom, guild_id: int = NEWSROOM) -> list[str]:
    return [m.title for m in newsroom.posts(guild_id)]


async def test_retried_head_is_not_overtaken_in_its_channel(newsroom: Newsroom) -> None:
    six_topics(newsroom)
    queued = [f"Story keyword{i}" for i in range(6)]
    for i, title in enumerate(queued):
        await newsroom.arrive(article(title, "Reuters", minutes=i))
    fail = TransientDeliveryError("503: Service Unavailable")
    newsroom.transport.fail_next(fail, guild_id=NEWSROOM)
    report = await newsroom.deliver(HOLD)
    assert report.retried == 1
    # the newsroom's channel waits for its first message; another server's channel does not
    assert titles(newsroom) == []
    assert titles(newsroom, guild_id=0) == queued
    # still in backoff (5 s): a pass now sends nothing to the channel
    await newsroom.deliver(2)
    assert titles(newsroom) == []
    # the retry fails again (rate limited for 30 s): the others keep waiting behind it
    newsroom.transport.fail_next(TransientDeliveryError("429", retry_after=30), guild_id=NEWSROOM)
    await newsroom.deliver(3)
    await newsroom.deliver(29)
    assert titles(newsroom) == []
    # Discord recovers: everything goes out, in queue order
    await newsroom.deliver(1)
    assert titles(newsroom) == queued
    assert all(r.status == "sent" for r in await newsroom.alerts.outbox(NEWSROOM))


async def test_failure_in_the_middle_keeps_the_rest_behind_it(newsroom: Newsroom) -> None:
    six_topics(newsroom)
    queued = [f"Story keyword{i}" for i in range(4)]
    for i, title in enumerate(queued):
        await newsroom.arrive(article(title, "Reuters", minutes=i))
    newsroom.transport.fail_next(TransientDeliveryError("500"), guild_id=NEWSROOM)
    await newsroom.deliver(HOLD)  # the first fails: nothing goes out
    await newsroom.deliver(5)  # the first goes out, then the second fails
    newsroom.transport.fail_next(TransientDeliveryError("502"), guild_id=NEWSROOM)
    await newsroom.deliver(0)
    await newsroom.deliver(60)
    assert titles(newsroom) == queued


async def test_other_channel_of_the_same_server_is_not_blocked(newsroom: Newsroom) -> None:
    six_topics(newsroom)
    other_feed = await add_feed(newsroom.services, "https://example.org/other.xml")
    await subscribe(newsroom.services, NEWSROOM, other_feed, channel_id=OTHER_CHANNEL)
    await newsroom.arrive(article("First keyword0", "Reuters"))
    await newsroom.arrive(article("Second keyword1", "Reuters", minutes=1))
    newsroom.feed, main_feed = (
        FeedRef(id=other_feed, url="https://example.org/other.xml", title="Other"),
        newsroom.feed,
    )
    await newsroom.arrive(article("Elsewhere keyword2", "AP", minutes=2))
    newsroom.feed = main_feed
    newsroom.transport.fail_next(TransientDeliveryError("503"), guild_id=NEWSROOM)
    await newsroom.deliver(HOLD)
    assert [(m.channel_id, m.title) for m in newsroom.posts()] == [
        (OTHER_CHANNEL, "Elsewhere keyword2")
    ]
    await newsroom.deliver(5)
    assert [(m.channel_id, m.title) for m in newsroom.posts()][1:] == [
        (CHANNEL, "First keyword0"),
        (CHANNEL, "Second keyword1"),
    ]


async def test_permanent_failure_of_the_head_does_not_block_the_channel(
    newsroom: Newsroom,
) -> None:
    six_topics(newsroom)
    for i in range(3):
        await newsroom.arrive(article(f"Story keyword{i}", "Reuters", minutes=i))
    newsroom.transport.fail_next(PermanentDeliveryError("Unknown Channel"), guild_id=NEWSROOM)
    report = await newsroom.deliver(HOLD)
    assert report.failed == 1
    assert titles(newsroom) == ["Story keyword1", "Story keyword2"]
    [failed] = await newsroom.alerts.outbox(NEWSROOM, status="failed")
    assert "Unknown Channel" in (failed.last_error or "")


async def test_head_that_gives_up_after_max_attempts_unblocks_the_channel(
    newsroom: Newsroom,
) -> None:
    six_topics(newsroom)
    for i in range(2):
        await newsroom.arrive(article(f"Story keyword{i}", "Reuters", minutes=i))
    attempts = newsroom.services.settings.delivery_max_attempts
    newsroom.transport.fail_next(TransientDeliveryError("503"), attempts, guild_id=NEWSROOM)
    await newsroom.deliver(HOLD)
    for _ in range(attempts):
        await newsroom.deliver(3600)
    assert titles(newsroom) == ["Story keyword1"]
    statuses = {r.summary: r.status for r in await newsroom.alerts.outbox(NEWSROOM)}
    assert statuses == {"Story keyword0": "failed", "Story keyword1": "sent"}


async def test_edit_of_a_posted_alert_is_not_held_up_by_a_retry(newsroom: Newsroom) -> None:
    six_topics(newsroom)
    await newsroom.arrive(article("Posted keyword0", "Reuters"))
    await newsroom.deliver(HOLD)
    await newsroom.arrive(article("Stuck keyword1", "Reuters", minutes=1))
    newsroom.transport.fail_next(TransientDeliveryError("503", retry_after=600), guild_id=NEWSROOM)
    await newsroom.deliver(HOLD)  # "Stuck" is now in backoff for 10 minutes
    await newsroom.arrive(article("Posted keyword0", "BBC"))
    report = await newsroom.deliver(1)
    assert report.edited == 2  # the newsroom and the console: the edit did not wait
    assert "2 outlets" in newsroom.posts()[0].as_text()
    assert titles(newsroom) == ["Posted keyword0"]


async def test_alert_in_backoff_is_never_edited_before_it_is_posted(newsroom: Newsroom) -> None:
    six_topics(newsroom)
    await newsroom.arrive(article("Story keyword0", "Reuters"))
    newsroom.transport.fail_next(TransientDeliveryError("503"), guild_id=NEWSROOM)
    await newsroom.deliver(HOLD)
    await newsroom.arrive(article("Story keyword0", "AFP"))  # a new outlet while it waits
    assert (await newsroom.deliver(1)).edited == 1  # only the console's message (posted)
    assert titles(newsroom) == []
    await newsroom.deliver(5)
    [posted] = [p for p in newsroom.transport.posted if p.msg.guild_id == NEWSROOM]
    assert "Also reported by AFP" in posted.msg.as_text()  # posted with its latest content
    assert posted.edits == []


async def test_combined_message_in_backoff_keeps_its_place(newsroom: Newsroom) -> None:
    # a burst on Donbas is combined; the combined message fails; a later alert on another
    # topic must not go before it
    await newsroom.arrive(*[article(f"Donetsk item {i}", "Reuters", minutes=i) for i in range(4)])
    newsroom.transport.fail_next(TransientDeliveryError("503", retry_after=60), guild_id=NEWSROOM)
    await newsroom.deliver(HOLD)
    await newsroom.arrive(article("New security guarantees plan", "AP", minutes=5))
    await newsroom.deliver(HOLD)  # the new alert is due, the combined message is not yet
    assert titles(newsroom) == []
    assert titles(newsroom, guild_id=0) == [
        "4 new stories on Donbas",
        "New security guarantees plan",
    ]
    await newsroom.deliver(40)
    assert titles(newsroom) == ["4 new stories on Donbas", "New security guarantees plan"]


async def test_edit_in_backoff_does_not_hold_up_new_posts(newsroom: Newsroom) -> None:
    six_topics(newsroom)
    await newsroom.arrive(article("Posted keyword0", "Reuters"))
    await newsroom.deliver(HOLD)
    await newsroom.arrive(article("Posted keyword0", "BBC"))
    await newsroom.arrive(article("Next keyword1", "Reuters"))
    slow = TransientDeliveryError("429", retry_after=600)
    newsroom.transport.fail_next(slow, guild_id=NEWSROOM)
    # one pass: the edit (queued first) is rate limited for 10 minutes; the new alert to the
    # channel still goes out
    await newsroom.deliver(HOLD)
    assert titles(newsroom) == ["Posted keyword0", "Next keyword1"]
    assert "2 outlets" not in newsroom.posts()[0].as_text()
    await newsroom.deliver(600)
    assert "2 outlets" in newsroom.posts()[0].as_text()
