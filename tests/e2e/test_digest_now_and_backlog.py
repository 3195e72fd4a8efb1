"""/digest now through the outbox, /admin newsroom-role, and what /status and /alerts channel
say about messages that wait (no channel), failed deliveries and held alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import BeatwatchBot
from bot.clock import FixedClock
from bot.storage import guilds
from tests.e2e.conftest import StartBot, settle, some_news
from tests.e2e.fake_discord import EPHEMERAL, FakeDiscord
from tests.e2e.feed_server import FeedServer, Item


def _fields(reply: dict) -> dict[str, str]:
    return {f["name"]: f["value"] for f in reply["embeds"][0]["fields"]}


async def test_digest_now_is_queued_recorded_and_the_daily_digest_still_runs(
    start_bot: StartBot, fake: FakeDiscord, clock: FixedClock, feed_server: FeedServer
) -> None:
    clock.set(datetime(2026, 2, 1, 5, 0, tzinfo=UTC))  # 07:00 in Kyiv, the digest is at 08:00
    bot = await start_bot()
    gid = fake.guild.id
    newsroom = fake.channel("newsroom")
    await (
        await fake.slash(
            "digest schedule", {"time": "08:00", "timezone": "Europe/Kyiv", "channel": newsroom}
        )
    ).reply()
    await settle(bot)
    nothing = await (await fake.slash("digest now")).reply()
    assert nothing["flags"] & EPHEMERAL and nothing["content"].startswith("Nothing new")
    await bot.scheduler.run_delivery()
    assert fake.channel_messages(newsroom) == []  # no public "Nothing new"
    assert await bot.services.digests.runs(gid) == []
    await some_news(bot, fake, feed_server, clock)
    fake.rate_limit_next("POST", rf"/channels/{newsroom}/messages")  # survived, posted once

    reply = await (await fake.slash("digest now")).reply()
    assert reply["flags"] & EPHEMERAL
    assert reply["content"].startswith("Digest queued (1 part)")
    posted = await fake.wait_for_message(newsroom)
    assert posted["embeds"][0]["footer"]["text"].startswith("posted on request")
    assert posted["nonce"]  # an outbox message: a resend cannot duplicate it

    await bot.scheduler.run_delivery()  # passes never overlap: this one waits for the kicked one
    runs = await bot.services.digests.runs(gid)
    assert [(r.period.startswith("manual:"), r.status) for r in runs] == [(True, "sent")]
    manual = runs[0]
    assert len(fake.channel_messages(newsroom)) == 1

    clock.set(datetime(2026, 2, 1, 6, 0, 5, tzinfo=UTC))  # 08:00:05 in Kyiv
    await bot.scheduler.run_digest(gid)
    await fake.wait_until(lambda: len(fake.channel_messages(newsroom)) == 2)
    daily = fake.channel_messages(newsroom)[1]["embeds"][0]
    assert daily["title"].startswith("Daily digest")
    assert "posted on request" not in daily.get("footer", {}).get("text", "")
    day_run = next(r for r in await bot.services.digests.runs(gid) if r.period == "2026-02-01")
    assert day_run.since == manual.until  # only what came after the manual one


async def test_newsroom_role_set_by_command_lets_its_members_manage(
    start_bot: StartBot, fake: FakeDiscord
) -> None:
    bot = await start_bot()
    editors = fake.role("Editors")
    fake.reporter.role_ids.append(editors)

    async def add_topic(name: str) -> dict:
        # A server admin opened /topics to the role (Integrations): the bot still checks.
        ix = await fake.slash(
            "topics add", {"name": name, "aliases": name}, user=fake.reporter,
            enforce_permissions=False,
        )  # fmt: skip
        return await ix.reply()

    refused = await add_topic("Crimea bridge")
    assert refused["flags"] & EPHEMERAL and "Manage Server" in refused["content"]

    ok = await (await fake.slash("admin newsroom-role", {"role": editors})).reply()
    assert ok["flags"] & EPHEMERAL and f"<@&{editors}>" in ok["content"]
    assert ok["allowed_mentions"] == {"parse": []}
    config = await guilds.get_guild(bot.services.db.reader, fake.guild.id)
    assert config is not None and config.newsroom_role_id == editors

    assert (await add_topic("Crimea bridge"))["embeds"][0]["title"] == "Topic added: Crimea bridge"
    # the role may manage beatwatch, not hand the role out
    ix = await fake.slash(
        "admin newsroom-role", {"role": editors}, user=fake.reporter, enforce_permissions=False
    )
    assert "Manage Server" in (await ix.reply())["content"]

    fake.reporter.role_ids.remove(editors)
    without = await add_topic("Kerch strait")
    assert without["flags"] & EPHEMERAL and "Manage Server" in without["content"]

    fake.reporter.role_ids.append(editors)
    cleared = await (await fake.slash("admin newsroom-role")).reply()
    assert "cleared" in cleared["content"]
    again = await add_topic("Kerch strait")
    assert again["flags"] & EPHEMERAL and "Manage Server" in again["content"]
    names = {t.name for t in await bot.services.topics.list(fake.guild.id) if not t.shipped}
    assert names == {"Crimea bridge"}


async def _alert_without_channel(
    bot: BeatwatchBot, fake: FakeDiscord, feed_server: FeedServer, clock: FixedClock
) -> None:
    url = feed_server.feed("kyiv.xml", "Kyiv Wire")
    assert (await (await fake.slash("feeds add", {"url": url})).reply())["embeds"]
    feed_server.publish(
        "kyiv.xml",
        Item(
            "Russian forces shell Kramatorsk as fighting intensifies in Donetsk region",
            description="Residential buildings in Kramatorsk, Donetsk region, were hit overnight.",
            published=clock.now() - timedelta(minutes=20),
            link="https://kyiv.example/kramatorsk",
        ),
    )
    await settle(bot)
    clock.advance(timedelta(seconds=bot.settings.poll_interval_seconds + 1))
    await bot.scheduler.run_poll()
    clock.advance(timedelta(seconds=bot.settings.alert_hold_seconds + 1))
    await bot.scheduler.run_delivery()


async def test_an_alert_waiting_for_a_channel_is_pointed_out(
    start_bot: StartBot, fake: FakeDiscord, feed_server: FeedServer, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 2, 1, 4, 0, tzinfo=UTC))  # before the 08:00 Kyiv digest
    bot = await start_bot()
    await _alert_without_channel(bot, fake, feed_server, clock)

    status = _fields(await (await fake.slash("status", user=fake.reporter)).reply())
    assert "1 alert waiting" in status["Waiting for a channel"]
    assert "/alerts channel" in status["Waiting for a channel"]
    assert status["Delivery"].startswith("1 waiting for a channel · 0 failed")
    assert "Europe/Kyiv" in status["Next digest"] and "08:00" in status["Next digest"]

    shown = await (await fake.slash("alerts channel")).reply()
    assert shown["flags"] & EPHEMERAL
    assert "1 alert waiting" in shown["content"] and "no alert channel" in shown["content"]

    newsroom = fake.channel("newsroom")
    await settle(bot)
    set_reply = await (await fake.slash("alerts channel", {"channel": newsroom})).reply()
    assert "1 message waiting for a channel will be posted there now" in set_reply["content"]
    alert = await fake.wait_for_message(newsroom, lambda m: bool(m["embeds"]))
    assert "Kramatorsk" in alert["embeds"][0]["title"]

    await bot.scheduler.run_delivery()  # after the pass the command started
    status = _fields(await (await fake.slash("status")).reply())
    assert "Waiting for a channel" not in status
    assert f"<#{newsroom}>" in status["Alerts"]
    assert (await (await fake.slash("alerts channel")).reply())["content"] == (
        f"Alerts are posted in <#{newsroom}>."
    )


async def test_status_counts_alerts_held_for_the_digest(
    start_bot: StartBot, fake: FakeDiscord, feed_server: FeedServer, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 2, 1, 4, 0, tzinfo=UTC))
    bot = await start_bot()
    await (await fake.slash("alerts channel", {"channel": fake.channel("newsroom")})).reply()
    await (await fake.slash("alerts pause")).reply()
    await _alert_without_channel(bot, fake, feed_server, clock)
    status = _fields(await (await fake.slash("status")).reply())
    assert "1 alert held for the digest" in status["Delivery"]
    assert "Waiting for a channel" not in status
    assert fake.channel_messages(fake.channel("newsroom")) == []


async def test_digest_now_while_the_days_digest_waits_for_a_channel(
    start_bot: StartBot, fake: FakeDiscord, clock: FixedClock, feed_server: FeedServer
) -> None:
    clock.set(datetime(2026, 2, 1, 7, 0, tzinfo=UTC))  # 09:00 in Kyiv: the 08:00 digest is due
    bot = await start_bot()
    gid = fake.guild.id
    await settle(bot)
    await bot.scheduler.run_digest(gid)  # no channel: the day's digest is held
    assert [(r.period, r.status) for r in await bot.services.digests.runs(gid)] == [
        ("2026-02-01", "waiting_channel")
    ]
    await some_news(bot, fake, feed_server, clock)
    general = fake.channel("general")
    reply = await (await fake.slash("digest now")).reply()
    assert f"<#{general}>" in reply["content"]  # no channel set: where it was asked
    await fake.wait_for_message(general)
    await bot.scheduler.run_delivery()
    runs = {r.period[:7]: r for r in await bot.services.digests.runs(gid)}
    assert (runs["manual:"].status, runs["2026-02"].status) == ("sent", "waiting_channel")
    assert runs["2026-02"].since == runs["manual:"].until  # the held one now starts after it

    newsroom = fake.channel("newsroom")
    await (await fake.slash("alerts channel", {"channel": newsroom})).reply()
    await bot.scheduler.run_delivery()
    daily = await fake.wait_for_message(newsroom)
    assert daily["embeds"][0]["title"].startswith("Daily digest")
    await bot.scheduler.run_delivery()  # after the pass that posted it (marked sent)
    digests = [
        m
        for m in fake.channel_messages(general)
        if m.get("embeds") and m["embeds"][0]["title"].startswith("Daily digest")
    ]
    assert len(digests) == 1  # the held digest went to the new channel, not here again
    day = next(r for r in await bot.services.digests.runs(gid) if r.period == "2026-02-01")
    assert day.status == "sent" and day.since == runs["manual:"].until
