"""``/alerts channel|pause|resume|quiet-hours|mutes``: where and when this server's alerts are
posted, and what is muted.

Every subcommand changes settings, so the whole group carries ``default_permissions(manage_guild)``
plus the run-time editor check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import newsroom
from bot.alerts import actions
from bot.discord.interaction import MANAGE, app, guild_id, manager_only, respond
from bot.present import alerts as present
from bot.scheduling import kick_delivery

if TYPE_CHECKING:
    from bot.app import BeatwatchBot


def missing_permissions(channel: discord.TextChannel) -> list[str]:
    """What the bot lacks to post alerts in ``channel`` (empty when unknown or fine)."""
    me = channel.guild.me
    if me is None:
        return []
    perms = channel.permissions_for(me)
    needed = [
        ("View Channel", perms.view_channel),
        ("Send Messages", perms.send_messages),
        ("Embed Links", perms.embed_links),
        ("Read Message History", perms.read_message_history),
    ]
    return [name for name, ok in needed if not ok]


@app_commands.guild_only()
@MANAGE
class AlertsCog(
    commands.GroupCog, group_name="alerts", group_description="Where and when alerts are posted."
):
    def __init__(self, bot: BeatwatchBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(
        name="channel", description="Post this server's alerts in a channel (or show where)."
    )
    @app_commands.describe(channel="The channel for alerts (leave out to see the current one)")
    @manager_only
    async def channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None
    ) -> None:
        bot, gid = app(interaction), guild_id(interaction)
        if channel is None:
            config = await newsroom.current(bot.services, gid)
            backlog = await bot.services.alerts.backlog(gid)
            await respond(interaction, present.channel_shown(config, backlog))
            return
        waiting = await newsroom.set_alert_channel(bot.services, gid, channel.id)
        kick_delivery(bot.scheduler)
        reply = present.channel_set(channel.id, waiting, missing_permissions(channel))
        await respond(interaction, reply)

    @app_commands.command(
        name="pause", description="Stop posting alerts (stories still go in the digest)."
    )
    @manager_only
    async def pause(self, interaction: discord.Interaction) -> None:
        await newsroom.set_paused(app(interaction).services, guild_id(interaction), True)
        await respond(interaction, present.paused(True))

    @app_commands.command(name="resume", description="Post alerts again.")
    @manager_only
    async def resume(self, interaction: discord.Interaction) -> None:
        await newsroom.set_paused(app(interaction).services, guild_id(interaction), False)
        kick_delivery(app(interaction).scheduler)  # what the pause held goes out now
        await respond(interaction, present.paused(False))

    @app_commands.command(
        name="quiet-hours", description="Hold alerts between two times (server timezone)."
    )
    @app_commands.describe(start="Start, e.g. 22:00 (or off)", end="End, e.g. 07:00")
    @app_commands.rename(start="from", end="to")
    @manager_only
    async def quiet_hours(
        self,
        interaction: discord.Interaction,
        start: app_commands.Range[str, 1, 8],
        end: app_commands.Range[str, 1, 8] = "07:00",
    ) -> None:
        services = app(interaction).services
        config = await newsroom.set_quiet_hours(services, guild_id(interaction), start, end)
        await respond(interaction, present.quiet_hours(config))

    @app_commands.command(name="mutes", description="The muted stories and outlets; undo one.")
    @manager_only
    async def mutes(self, interaction: discord.Interaction) -> None:
        found = await actions.mutes(app(interaction).services.db, guild_id(interaction))
        await respond(interaction, present.mutes_reply(found))


async def setup(bot: BeatwatchBot) -> None:
    await bot.add_cog(AlertsCog(bot))
