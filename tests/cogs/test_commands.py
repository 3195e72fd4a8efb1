"""Guard: the slash-command tree is valid for Discord and management commands are protected."""

from __future__ import annotations

from discord import app_commands

from bot.app import COGS, BeatwatchBot
from bot.settings import Settings

MANAGEMENT = {
    "topics add", "topics remove", "feeds add", "feeds remove", "alerts channel", "alerts pause",
    "alerts resume", "alerts quiet-hours", "digest now", "digest schedule", "admin sync", "admin newsroom-role",
    "alerts mutes", "feeds import",
}  # fmt: skip


async def _tree(settings: Settings) -> tuple[app_commands.CommandTree, list]:
    bot = BeatwatchBot(settings, start_scheduler=False)
    for name in COGS:
        await bot.load_extension(name)
    commands = bot.tree.get_commands()
    await bot.close()
    return bot.tree, commands


def _leaves(cmd: app_commands.Command | app_commands.Group) -> list[app_commands.Command]:
    if isinstance(cmd, app_commands.Group):
        return [leaf for sub in cmd.commands for leaf in _leaves(sub)]  # type: ignore[arg-type]
    return [cmd]


async def test_no_two_commands_share_a_name_and_json_is_within_limits(settings: Settings) -> None:
    tree, commands = await _tree(settings)
    names = [c.name for c in commands]
    assert len(names) == len(set(names)) and len(names) <= 100
    for cmd in commands:
        payload = cmd.to_dict(tree)
        assert payload["contexts"] == [0], cmd.name  # server-only
        for leaf in _leaves(cmd):
            data = leaf.to_dict(tree)
            assert 1 <= len(data["description"]) <= 100, leaf.qualified_name
            assert len(data.get("options", [])) <= 25
            for opt in data.get("options", []):
                assert 1 <= len(opt["description"]) <= 100, (leaf.qualified_name, opt["name"])


async def test_every_management_command_checks_the_user(settings: Settings) -> None:
    _tree_, commands = await _tree(settings)
    leaves = {leaf.qualified_name: leaf for cmd in commands for leaf in _leaves(cmd)}
    assert MANAGEMENT <= set(leaves)
    for name in MANAGEMENT:
        assert leaves[name].checks, f"/{name} has no permission check"
    for name, leaf in leaves.items():
        if name not in MANAGEMENT:
            assert not leaf.checks, f"/{name} is a reading command and should be open"
