"""``/status``: feeds, last poll, counts, delivery backlog, next digest, problems, version."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import newsroom
from bot.discord.interaction import app, guild_id, respond
from bot.present.status import status_reply

if TYPE_CHECKING:
    from bot.app import BeatwatchBot


class StatusCog(commands.Cog):
    def __init__(self, bot: BeatwatchBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="status", description="Feeds, last poll, counts, next digest and version."
    )
    @app_commands.guild_only()
    async def status(self, interaction: discord.Interaction) -> None:
        snap = await newsroom.snapshot(app(interaction).services, guild_id(interaction))
        await respond(interaction, status_reply(snap))


async def setup(bot: BeatwatchBot) -> None:
    await bot.add_cog(StatusCog(bot))
