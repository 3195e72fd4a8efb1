"""``/digest now|preview|schedule``: the daily digest of this server's stories and facts.

preview is open and private; now (posts in the digest channel) and schedule need an editor.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.alerts.transport import DeliveryError
from bot.digest.render import split_lines
from bot.errors import UserFacingError
from bot.models import OutgoingMessage
from bot.services import Services
from cogs import _render as render
from cogs import _settings as settings
from cogs._interaction import app, defer, guild_id, manager_only, respond

if TYPE_CHECKING:
    from bot.app import BeatwatchBot

log = logging.getLogger(__name__)

CHUNK_CHARS = 3900


async def build_preview(services: Services, gid: int) -> render.Reply:
    _digest, lines = await services.digests.preview(gid)
    title, body = (lines[0], lines[1:]) if lines else ("Digest", [])
    return render.Reply(
        embeds=render.line_embeds(title, body or ["Nothing new since the last digest."]),
        ephemeral=True,
    )


async def digest_messages(
    services: Services, gid: int, channel_id: int | None, key: str
) -> list[OutgoingMessage]:
    """The digest as it stands now, as messages for a transport (not recorded as a daily run)."""
    _digest, lines = await services.digests.preview(gid)
    title, body = (lines[0], lines[1:]) if lines else ("Digest", [])
    chunks = split_lines(body or ["Nothing new since the last digest."], CHUNK_CHARS)
    return [
        OutgoingMessage(
            dedupe_key=f"{key}:{i}",
            outbox_id=0,
            guild_id=gid,
            channel_id=channel_id,
            kind="digest",
            title=title if i == 1 else f"{title} ({i}/{len(chunks)})",
            lines=chunk.split("\n"),
            footer=f"posted on request · part {i} of {len(chunks)}"
            if len(chunks) > 1
            else "posted on request",
        )
        for i, chunk in enumerate(chunks, start=1)
    ]


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
        name="now", description="Post the digest in the digest channel now (editors)."
    )
    @manager_only
    async def now(self, interaction: discord.Interaction) -> None:
        await defer(interaction, ephemeral=True)
        bot = app(interaction)
        gid = guild_id(interaction)
        config = await settings.current(bot.services, gid)
        channel_id = config.digest_channel_id or config.alert_channel_id or interaction.channel_id
        messages = await digest_messages(
            bot.services, gid, channel_id, f"digest-now:{interaction.id}"
        )
        try:
            for msg in messages:
                await bot.transport.send(msg)
        except DeliveryError as exc:
            raise UserFacingError(f"I could not post the digest in <#{channel_id}>: {exc}") from exc
        log.info("event=digest_posted_on_request guild=%s parts=%s", gid, len(messages))
        await respond(interaction, render.text_reply(f"Digest posted in <#{channel_id}>."))

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
