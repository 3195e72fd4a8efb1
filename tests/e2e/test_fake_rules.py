"""The fake Discord refuses what Discord refuses, so the other tests can trust a green run."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import discord
import pytest

from bot.clock import FixedClock
from tests.e2e.conftest import StartBot
from tests.e2e.fake_discord import FakeDiscord


async def test_fake_refuses_oversized_content_and_double_responses(
    start_bot: StartBot, fake: FakeDiscord, expect_refusals: list[str]
) -> None:
    bot = await start_bot()
    channel = bot.get_partial_messageable(fake.channel("general"), guild_id=fake.guild.id)
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.status == 400 and too_long.value.code == 50035

    with pytest.raises(discord.HTTPException) as too_big:
        await channel.send(embed=discord.Embed(title="t", description="d" * 4097))
    assert too_big.value.code == 50035

    ix = await fake.slash("status")
    await ix.reply()
    adapter_route = discord.http.Route.BASE + f"/interactions/{ix.id}/{ix.token}/callback"
    session = bot.http._HTTPClient__session  # type: ignore[attr-defined]
    async with session.post(adapter_route, json={"type": 4, "data": {"content": "again"}}) as resp:
        body = await resp.json()
    assert resp.status == 400 and body["code"] == 40060
    assert resp.headers["Content-Type"] == "application/json"
    assert len(fake.violations) == 3


async def test_fake_refuses_a_late_first_response(
    start_bot: StartBot, fake: FakeDiscord, expect_refusals: list[str], fail_on_logged_errors
) -> None:
    await start_bot()
    fake.response_deadline = 0.0  # every answer is "later than 3 s"
    ix = await fake.slash("status")
    await fake.wait_until(lambda: bool(fake.violations))
    assert "10062" in fake.violations[0]
    assert ix.initial is None
    for _ in range(200):  # the bot logs the failed answer (expected here), then it is dropped
        if fail_on_logged_errors.records:
            break
        await asyncio.sleep(0.01)
    assert "command=status" in fail_on_logged_errors.records[0].getMessage()
    fail_on_logged_errors.records.clear()


async def test_fake_refuses_bad_command_json(
    start_bot: StartBot, fake: FakeDiscord, expect_refusals: list[str]
) -> None:
    bot = await start_bot()
    bad = [
        {"name": "Topics", "description": "x" * 101, "type": 1},
        {"name": "ok", "description": "fine", "type": 1, "options": [
            {"name": "later", "description": "optional", "type": 3},
            {"name": "first", "description": "required", "type": 3, "required": True},
        ]},
    ]  # fmt: skip
    with pytest.raises(discord.HTTPException) as refused:
        await bot.http.bulk_upsert_guild_commands(fake.app_id, fake.guild.id, payload=bad)
    assert refused.value.status == 400 and refused.value.code == 50035
    problems = fake.violations[-1]
    assert "/Topics: bad name" in problems and "description length 101" in problems
    assert "required option after an optional one" in problems


async def test_fake_refuses_followups_after_the_token_expired(
    start_bot: StartBot, fake: FakeDiscord, expect_refusals: list[str]
) -> None:
    bot = await start_bot()
    ix = await fake.slash("status")
    await ix.reply()
    fake.token_lifetime = 0.0
    webhook = discord.Webhook.partial(fake.app_id, ix.token, client=bot)
    with pytest.raises(discord.HTTPException) as expired:
        await webhook.send("late", wait=True)
    assert expired.value.status == 401 and expired.value.code == 50027


async def test_fake_enforces_a_nonce_for_a_few_minutes_only_and_never_returns_it(
    start_bot: StartBot, fake: FakeDiscord, clock: FixedClock
) -> None:
    bot = await start_bot()
    general = fake.channel("general")
    channel = bot.get_partial_messageable(general, guild_id=fake.guild.id)
    first = await channel.send("one", nonce="n1")
    clock.advance(fake.nonce_lifetime - timedelta(seconds=1))
    assert (await channel.send("one", nonce="n1")).id == first.id  # still enforced
    clock.advance(timedelta(seconds=2))
    later = await channel.send("one", nonce="n1")  # forgotten: a second message
    assert later.id != first.id and len(fake.channel_messages(general)) == 2
    fetched = [m async for m in channel.history(limit=10)]
    assert [m.id for m in fetched] == [later.id, first.id]  # newest first
    assert all(m.nonce is None for m in fetched)
    assert (await channel.fetch_message(first.id)).nonce is None
