"""``/digest now|preview|schedule``: the daily digest of this server's stories and facts.

preview is open and private; now (queues an extra digest in the outbox) and schedule need an
editor.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.services import Services
from cogs import _render as render
from cogs import _settings as settings
from cogs._interaction import app, defer, guild_id, kick_delivery, manager_only, respond

if TYPE_CHECKING:
    from bot.app import BeatwatchBot

log = logging.getLogger(__name__)


async def build_preview(services: Services, gid: int) -> render.Reply:
    _digest, lines = await services.digests.preview(gid)
    title, body = (lines[0], lines[1:]) if lines else ("Digest", [])
    return render.Reply(
        embeds=render.line_embeds(title, body or ["Nothing new since the last digest."]),
        ephemeral=True,
    )


async def build_now(
    services: Services, gid: int, fallback_channel: int | None, *, mode: str = "discord"
) -> render.Reply:
    """Queue the digest since the last one (posted by delivery, recorded as a run)."""
    queued = await services.digests.post_now(gid, services.clock.now(), channel_id=fallback_channel)
    if queued is None:
        return render.text_reply("That digest was just queued; it is on its way.")
    _digest, parts = queued
    log.info("event=digest_now_queued guild=%s parts=%s", gid, parts)
    config = await settings.current(services, gid)
    target = config.digest_channel_id or config.alert_channel_id or fallback_channel
    where = f" for <#{target}>" if target and mode == "discord" else ""
    return render.text_reply(
        f"Digest queued ({parts} {'part' if parts == 1 else 'parts'}){where}. "
        "The daily digest still runs at its time and covers what comes after this one."
    )


async def build_schedule(
    services: Services,
    gid: int,
    time: str,
    timezone: str,
    channel_id: int | None,
    *,
    mode: str = "discord",
) -> render.Reply:
    changes: dict[str, Any] = {
        "digest_time": settings.parse_hhmm(time, "time"),
        "timezone": settings.parse_timezone(timezone),
    }
    if channel_id is not None:
        changes["digest_channel_id"] = channel_id
    config = await settings.update(services, gid, **changes)
    target = config.digest_channel_id or config.alert_channel_id
    where = (
        (f" in <#{target}>" if mode == "discord" else f" in channel {target}")
        if target
        else " (no channel yet: set one here or with /alerts channel)"
    )
    return render.text_reply(f"Daily digest at {config.digest_time} {config.timezone}{where}.")


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
        await respond(
            interaction, await build_preview(app(interaction).services, guild_id(interaction))
        )

    @app_commands.command(
        name="now", description="Post the digest since the last one now (editors)."
    )
    @manager_only
    async def now(self, interaction: discord.Interaction) -> None:
        await defer(interaction, ephemeral=True)
        bot = app(interaction)
        reply = await build_now(bot.services, guild_id(interaction), interaction.channel_id)
        kick_delivery(bot.scheduler)
        await respond(interaction, reply)

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
        bot = app(interaction)
        gid = guild_id(interaction)
        reply = await build_schedule(
            bot.services, gid, time, timezone, channel.id if channel else None
        )
        if bot.scheduler is not None:
            await bot.scheduler.reschedule_digest(gid)
        await respond(interaction, reply)

    @schedule.autocomplete("timezone")
    async def _timezones(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        from zoneinfo import available_timezones

        needle = current.casefold().replace(" ", "_")
        names = sorted(z for z in available_timezones() if needle in z.casefold() and "/" in z)
        return render.choices((z, z) for z in names)


async def setup(bot: BeatwatchBot) -> None:
    await bot.add_cog(DigestCog(bot))
