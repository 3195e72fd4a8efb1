"""From "a feed publishes a Donbas story" to the alert the bot posts, its update, and its buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app import BeatwatchBot
from bot.clock import FixedClock
from tests.e2e.conftest import StartBot, settle, stop_bot
from tests.e2e.fake_discord import EPHEMERAL, FakeDiscord
from tests.e2e.feed_server import FeedServer, Item

STORY = (
    "Russian forces shell Kramatorsk as fighting intensifies in Donetsk region",
    "Several residential buildings in Kramatorsk, in Ukraine's Donetsk region, were hit overnight, "
    "regional governor Vadym Filashkin said on Sunday.",
)
COPY = (
    "Kramatorsk shelled overnight as fighting intensifies in Donetsk region",
    "Residential buildings in Kramatorsk in the Donetsk region were hit by Russian shelling overnight, "
    "the regional governor Vadym Filashkin said.",
)


@pytest.fixture(autouse=True)
def early_morning(clock: FixedClock) -> None:
    """06:00 in Kyiv: before the 08:00 digest, so no digest lands in the channels under test."""
    clock.set(datetime(2026, 2, 1, 4, 0, tzinfo=UTC))


async def _poll_and_deliver(bot: BeatwatchBot, clock: FixedClock) -> None:
    await settle(bot)  # not racing the start-up poll
    clock.advance(timedelta(seconds=bot.settings.poll_interval_seconds + 1))
    await bot.scheduler.run_poll()
    clock.advance(timedelta(seconds=bot.settings.alert_hold_seconds + 1))  # the coalescing hold
    await bot.scheduler.run_delivery()


async def _setup_newsroom(fake: FakeDiscord, feed_server: FeedServer) -> tuple[str, str]:
    newsroom = fake.channel("newsroom")
    await (await fake.slash("alerts channel", {"channel": newsroom})).reply()
    a = feed_server.feed("kyiv.xml", "Kyiv Wire")
    b = feed_server.feed("europe.xml", "Europe Desk")
    for url in (a, b):
        reply = await (await fake.slash("feeds add", {"url": url})).reply()
        assert reply["embeds"][0]["title"].startswith("Feed added"), reply
    return a, b


async def test_story_alert_then_second_outlet_edits_it(
    start_bot: StartBot, fake: FakeDiscord, feed_server: FeedServer, clock: FixedClock
) -> None:
    bot = await start_bot()
    await _setup_newsroom(fake, feed_server)
    newsroom = fake.channel("newsroom")
    when = clock.now() - timedelta(minutes=20)

    feed_server.publish(
        "kyiv.xml",
        Item(
            STORY[0], description=STORY[1], published=when, link="https://kyiv.example/kramatorsk"
        ),
    )
    await _poll_and_deliver(bot, clock)
    alert = await fake.wait_for_message(newsroom, lambda m: bool(m["embeds"]))
    embed = alert["embeds"][0]
    assert "Kramatorsk" in embed["title"]
    assert embed["url"] == "https://kyiv.example/kramatorsk"
    assert alert["allowed_mentions"] == {"parse": []}  # no pings
    assert not alert["content"]
    assert alert["nonce"]  # resends cannot duplicate
    labels = [c["label"] for row in alert["components"] for c in row["components"]]
    assert labels == ["Mark verified", "Mute this story", "Mute this source for this topic"]

    feed_server.publish(
        "europe.xml",
        Item(
            COPY[0],
            description=COPY[1],
            published=when + timedelta(minutes=5),
            link="https://europe.example/k",
        ),
    )
    await _poll_and_deliver(bot, clock)
    await fake.wait_until(lambda: alert["edits"] >= 1)
    posted = [m for m in fake.channel_messages(newsroom) if m["embeds"]]
    assert len(posted) == 1  # one alert per story: the copy edited it
    text = str(alert["embeds"][0])
    assert "Europe Desk" in text


async def test_alert_buttons_work_after_a_restart(
    start_bot: StartBot, fake: FakeDiscord, feed_server: FeedServer, clock: FixedClock
) -> None:
    bot = await start_bot()
    await _setup_newsroom(fake, feed_server)
    newsroom = fake.channel("newsroom")
    feed_server.publish(
        "kyiv.xml",
        Item(
            STORY[0],
            description=STORY[1],
            published=clock.now() - timedelta(minutes=5),
            link="https://kyiv.example/k",
        ),
    )
    await _poll_and_deliver(bot, clock)
    alert = await fake.wait_for_message(newsroom, lambda m: bool(m["components"]))
    verify = alert["components"][0]["components"][0]["custom_id"]
    await stop_bot(bot)

    await start_bot()
    denied = await (await fake.click(alert, verify, user=fake.reporter)).reply()
    assert denied["flags"] & EPHEMERAL and "editors" in denied["content"].lower()

    click = await fake.click(alert, verify, user=fake.manager)
    await click.wait_for(lambda: click.initial is not None)
    assert click.initial is not None and click.initial["type"] == 7  # the alert itself is updated
    desk = next(f for f in alert["embeds"][0]["fields"] if f["name"] == "Desk")
    assert "Verified by editor" in desk["value"]
    button = alert["components"][0]["components"][0]
    assert button["disabled"] and button["label"] == "Verified"


async def test_rate_limited_send_is_retried_and_posted_once(
    start_bot: StartBot, fake: FakeDiscord, feed_server: FeedServer, clock: FixedClock
) -> None:
    bot = await start_bot()
    await _setup_newsroom(fake, feed_server)
    newsroom = fake.channel("newsroom")
    fake.rate_limit_next("POST", rf"^/channels/{newsroom}/messages$", retry_after=0.01)
    feed_server.publish(
        "kyiv.xml",
        Item(
            STORY[0],
            description=STORY[1],
            published=clock.now() - timedelta(minutes=5),
            link="https://kyiv.example/k",
        ),
    )
    await _poll_and_deliver(bot, clock)
    await fake.wait_for_message(newsroom, lambda m: bool(m["embeds"]))
    posts = [
        r for r in fake.requests if r[0] == "POST" and r[1] == f"/channels/{newsroom}/messages"
    ]
    assert [p[2] for p in posts][0] == "FAULT 429" and len(posts) == 2
    assert len([m for m in fake.channel_messages(newsroom) if m["embeds"]]) == 1


async def test_digest_is_posted_at_its_scheduled_time(
    start_bot: StartBot, fake: FakeDiscord, feed_server: FeedServer, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 2, 1, 5, 0, tzinfo=UTC))  # 07:00 in Kyiv
    bot = await start_bot()
    newsroom = fake.channel("newsroom")
    reply = await (
        await fake.slash(
            "digest schedule", {"time": "08:00", "timezone": "Europe/Kyiv", "channel": newsroom}
        )
    ).reply()
    assert "08:00 Europe/Kyiv" in reply["content"]
    job = bot.scheduler.get_job(f"digest:{fake.guild.id}")
    assert job is not None and str(job.trigger.timezone) == "Europe/Kyiv"

    await bot.scheduler.run_digest(fake.guild.id)  # too early: nothing
    assert not fake.channel_messages(newsroom)

    clock.set(datetime(2026, 2, 1, 6, 0, 5, tzinfo=UTC))  # 08:00:05 in Kyiv
    await bot.scheduler.run_digest(fake.guild.id)
    digest = await fake.wait_for_message(newsroom)
    assert digest["embeds"][0]["title"].startswith("Daily digest")
    await bot.scheduler.run_digest(fake.guild.id)  # never twice
    assert len(fake.channel_messages(newsroom)) == 1


async def test_muted_story_is_not_updated_and_muted_source_raises_nothing(
    start_bot: StartBot, fake: FakeDiscord, feed_server: FeedServer, clock: FixedClock
) -> None:
    bot = await start_bot()
    await _setup_newsroom(fake, feed_server)
    newsroom = fake.channel("newsroom")
    when = clock.now() - timedelta(minutes=20)
    feed_server.publish(
        "kyiv.xml",
        Item(STORY[0], description=STORY[1], published=when, link="https://kyiv.example/1"),
    )
    await _poll_and_deliver(bot, clock)
    alert = await fake.wait_for_message(newsroom, lambda m: bool(m["components"]))
    ids = [c["custom_id"] for c in alert["components"][0]["components"]]

    for custom_id in ids[1:]:  # mute the story, then the source for the topic
        click = await fake.click(alert, custom_id)
        await click.wait_for(lambda c=click: c.initial is not None)
    desk = next(f for f in alert["embeds"][0]["fields"] if f["name"] == "Desk")["value"]
    assert "Story muted by editor" in desk and "Kyiv Wire muted for Donbas" in desk
    edits_before = alert["edits"]

    feed_server.publish(
        "europe.xml",
        Item(
            COPY[0],
            description=COPY[1],
            published=when + timedelta(minutes=5),
            link="https://europe.example/1",
        ),
    )
    feed_server.publish(
        "kyiv.xml",
        Item(
            "Shelling hits Sloviansk in Donetsk region",
            description="A new strike hit Sloviansk on Monday, officials in the Donetsk region said.",
            published=when + timedelta(minutes=10),
            link="https://kyiv.example/2",
        ),
    )
    await _poll_and_deliver(bot, clock)
    await _poll_and_deliver(bot, clock)
    assert alert["edits"] == edits_before  # muted story: no update
    assert (
        len([m for m in fake.channel_messages(newsroom) if m["embeds"]]) == 1
    )  # muted source: nothing new


async def test_failing_feed_posts_one_notice_and_one_on_recovery(
    start_bot: StartBot, fake: FakeDiscord, feed_server: FeedServer, clock: FixedClock
) -> None:
    bot = await start_bot()
    await _setup_newsroom(fake, feed_server)
    newsroom = fake.channel("newsroom")
    feed_server.broken.add("kyiv.xml")
    for _ in range(bot.settings.failing_after_errors + 2):  # failing, and failing again
        clock.advance(timedelta(days=1))  # past any backoff
        await _poll_and_deliver(bot, clock)
    notices = [
        m
        for m in fake.channel_messages(newsroom)
        if m["embeds"] and "Feed" in m["embeds"][0]["title"]
    ]
    assert [n["embeds"][0]["title"] for n in notices] == ["Feed failing: Kyiv Wire"]
    assert notices[0]["allowed_mentions"] == {"parse": []}

    feed_server.broken.clear()
    clock.advance(timedelta(days=1))
    await _poll_and_deliver(bot, clock)
    await fake.wait_for_message(
        newsroom, lambda m: bool(m["embeds"]) and "recovered" in m["embeds"][0]["title"]
    )
