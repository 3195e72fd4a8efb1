"""``/digest now|preview|schedule``: the daily digest of this server's stories and facts.

preview is open and private; now (queues an extra digest in the outbox) and schedule need an
editor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot import newsroom
from bot.discord import render
from bot.discord.interaction import app, defer, guild_id, manager_only, respond
from bot.present import digest as present
from bot.scheduling import kick_delivery

if TYPE_CHECKING:
    from bot.app import BeatwatchBot


@app_commands.guild_only()
class DigestCog(commands.GroupCog, group_name="digest", group_description="The daily digest."):
    def __init__(self, bot: BeatwatchBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(
        name="preview", description="What the digest would say now (only you see it)."
    )
    async def preview(self, interaction: discord.Interaction) -> None:
        await defer(interaction, ephemeral=True)
        digest, _lines = await app(interaction).services.digests.preview(guild_id(interaction))
        await respond(interaction, present.preview(digest))

    @app_commands.command(
        name="now", description="Post the digest since the last one now (editors)."
    )
    @manager_only
    async def now(self, interaction: discord.Interaction) -> None:
        await defer(interaction, ephemeral=True)
        bot = app(interaction)
        parts, target = await newsroom.digest_now(
            bot.services, guild_id(interaction), interaction.channel_id
        )
        kick_delivery(bot.scheduler)
        await respond(interaction, present.queued(parts, target))

    @app_commands.command(
        name="schedule", description="Set the daily digest time and timezone (editors)."
    )
    @app_commands.describe(
        time="24-hour time, e.g. 08:00",
        timezone="IANA timezone, e.g. Europe/Kyiv",
        channel="Post the digest here (default: the alert channel)",
    )
    @manager_only
    async def schedule(
        self,
        interaction: discord.Interaction,
        time: app_commands.Range[str, 1, 5],
        timezone: app_commands.Range[str, 1, 64],
        channel: discord.TextChannel | None = None,
    ) -> None:
        bot, gid = app(interaction), guild_id(interaction)
        config = await newsroom.schedule_digest(
            bot.services, gid, time, timezone, channel.id if channel else None
        )
        if bot.scheduler is not None:
            await bot.scheduler.reschedule_digest(gid)
        await respond(interaction, present.scheduled(config))

    @schedule.autocomplete("timezone")
    async def _timezones(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.casefold().replace(" ", "_")
        names = sorted(z for z in available_timezones() if needle in z.casefold() and "/" in z)
        return render.choices((z, z) for z in names)


async def setup(bot: BeatwatchBot) -> None:
    await bot.add_cog(DigestCog(bot))
