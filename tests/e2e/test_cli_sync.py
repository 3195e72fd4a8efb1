"""`beatwatch sync` against the fake Discord: global by default, one server with --guild."""

from __future__ import annotations

import argparse

import pytest
from pydantic import SecretStr

from bot.cli import sync
from bot.settings import Settings
from tests.e2e.fake_discord import FakeDiscord


async def test_sync_publishes_global_commands(
    bot_settings: Settings, fake: FakeDiscord, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = bot_settings.model_copy(update={"discord_token": SecretStr(fake.token)})
    assert await sync.handle(settings, argparse.Namespace(guild=None)) == 0
    assert [scope for scope, _ in fake.sync_requests] == [None]  # no dev-guild sync on the side
    names = {c["name"] for c in fake.registered(None)}
    assert {"ask", "topics", "feeds", "alerts", "digest", "timeline", "status", "admin"} == names
    assert "synced 8 commands" in capsys.readouterr().out


async def test_sync_to_one_guild(bot_settings: Settings, fake: FakeDiscord) -> None:
    settings = bot_settings.model_copy(update={"discord_token": SecretStr(fake.token)})
    assert await sync.handle(settings, argparse.Namespace(guild=fake.guild.id)) == 0
    assert [scope for scope, _ in fake.sync_requests] == [fake.guild.id]


async def test_sync_with_a_bad_token_fails_clearly(
    bot_settings: Settings, fake: FakeDiscord, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = bot_settings.model_copy(update={"discord_token": SecretStr("wrong")})
    assert await sync.handle(settings, argparse.Namespace(guild=None)) == 2
    assert "refused the token" in capsys.readouterr().err
