"""/alerts, /digest, /timeline, /status end to end; guild join; the tree's error handling."""

from __future__ import annotations

import pytest

from bot.clock import FixedClock
from bot.storage import guilds
from tests.e2e.conftest import StartBot, settle, some_news
from tests.e2e.fake_discord import EPHEMERAL, FakeDiscord
from tests.e2e.feed_server import FeedServer


async def test_alerts_settings(start_bot: StartBot, fake: FakeDiscord) -> None:
    bot = await start_bot()
    newsroom = fake.channel("newsroom")
    reply = await (await fake.slash("alerts channel", {"channel": newsroom})).reply()
    assert reply["flags"] & EPHEMERAL and f"<#{newsroom}>" in reply["content"]
    assert "paused" in (await (await fake.slash("alerts pause")).reply())["content"]
    quiet = await (await fake.slash("alerts quiet-hours", {"from": "22:00", "to": "7:00"})).reply()
    assert "22:00–07:00" in quiet["content"]
    config = await guilds.get_guild(bot.services.db.reader, fake.guild.id)
    assert config is not None
    assert (config.alert_channel_id, config.alerts_paused) == (newsroom, True)
    assert (config.quiet_start, config.quiet_end) == ("22:00", "07:00")

    assert "resumed" in (await (await fake.slash("alerts resume")).reply())["content"]
    bad = await (await fake.slash("alerts quiet-hours", {"from": "25:00", "to": "07:00"})).reply()
    assert bad["flags"] & EPHEMERAL and "24-hour time" in bad["content"]


async def test_alerts_are_hidden_from_and_refused_to_non_managers(
    start_bot: StartBot, fake: FakeDiscord
) -> None:
    await start_bot()
    with pytest.raises(PermissionError):  # Discord hides it (default_member_permissions)
        await fake.slash("alerts pause", user=fake.reporter)
    # ...and if a server admin opened it to everyone, the bot still checks
    ix = await fake.slash("alerts pause", user=fake.reporter, enforce_permissions=False)
    reply = await ix.reply()
    assert reply["flags"] & EPHEMERAL and "Manage Server" in reply["content"]


async def test_digest_commands(
    start_bot: StartBot, fake: FakeDiscord, feed_server: FeedServer, clock: FixedClock
) -> None:
    bot = await start_bot()
    newsroom = fake.channel("newsroom")
    preview = await (await fake.slash("digest preview", user=fake.reporter)).reply()
    assert preview["flags"] & EPHEMERAL and preview["embeds"][0]["title"].startswith("Daily digest")

    bad = await (
        await fake.slash("digest schedule", {"time": "08:00", "timezone": "Mars/Olympus"})
    ).reply()
    assert "unknown timezone" in bad["content"]
    zones = await (
        await fake.slash(
            "digest schedule", {"time": "08:00", "timezone": "kyiv"}, focused="timezone"
        )
    ).choices()
    assert [c["value"] for c in zones] == ["Europe/Kyiv"]

    ok = await (
        await fake.slash(
            "digest schedule", {"time": "7:30", "timezone": "Europe/Kyiv", "channel": newsroom}
        )
    ).reply()
    assert "07:30 Europe/Kyiv" in ok["content"]

    await some_news(bot, fake, feed_server, clock)
    await settle(bot)  # the start-up delivery pass is over: the command's kick runs at once
    now = await (await fake.slash("digest now")).reply()
    assert now["flags"] & EPHEMERAL and now["content"].startswith("Digest queued (1 part)")
    posted = await fake.wait_for_message(newsroom)
    assert posted["embeds"][0]["title"].startswith("Daily digest")
    assert "posted on request" in posted["embeds"][0]["footer"]["text"]
    assert posted["allowed_mentions"] == {"parse": []}


async def test_timeline(start_bot: StartBot, fake: FakeDiscord) -> None:
    await start_bot()
    choices = await (await fake.slash("timeline", {"topic": "don"}, focused="topic")).choices()
    assert [c["value"] for c in choices] == ["Donbas"]
    reply = await (await fake.slash("timeline", {"topic": "Donbas"}, user=fake.reporter)).reply()
    assert reply["embeds"][0]["title"] == "Timeline: Donbas"
    unknown = await (await fake.slash("timeline", {"topic": "Atlantis"})).reply()
    assert unknown["flags"] & EPHEMERAL and "No topic named" in unknown["content"]


async def test_joining_a_server_sets_it_up(start_bot: StartBot, fake: FakeDiscord) -> None:
    bot = await start_bot()
    guild = await fake.join_guild()
    while guild.id not in bot.known_guilds:
        bot.guild_known.clear()
        await bot.guild_known.wait()
    assert await guilds.get_guild(bot.services.db.reader, guild.id) is not None
    assert len(await bot.services.feeds.list(guild.id)) > 0  # the default feeds


async def test_unexpected_error_gets_an_apology_and_is_logged(
    start_bot: StartBot, fake: FakeDiscord, fail_on_logged_errors, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await start_bot()

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(bot.services.topics, "list", broken)
    reply = await (await fake.slash("topics list", user=fake.reporter)).reply()
    assert reply["flags"] & EPHEMERAL and reply["content"].startswith("Sorry, something went wrong")
    assert "database on fire" not in reply["content"]  # never a traceback in Discord
    logged = [r for r in fail_on_logged_errors.records if r.name == "bot.tree"]
    assert len(logged) == 1
    message = logged[0].getMessage()
    assert "command=topics list" in message and f"guild={fake.guild.id}" in message
    assert f"user={fake.reporter.id}" in message
    fail_on_logged_errors.records.clear()  # expected


async def test_error_after_defer_is_answered_as_followup(
    start_bot: StartBot, fake: FakeDiscord, fail_on_logged_errors, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await start_bot()

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("facts store unavailable")

    monkeypatch.setattr(bot.services.facts, "ask", broken)
    ix = await fake.slash("ask", {"question": "Who denied the FT report?"})
    reply = await ix.reply()
    assert ix.initial is not None and ix.initial["type"] == 5
    assert reply["content"].startswith("Sorry, something went wrong")
    assert reply["flags"] & EPHEMERAL  # the public "thinking" placeholder was removed
    assert ix.original is not None and ix.original.get("_deleted")
    fail_on_logged_errors.records.clear()


async def test_status_counts_and_next_digest(start_bot: StartBot, fake: FakeDiscord) -> None:
    await start_bot()
    reply = await (await fake.slash("status")).reply()
    fields = {f["name"]: f["value"] for f in reply["embeds"][0]["fields"]}
    assert "facts" in fields["Stored"] and "no channel set" in fields["Alerts"]
    assert "08:00 Europe/Kyiv" in fields["Next digest"]


async def test_status_shows_operational_problems(
    start_bot: StartBot, fake: FakeDiscord, clock
) -> None:
    from bot.ops import problems

    await start_bot()
    problems.report("database", "database is locked (writes waiting)", clock.now())
    try:
        reply = await (await fake.slash("status")).reply()
    finally:
        problems.reset()
    fields = {f["name"]: f["value"] for f in reply["embeds"][0]["fields"]}
    assert "database is locked" in fields["Problems"]


async def test_digest_now_in_a_channel_the_bot_cannot_post_in(
    start_bot: StartBot, fake: FakeDiscord, feed_server: FeedServer, clock: FixedClock
) -> None:
    bot = await start_bot()
    newsroom = fake.channel("newsroom")
    await (await fake.slash("alerts channel", {"channel": newsroom})).reply()
    await some_news(bot, fake, feed_server, clock)
    fake.forbidden_channels.add(newsroom)
    await settle(bot)
    reply = await (await fake.slash("digest now")).reply()
    assert reply["flags"] & EPHEMERAL and reply["content"].startswith("Digest queued")
    await bot.scheduler.run_delivery()  # passes never overlap: after the one the command started
    failed = await bot.services.alerts.outbox(fake.guild.id, status="failed")
    assert fake.channel_messages(newsroom) == []
    assert [e.kind for e in failed] == ["digest"]
    assert "permission" in (failed[0].last_error or "").lower()
    status = await (await fake.slash("status")).reply()
    fields = {f["name"]: f["value"] for f in status["embeds"][0]["fields"]}
    assert "1 failed" in fields["Delivery"]
