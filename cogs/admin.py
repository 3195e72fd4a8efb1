"""``/admin sync``: the bot owner refreshes the slash commands Discord shows.
``/admin newsroom-role``: a server manager lets a role change beatwatch's settings."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot import newsroom
from bot.discord.interaction import MANAGE, app, defer, guild_id, respond
from bot.present import admin as present
from bot.tree import NotManager

if TYPE_CHECKING:
    from bot.app import BeatwatchBot

log = logging.getLogger(__name__)


async def _owner_only(interaction: discord.Interaction) -> bool:
    if await app(interaction).is_owner(interaction.user):
        return True
    raise NotManager("Only the bot's owner can do that.")


async def _manage_server_only(interaction: discord.Interaction) -> bool:
    """Manage Server itself (not the newsroom role: a role cannot hand itself out)."""
    perms = interaction.permissions
    guild = interaction.guild
    if perms.manage_guild or perms.administrator:
        return True
    if guild is not None and guild.owner_id == interaction.user.id:
        return True
    raise NotManager("You need the Manage Server permission to choose the newsroom role.")


@app_commands.guild_only()
@MANAGE
class AdminCog(
    commands.GroupCog, group_name="admin", group_description="Server and bot owner settings."
):
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
        await respond(interaction, present.synced(len(synced), where))

    @app_commands.command(
        name="newsroom-role",
        description="Let members with a role change beatwatch's settings (leave out to clear).",
    )
    @app_commands.describe(role="The editors' role (leave out to clear it)")
    @app_commands.check(_manage_server_only)
    async def newsroom_role(
        self, interaction: discord.Interaction, role: discord.Role | None = None
    ) -> None:
        gid = guild_id(interaction)
        await newsroom.set_newsroom_role(app(interaction).services, gid, role.id if role else None)
        log.info(
            "event=newsroom_role_set guild=%s role=%s by=%s",
            gid,
            role.id if role else None,
            interaction.user.id,
        )
        await respond(
            interaction, present.newsroom_role(role.id if role else None, role.name if role else "")
        )


async def setup(bot: BeatwatchBot) -> None:
    await bot.add_cog(AdminCog(bot))
