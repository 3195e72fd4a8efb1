"""The newsroom desk: quiet hours and a pause release what they held as one catch-up message;
mutes listed and undone (Discord and the CLI)."""

from __future__ import annotations

from argparse import Namespace
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import BeatwatchBot
from bot.cli import alerts as alerts_cli
from bot.clock import FixedClock
from bot.settings import Settings
from bot.storage import alerts as alert_store
from tests.e2e.conftest import StartBot, settle, stop_bot
from tests.e2e.fake_discord import EPHEMERAL, FakeDiscord
from tests.e2e.feed_server import FeedServer, Item

KRAMATORSK = (
    "Russian forces shell Kramatorsk as fighting intensifies in Donetsk region",
    "Several residential buildings in Kramatorsk, in Ukraine's Donetsk region, were hit overnight, "
    "regional governor Vadym Filashkin said on Sunday.",
)
SLOVIANSK = (
    "Drone strike hits Sloviansk railway depot in Donetsk region",
    "A drone hit the railway depot in Sloviansk, in the Donetsk region, on Sunday morning, "
    "the city's military administration said.",
)


@pytest.fixture(autouse=True)
def early_morning(clock: FixedClock) -> None:
    """06:00 in Kyiv: before the 08:00 digest."""
    clock.set(datetime(2026, 2, 1, 4, 0, tzinfo=UTC))


async def _poll_and_deliver(bot: BeatwatchBot, clock: FixedClock) -> None:
    await settle(bot)
    clock.advance(timedelta(seconds=bot.settings.poll_interval_seconds + 1))
    await bot.scheduler.run_poll()
    clock.advance(timedelta(seconds=bot.settings.alert_hold_seconds + 1))
    await bot.scheduler.run_delivery()


async def _newsroom(fake: FakeDiscord, feed_server: FeedServer) -> None:
    await (await fake.slash("alerts channel", {"channel": fake.channel("newsroom")})).reply()
    for name, title in (("kyiv.xml", "Kyiv Wire"), ("europe.xml", "Europe Desk")):
        url = feed_server.feed(name, title)
        await (await fake.slash("feeds add", {"url": url})).reply()


def _publish_two(feed_server: FeedServer, clock: FixedClock) -> None:
    feed_server.publish(
        "kyiv.xml",
        Item(
            KRAMATORSK[0],
            description=KRAMATORSK[1],
            published=clock.now() - timedelta(minutes=30),
            link="https://kyiv.example/kramatorsk",
        ),
    )
    feed_server.publish(
        "europe.xml",
        Item(
            SLOVIANSK[0],
            description=SLOVIANSK[1],
            published=clock.now() - timedelta(minutes=10),
            link="https://europe.example/sloviansk",
        ),
    )


async def test_quiet_hours_release_one_catch_up_after_a_restart(
    start_bot: StartBot, fake: FakeDiscord, feed_server: FeedServer, clock: FixedClock
) -> None:
    bot = await start_bot()
    await _newsroom(fake, feed_server)
    quiet = await (await fake.slash("alerts quiet-hours", {"from": "05:00", "to": "07:00"})).reply()
    assert "posted when it ends" in quiet["content"]
    newsroom = fake.channel("newsroom")
    _publish_two(feed_server, clock)
    await _poll_and_deliver(bot, clock)
    assert not [m for m in fake.channel_messages(newsroom) if m["embeds"]]  # held
    held = await alert_store.held_alerts(bot.services.db.reader, fake.guild.id)
    assert len(held) == 2
    await stop_bot(bot)

    clock.set(datetime(2026, 2, 1, 5, 1, tzinfo=UTC))  # 07:01 in Kyiv: the quiet hours are over
    bot = await start_bot()
    await settle(bot)
    await bot.scheduler.run_delivery()
    catch_up = await fake.wait_for_message(newsroom, lambda m: bool(m["embeds"]))
    embed = catch_up["embeds"][0]
    assert embed["title"] == "Catch-up: 2 stories held during quiet hours or a pause"
    text = embed["description"]
    assert text.index("Kramatorsk") < text.index("Sloviansk")  # oldest first
    await bot.scheduler.run_delivery()
    assert len([m for m in fake.channel_messages(newsroom) if m["embeds"]]) == 1  # once

    menu = catch_up["components"][0]["components"][0]
    assert menu["type"] == 3 and len(menu["options"]) == 2
    assert "Kramatorsk" in menu["options"][0]["label"]
    await stop_bot(bot)  # the desk menu works after a restart too

    await start_bot()
    chosen = await fake.choose(catch_up, menu["custom_id"], [menu["options"][0]["value"]])
    story = await chosen.reply()
    assert story["flags"] & EPHEMERAL
    assert "Kramatorsk" in story["embeds"][0]["title"]
    mute = story["components"][0]["components"][1]
    assert mute["label"] == "Mute this story"
    click = await fake.click(story, mute["custom_id"])
    await click.wait_for(lambda: click.initial is not None)
    assert click.initial is not None and click.initial["type"] == 7
    desk = next(f for f in story["embeds"][0]["fields"] if f["name"] == "Desk")
    assert "Story muted by editor" in desk["value"]


async def test_resume_releases_what_the_pause_held(
    start_bot: StartBot, fake: FakeDiscord, feed_server: FeedServer, clock: FixedClock
) -> None:
    bot = await start_bot()
    await _newsroom(fake, feed_server)
    await (await fake.slash("alerts pause")).reply()
    newsroom = fake.channel("newsroom")
    _publish_two(feed_server, clock)
    await _poll_and_deliver(bot, clock)
    assert not [m for m in fake.channel_messages(newsroom) if m["embeds"]]
    await (await fake.slash("alerts resume")).reply()
    await bot.scheduler.run_delivery()
    catch_up = await fake.wait_for_message(newsroom, lambda m: bool(m["embeds"]))
    assert catch_up["embeds"][0]["title"].startswith("Catch-up: 2 stories held")


async def test_mutes_listed_and_undone_from_discord_and_the_cli(
    start_bot: StartBot,
    fake: FakeDiscord,
    feed_server: FeedServer,
    clock: FixedClock,
    bot_settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bot = await start_bot()
    await _newsroom(fake, feed_server)
    newsroom = fake.channel("newsroom")
    empty = await (await fake.slash("alerts mutes")).reply()
    assert empty["flags"] & EPHEMERAL and "Nothing is muted" in str(empty["embeds"])
    _publish_two(feed_server, clock)
    await _poll_and_deliver(bot, clock)
    posted = [m for m in fake.channel_messages(newsroom) if m["components"]]
    assert posted
    alert = posted[0]
    ids = [c["custom_id"] for c in alert["components"][0]["components"]]
    for custom_id in ids[1:]:  # mute the story, then its source for the topic
        click = await fake.click(alert, custom_id)
        await click.wait_for(lambda c=click: c.initial is not None)
    await stop_bot(bot)

    assert await alerts_cli.handle_mutes(bot_settings, Namespace(guild=None, json=False)) == 0
    printed = capsys.readouterr().out
    assert "story-1" in printed and "source-1" in printed and "muted by editor" in printed

    await start_bot()  # the mutes and their buttons survive a restart
    listing = await (await fake.slash("alerts mutes")).reply()
    assert listing["flags"] & EPHEMERAL
    text = str(listing["embeds"])
    assert "Mutes (2)" in text and "muted by editor" in text
    buttons = {c["custom_id"]: c["label"] for c in listing["components"][0]["components"]}
    assert buttons["bw:unmute:story-1"].startswith("Unmute story #")
    denied = await (await fake.click(listing, "bw:unmute:story-1", user=fake.reporter)).reply()
    assert "editors" in denied["content"].lower()
    click = await fake.click(listing, "bw:unmute:story-1")
    await click.wait_for(lambda: click.initial is not None)
    assert click.initial is not None and click.initial["type"] == 7
    assert "Mutes (1)" in str(listing["embeds"]) and "Undone" in str(listing["embeds"])

    assert await alerts_cli.handle_unmute(bot_settings, Namespace(id="source-1", guild=None)) == 0
    assert "Undone" in capsys.readouterr().out
    assert await alerts_cli.handle_unmute(bot_settings, Namespace(id="source-1", guild=None)) == 2
    again = await (await fake.slash("alerts mutes")).reply()
    assert "Nothing is muted" in str(again["embeds"])


async def test_a_muted_story_does_not_lead_the_digest_which_shows_the_beats_week(
    start_bot: StartBot, fake: FakeDiscord, feed_server: FeedServer, clock: FixedClock
) -> None:
    bot = await start_bot()
    await _newsroom(fake, feed_server)
    newsroom = fake.channel("newsroom")
    _publish_two(feed_server, clock)  # Sloviansk is the newer: it would lead
    await _poll_and_deliver(bot, clock)
    await fake.wait_until(
        lambda: len([m for m in fake.channel_messages(newsroom) if m["components"]]) == 2
    )
    sloviansk = next(
        m for m in fake.channel_messages(newsroom) if "Sloviansk" in m["embeds"][0]["title"]
    )
    mute = sloviansk["components"][0]["components"][1]["custom_id"]
    click = await fake.click(sloviansk, mute)
    await click.wait_for(lambda: click.initial is not None)
    await stop_bot(bot)

    await start_bot()
    preview = await (await fake.slash("digest preview")).reply()
    text = preview["embeds"][0]["description"]
    stories = [ln for ln in text.splitlines() if ln.startswith("• ")]
    assert "Kramatorsk" in stories[0] and "Sloviansk" in stories[1]
    assert stories[1].endswith("· muted")
    [beat] = [ln for ln in text.splitlines() if ln.startswith("**") and "stories)" in ln]
    assert beat.endswith("· `▁▁▁▁▁▁█` 7 days")  # the beat's week: both stories today


async def test_a_notice_after_one_error_says_error(
    start_bot: StartBot,
    fake: FakeDiscord,
    feed_server: FeedServer,
    clock: FixedClock,
    bot_settings: Settings,
) -> None:
    bot = await start_bot(settings=bot_settings.model_copy(update={"failing_after_errors": 1}))
    await _newsroom(fake, feed_server)
    newsroom = fake.channel("newsroom")
    feed_server.broken.add("kyiv.xml")
    clock.advance(timedelta(days=1))
    await _poll_and_deliver(bot, clock)
    notice = await fake.wait_for_message(
        newsroom, lambda m: bool(m["embeds"]) and "Feed failing" in m["embeds"][0]["title"]
    )
    text = notice["embeds"][0]["description"]
    assert "1 consecutive error" in text and "1 consecutive errors" not in text


async def test_the_digest_title_shows_its_scheduled_minute(
    start_bot: StartBot, fake: FakeDiscord, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 2, 1, 5, 0, tzinfo=UTC))  # 07:00 in Kyiv
    bot = await start_bot()
    newsroom = fake.channel("newsroom")
    await (
        await fake.slash(
            "digest schedule", {"time": "08:00", "timezone": "Europe/Kyiv", "channel": newsroom}
        )
    ).reply()
    await settle(bot)
    clock.set(datetime(2026, 2, 1, 6, 0, 0, tzinfo=UTC))  # 08:00:00 sharp in Kyiv
    await bot.scheduler.run_digest(fake.guild.id)
    digest = await fake.wait_for_message(newsroom)
    assert digest["embeds"][0]["title"] == "Daily digest — 01 Feb 2026 08:00 EET"
