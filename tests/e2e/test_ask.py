"""/ask end to end: deferred public answer with cited evidence; Sources button; abstention."""

from __future__ import annotations

from tests.e2e.conftest import StartBot, stop_bot
from tests.e2e.fake_discord import EPHEMERAL, FakeDiscord


async def test_ask_answers_with_cited_evidence_and_sources_button(
    start_bot: StartBot, fake: FakeDiscord
) -> None:
    await start_bot()
    ix = await fake.slash(
        "ask", {"question": "Where did Trump and Putin meet?"}, user=fake.reporter
    )
    reply = await ix.reply()
    assert ix.initial is not None and ix.initial["type"] == 5  # deferred first
    assert not reply["flags"] & EPHEMERAL  # the newsroom sees the answer
    assert reply["allowed_mentions"] == {"parse": []}
    embed = reply["embeds"][0]
    assert embed["title"] == "Where did Trump and Putin meet?"
    evidence = embed["description"].split("**Evidence**\n", 1)[1]
    assert evidence.startswith("> ") and "2025-08-16" in evidence
    button = reply["components"][0]["components"][0]
    assert button["label"] == "Sources" and button["custom_id"] == "bw:sources"

    click = await fake.click(reply, "bw:sources", user=fake.reporter)
    sources = await click.reply()
    assert sources["flags"] & EPHEMERAL
    assert sources["embeds"][0]["title"] == "Sources"
    assert "1. > " in sources["embeds"][0]["description"]


async def test_sources_button_survives_a_restart(start_bot: StartBot, fake: FakeDiscord) -> None:
    bot = await start_bot()
    reply = await (await fake.slash("ask", {"question": "Where did Trump and Putin meet?"})).reply()
    await stop_bot(bot)

    await start_bot()
    sources = await (await fake.click(reply, "bw:sources")).reply()
    assert sources["embeds"][0]["title"] == "Sources"


async def test_ask_abstains_plainly(start_bot: StartBot, fake: FakeDiscord) -> None:
    await start_bot()
    reply = await (
        await fake.slash("ask", {"question": "What is the price of tea in Lisbon?"})
    ).reply()
    embed = reply["embeds"][0]
    assert "nothing on that" in embed["description"]
    assert not reply.get("components")


async def test_ask_shows_disagreeing_sources_with_dates(
    start_bot: StartBot, fake: FakeDiscord
) -> None:
    await start_bot()
    reply = await (
        await fake.slash("ask", {"question": "How much of Donbas does Russia control?"})
    ).reply()
    embed = reply["embeds"][0]
    conflict = next(f for f in embed["fields"] if f["name"].startswith("Sources disagree"))
    dated = [line for line in conflict["value"].splitlines() if line.startswith("•")]
    assert len(dated) >= 2 and all(line[-10:-6].isdigit() for line in dated)  # …, YYYY-MM-DD
