"""``/timeline topic``: a topic's stories and dated facts, oldest first, each cited."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import render
from bot.discord.interaction import app, defer, guild_id, respond
from bot.present import topics
from bot.present.timeline import timeline_reply

if TYPE_CHECKING:
    from bot.app import BeatwatchBot


class TimelineCog(commands.Cog):
    def __init__(self, bot: BeatwatchBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="timeline", description="A topic's stories and dated facts, oldest first."
    )
    @app_commands.describe(topic="The topic, e.g. Donbas")
    @app_commands.guild_only()
    async def timeline(
        self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 60]
    ) -> None:
        await defer(interaction, ephemeral=False)
        found = await app(interaction).services.digests.timeline(guild_id(interaction), topic)
        await respond(interaction, timeline_reply(found))

    @timeline.autocomplete("topic")
    async def _topics(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        known = await app(interaction).services.topics.list(guild_id(interaction))
        return render.choices(topics.choices(known, current))


async def setup(bot: BeatwatchBot) -> None:
    await bot.add_cog(TimelineCog(bot))
