"""`beatwatch doctor --connect`: the bot's permissions in each configured channel (fake Discord)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.cli.ops import handle_doctor
from bot.clock import FixedClock
from bot.settings import Settings
from bot.storage import guilds
from bot.storage.database import Database
from tests.e2e.fake_discord import FakeDiscord
from tests.ops.test_doctor import make_token


async def test_connect_checks_each_configured_channel(
    settings: Settings, clock: FixedClock, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    token = make_token()
    async with FakeDiscord(token=token) as fake:
        newsroom = fake.channel("newsroom")
        general = fake.channel("general")
        fake.forbidden_channels.add(general)
        async with Database.open(settings.database_path) as db, db.transaction() as tx:
            await guilds.ensure_guild(tx, fake.guild.id, clock, name="Newsroom")
            await guilds.update_guild(
                tx, fake.guild.id, alert_channel_id=newsroom, digest_channel_id=999
            )
        configured = settings.model_copy(update={"discord_token": SecretStr(token)})
        code = await handle_doctor(configured, argparse.Namespace(connect=True, json=False))
    out = capsys.readouterr().out
    assert token not in out
    assert "[ ok ] discord.login" in out
    assert "[ ok ] discord.alerts" in out and "#newsroom" in out
    assert "[FAIL] discord.digest" in out and "channel 999 not found" in out
    assert code == 1


async def test_connect_without_token_skips(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await handle_doctor(settings, argparse.Namespace(connect=True, json=False))
    out = capsys.readouterr().out
    assert "[skip] discord" in out and code == 0


async def test_connect_with_rejected_token_fails(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakeDiscord(token=make_token(1)):
        wrong = settings.model_copy(update={"discord_token": SecretStr(make_token(2))})
        code = await handle_doctor(wrong, argparse.Namespace(connect=True, json=False))
    out = capsys.readouterr().out
    assert "[FAIL] discord.login" in out and "rejected" in out and code == 1
