"""/feeds import (an OPML attachment) and /feeds export (an OPML file), through a restart; the
CLI's feeds import/export print the same."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

import pytest

from bot.cli import feeds as feeds_cli
from bot.feeds import opml
from bot.settings import Settings
from tests.e2e.conftest import StartBot, stop_bot
from tests.e2e.fake_discord import EPHEMERAL, FakeDiscord
from tests.e2e.feed_server import FeedServer


def _file(*urls: str) -> bytes:
    outlines = "".join(f'<outline text="Feed {i}" xmlUrl="{u}"/>' for i, u in enumerate(urls))
    return (f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>').encode()


async def test_import_and_export_opml_survive_a_restart(
    start_bot: StartBot,
    fake: FakeDiscord,
    feed_server: FeedServer,
    bot_settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bot = await start_bot()
    kyiv = feed_server.feed("kyiv.xml", "Kyiv Wire")
    europe = feed_server.feed("europe.xml", "Europe Desk")
    first = await (await fake.slash("feeds add", {"url": kyiv})).reply()
    assert first["embeds"][0]["title"].startswith("Feed added")
    again = await (await fake.slash("feeds add", {"url": kyiv})).reply()
    assert again["embeds"][0]["title"].startswith("Already watched")  # not "Feed added"

    upload = fake.upload("mine.opml", _file(kyiv, europe, feed_server.url("gone.xml")))
    denied = await (await fake.slash("feeds import", {"file": upload}, user=fake.reporter)).reply()
    assert denied["flags"] & EPHEMERAL and "Manage Server" in denied["content"]
    reply = await (await fake.slash("feeds import", {"file": upload})).reply()
    assert reply["flags"] & EPHEMERAL
    embed = reply["embeds"][0]
    assert embed["title"] == "OPML import: 1 added, 1 already there, 1 refused"
    lines = embed["description"].splitlines()
    assert "already there" in lines[0] and "added" in lines[1] and "refused" in lines[2]
    assert "could not fetch" in lines[2]

    bad = fake.upload("evil.opml", b'<!DOCTYPE x [<!ENTITY a "b">]><opml><body/></opml>')
    refused = await (await fake.slash("feeds import", {"file": bad})).reply()
    assert "DTD or entities" in str(refused)
    await stop_bot(bot)

    await start_bot()
    export = await (await fake.slash("feeds export")).reply()
    [(name, data)] = export["files"].items()
    assert name == "beatwatch-feeds.opml"
    urls = {f.url for f in opml.parse(data)}
    assert {kyiv, europe} <= urls and feed_server.url("gone.xml") not in urls

    path = tmp_path / "out.opml"
    args = Namespace(guild=fake.guild.id, output=path)
    assert await feeds_cli.handle_export(bot_settings, args) == 0
    assert {f.url for f in opml.parse(path.read_bytes())} == urls
    capsys.readouterr()
    args = Namespace(guild=0, file=path, json=False)
    assert await feeds_cli.handle_import(bot_settings, args) == 0
    assert "OPML import:" in capsys.readouterr().out
