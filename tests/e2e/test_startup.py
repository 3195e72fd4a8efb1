"""Start-up against the fake Discord: login, command sync to the dev guild, ready, guild rows."""

from __future__ import annotations

from bot.storage import guilds
from tests.e2e.conftest import StartBot
from tests.e2e.fake_discord import MANAGE_GUILD, FakeDiscord

# groups whose every subcommand changes settings carry default_member_permissions; mixed groups
# (topics, feeds, digest) check add/remove/schedule at run time instead (see cogs/_interaction.py)
MANAGEMENT_GROUPS = {"alerts", "admin"}


def _walk(options: list[dict], path: str) -> list[tuple[str, dict]]:
    out = []
    for opt in options:
        here = f"{path} {opt['name']}"
        out.append((here, opt))
        if opt.get("type") in (1, 2):
            out += _walk(opt.get("options", []), here)
    return out


async def test_startup_syncs_commands_to_the_dev_guild_only(
    start_bot: StartBot, fake: FakeDiscord
) -> None:
    bot = await start_bot()

    assert [scope for scope, _ in fake.sync_requests] == [fake.guild.id]  # never global by surprise
    commands = fake.registered(fake.guild.id)
    names = [c["name"] for c in commands]
    assert len(names) == len(set(names))
    assert {"status", "admin", "topics", "feeds"} <= set(names)
    for cmd in commands:
        assert 1 <= len(cmd["description"]) <= 100, cmd["name"]
        assert cmd.get("contexts") == [0] or cmd.get("dm_permission") is False, cmd["name"]
        for path, opt in _walk(cmd.get("options", []), "/" + cmd["name"]):
            assert 1 <= len(opt["description"]) <= 100, path
            assert opt["name"] == opt["name"].lower() and len(opt["name"]) <= 32, path
        if cmd["name"] in MANAGEMENT_GROUPS:
            assert int(cmd["default_member_permissions"]) == MANAGE_GUILD, cmd["name"]
        else:
            assert cmd.get("default_member_permissions") is None, cmd["name"]

    # the guild the bot is in got its settings row
    config = await guilds.get_guild(bot.services.db.reader, fake.guild.id)
    assert config is not None and config.name == fake.guild.name


async def test_status_answers_privately(start_bot: StartBot, fake: FakeDiscord) -> None:
    await start_bot()
    ix = await fake.slash("status", user=fake.reporter)
    reply = await ix.reply()
    assert ix.ephemeral
    embed = reply["embeds"][0]
    assert embed["title"] == "beatwatch status"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "Next digest" in fields and "Feeds" in fields
    assert reply["allowed_mentions"] == {"parse": []}


async def test_admin_sync_is_owner_only(start_bot: StartBot, fake: FakeDiscord) -> None:
    await start_bot()
    ix = await fake.slash("admin sync", user=fake.manager)
    reply = await ix.reply()
    assert ix.ephemeral and "owner" in reply["content"]

    ix = await fake.slash("admin sync", {"scope": "here"}, user=fake.owner)
    reply = await ix.reply()
    assert "Synced" in reply["content"]
    assert [scope for scope, _ in fake.sync_requests] == [fake.guild.id, fake.guild.id]
