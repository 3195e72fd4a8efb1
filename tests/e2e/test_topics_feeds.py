"""/topics and /feeds end to end: success and error paths, autocomplete, permission denial."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.e2e.conftest import StartBot
from tests.e2e.fake_discord import EPHEMERAL, FakeDiscord
from tests.e2e.feed_server import FeedServer, Item


async def test_topic_lifecycle(start_bot: StartBot, fake: FakeDiscord) -> None:
    await start_bot()
    role = fake.role("Donbas desk")
    ix = await fake.slash(
        "topics add",
        {
            "name": "Zaporizhzhia plant",
            "aliases": "Zaporizhzhia nuclear, ZNPP, Enerhodar",
            "ping_role": role,
        },
    )
    reply = await ix.reply()
    assert ix.ephemeral
    assert reply["embeds"][0]["title"] == "Topic added: Zaporizhzhia plant"
    assert f"<@&{role}>" in reply["embeds"][0]["fields"][0]["value"]

    listing = await (await fake.slash("topics list", user=fake.reporter)).reply()
    names = [f["name"] for f in listing["embeds"][0]["fields"]]
    assert "Zaporizhzhia plant" in names and "Donbas (shipped)" in names

    tested = await (
        await fake.slash(
            "topics test",
            {"text": "Drones hit a building in Enerhodar overnight."},
            user=fake.reporter,
        )
    ).reply()
    field = tested["embeds"][0]["fields"][0]
    assert field["name"].startswith("Zaporizhzhia plant") and "**Enerhodar**" in field["value"]

    choices = await (await fake.slash("topics remove", {"name": "zap"}, focused="name")).choices()
    assert [c["value"] for c in choices] == [
        "Zaporizhzhia plant"
    ]  # shipped topics can't be removed

    removed = await (await fake.slash("topics remove", {"name": "Zaporizhzhia plant"})).reply()
    assert "Topic removed" in removed["content"]


async def test_topic_with_context_words(start_bot: StartBot, fake: FakeDiscord) -> None:
    await start_bot()
    reply = await (
        await fake.slash(
            "topics add",
            {
                "name": "Grain corridor",
                "aliases": "grain corridor, grain deal",
                "context": "Odesa, Black Sea",
            },
        )
    ).reply()
    assert "Needs one of: Odesa, Black Sea" in reply["embeds"][0]["fields"][0]["value"]
    hit = await (
        await fake.slash("topics test", {"text": "The grain corridor from Odesa reopened."})
    ).reply()
    assert hit["embeds"][0]["fields"][0]["name"].startswith("Grain corridor")
    miss = await (
        await fake.slash("topics test", {"text": "A grain deal was signed in Cairo."})
    ).reply()
    assert miss["content"] == "No topic matches that text."


async def test_topic_mistakes_get_a_clear_private_answer(
    start_bot: StartBot, fake: FakeDiscord
) -> None:
    await start_bot()
    ix = await fake.slash("topics add", {"name": "Donbas", "aliases": "Donbas"})
    reply = await ix.reply()
    assert reply["flags"] & EPHEMERAL and "shipped" in reply["content"]

    ix = await fake.slash("topics remove", {"name": "nothing like this"})
    reply = await ix.reply()
    assert reply["flags"] & EPHEMERAL and "no topic named" in reply["content"]

    nothing = await (
        await fake.slash("topics test", {"text": "Weather is fine in Lisbon."})
    ).reply()
    assert nothing["content"] == "No topic matches that text."


async def test_non_manager_cannot_change_topics(start_bot: StartBot, fake: FakeDiscord) -> None:
    bot = await start_bot()
    ix = await fake.slash(
        "topics add", {"name": "Crimea bridge", "aliases": "Kerch bridge"}, user=fake.reporter
    )
    reply = await ix.reply()
    assert reply["flags"] & EPHEMERAL and "Manage Server" in reply["content"]
    assert [t.name for t in await bot.services.topics.list(fake.guild.id) if not t.shipped] == []


async def test_newsroom_role_may_manage(
    start_bot: StartBot, fake: FakeDiscord, bot_settings
) -> None:
    await start_bot(settings=bot_settings.model_copy(update={"newsroom_role": "Editors"}))
    fake.reporter.role_ids.append(fake.role("Editors"))
    ix = await fake.slash(
        "topics add", {"name": "Crimea bridge", "aliases": "Kerch bridge"}, user=fake.reporter
    )
    assert (await ix.reply())["embeds"][0]["title"] == "Topic added: Crimea bridge"


async def test_backtest_defers_then_answers(start_bot: StartBot, fake: FakeDiscord) -> None:
    await start_bot()
    ix = await fake.slash("topics backtest", {"name": "Donbas", "days": 3650})
    reply = await ix.reply()
    assert ix.initial is not None and ix.initial["type"] == 5  # deferred first
    assert reply["flags"] & EPHEMERAL
    assert reply["embeds"][0]["title"] == "Backtest: Donbas"


async def test_feed_add_list_status_remove(
    start_bot: StartBot, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    await start_bot()
    url = feed_server.feed("desk.xml", "Desk wire")
    feed_server.publish(
        "desk.xml",
        Item(
            "Talks resume",
            "https://desk.example/1",
            "Officials met.",
            datetime(2026, 1, 31, tzinfo=UTC),
        ),
    )
    ix = await fake.slash("feeds add", {"url": url, "channel": fake.channel("newsroom")})
    reply = await ix.reply()
    assert ix.initial is not None and ix.initial["type"] == 5
    assert reply["embeds"][0]["title"] == "Feed added: Desk wire"

    listing = await (await fake.slash("feeds list", user=fake.reporter)).reply()
    assert "Desk wire" in listing["embeds"][0]["description"]

    status = await (await fake.slash("feeds status", user=fake.reporter)).reply()
    assert status["embeds"][0]["title"] == "Feed health"
    assert len(status["embeds"][0]["description"]) <= 4096

    choices = await (await fake.slash("feeds remove", {"feed": "desk"}, focused="feed")).choices()
    assert len(choices) == 1 and "Desk wire" in choices[0]["name"]
    removed = await (await fake.slash("feeds remove", {"feed": choices[0]["value"]})).reply()
    assert "Feed removed: Desk wire" in removed["content"]


async def test_feed_autocomplete_is_capped_at_25(start_bot: StartBot, fake: FakeDiscord) -> None:
    bot = await start_bot()
    assert len(await bot.services.feeds.list(fake.guild.id)) > 25  # the default feeds
    choices = await (await fake.slash("feeds remove", {"feed": ""}, focused="feed")).choices()
    assert len(choices) == 25
    assert all(1 <= len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)


async def test_feed_add_refuses_what_is_not_a_feed(
    start_bot: StartBot, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    await start_bot()
    ix = await fake.slash("feeds add", {"url": feed_server.url("missing.xml")})
    reply = await ix.reply()
    assert reply["flags"] & EPHEMERAL
    assert "could not fetch" in reply["content"] or "404" in reply["content"]
