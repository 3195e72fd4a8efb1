"""``/admin sync``: the bot owner refreshes the slash commands Discord shows."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.tree import NotManager
from cogs import _render as render
from cogs._interaction import MANAGE, app, defer, respond

if TYPE_CHECKING:
    from bot.app import BeatwatchBot

log = logging.getLogger(__name__)


async def _owner_only(interaction: discord.Interaction) -> bool:
    if await app(interaction).is_owner(interaction.user):
        return True
    raise NotManager("Only the bot's owner can do that.")


@app_commands.guild_only()
@MANAGE
class AdminCog(commands.GroupCog, group_name="admin", group_description="Bot owner tools."):
    def __init__(self, bot: BeatwatchBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(
        name="sync", description="Publish the slash commands (everywhere, or only here)."
    )
    @app_commands.describe(
        scope="global: every server (takes a while to show); here: this server now"
    )
    @app_commands.check(_owner_only)
    async def sync(
        self, interaction: discord.Interaction, scope: Literal["global", "here"] = "global"
    ) -> None:
        await defer(interaction, ephemeral=True)
        tree = self.bot.tree
        if scope == "here" and interaction.guild is not None:
            tree.copy_global_to(guild=interaction.guild)
            synced = await tree.sync(guild=interaction.guild)
            where = "this server"
        else:
            synced = await tree.sync()
            where = "every server"
        log.info(
            "event=commands_synced scope=%s count=%s by=%s", scope, len(synced), interaction.user.id
        )
        await respond(interaction, render.text_reply(f"Synced {len(synced)} commands to {where}."))


async def setup(bot: BeatwatchBot) -> None:
    await bot.add_cog(AdminCog(bot))
