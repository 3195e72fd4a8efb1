"""``/alerts channel|pause|resume|quiet-hours``: where and when this server's alerts are posted.

Every subcommand changes settings, so the whole group carries ``default_permissions(manage_guild)``
plus the run-time editor check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.services import Services
from cogs import _render as render
from cogs import _settings as settings
from cogs._interaction import MANAGE, app, guild_id, kick_delivery, manager_only, respond
from cogs.status import waiting_hint

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


async def build_channel(
    services: Services, gid: int, channel_id: int, *, mode: str = "discord"
) -> render.Reply:
    waiting = (await services.alerts.backlog(gid))["waiting_channel"]
    await settings.update(services, gid, alert_channel_id=channel_id)
    where = f"<#{channel_id}>" if mode == "discord" else f"channel {channel_id}"
    text = f"Alerts will be posted in {where}."
    if waiting:
        text += (
            f" {waiting} {'message' if waiting == 1 else 'messages'} waiting for a channel "
            "will be posted there now (alerts older than 24 h go in the next digest instead)."
        )
    return render.text_reply(text)


async def build_show_channel(services: Services, gid: int) -> render.Reply:
    """``/alerts channel`` without a channel: where alerts go, or the hint that none is set."""
    config = await settings.current(services, gid)
    backlog = await services.alerts.backlog(gid)
    if config.alert_channel_id:
        text = f"Alerts are posted in <#{config.alert_channel_id}>."
        if config.alerts_paused:
            text += " (paused: /alerts resume to restart)"
        return render.text_reply(text)
    hint = waiting_hint(config, backlog)
    return render.text_reply(
        hint
        or "No alert channel set yet: alerts wait until you choose one with "
        "`/alerts channel channel:#newsroom`."
    )


async def build_pause(services: Services, gid: int, paused: bool) -> render.Reply:
    await settings.update(services, gid, alerts_paused=1 if paused else 0)
    if paused:
        return render.text_reply(
            "Alerts paused. New stories are kept for the digest; /alerts resume to restart."
        )
    return render.text_reply("Alerts resumed.")


async def build_quiet_hours(services: Services, gid: int, start: str, end: str) -> render.Reply:
    if start.strip().lower() in {"off", "none", "-"}:
        await settings.update(services, gid, quiet_start=None, quiet_end=None)
        return render.text_reply("Quiet hours off: alerts are posted at any hour.")
    begin, finish = settings.parse_hhmm(start, "from"), settings.parse_hhmm(end, "to")
    if begin == finish:
        return render.text_reply("Quiet hours need two different times (or `from: off`).")
    config = await settings.update(services, gid, quiet_start=begin, quiet_end=finish)
    return render.text_reply(
        f"Quiet hours {begin}–{finish} ({config.timezone}): alerts in that window wait and "
        "are posted when it ends."
    )


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
        bot = app(interaction)
        if channel is None:
            await respond(
                interaction, await build_show_channel(bot.services, guild_id(interaction))
            )
            return
        reply = await build_channel(bot.services, guild_id(interaction), channel.id)
        missing = missing_permissions(channel)
        if missing and reply.content:
            reply.content += (
                f"\n⚠️ I cannot post there yet: I need {', '.join(missing)} in that channel."
            )
        kick_delivery(bot.scheduler)
        await respond(interaction, reply)

    @app_commands.command(
        name="pause", description="Stop posting alerts (stories still go in the digest)."
    )
    @manager_only
    async def pause(self, interaction: discord.Interaction) -> None:
        await respond(
            interaction, await build_pause(app(interaction).services, guild_id(interaction), True)
        )

    @app_commands.command(name="resume", description="Post alerts again.")
    @manager_only
    async def resume(self, interaction: discord.Interaction) -> None:
        await respond(
            interaction, await build_pause(app(interaction).services, guild_id(interaction), False)
        )

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
        reply = await build_quiet_hours(
            app(interaction).services, guild_id(interaction), start, end
        )
        await respond(interaction, reply)


async def setup(bot: BeatwatchBot) -> None:
    await bot.add_cog(AlertsCog(bot))
