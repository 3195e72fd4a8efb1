"""``/status``: feeds, last poll, counts, delivery backlog, next digest, problems, version."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.alerts.service import FAILED_RECENT
from bot.models import GuildConfig
from bot.services import Services
from bot.storage import counts, guilds
from cogs import _render as render
from cogs._interaction import app, guild_id, respond

if TYPE_CHECKING:
    from bot.app import BeatwatchBot


def next_digest(now: datetime, digest_time: str, tz: str) -> datetime:
    """The next time (aware) the daily digest at local ``digest_time`` in ``tz`` is due."""
    zone = ZoneInfo(tz)
    hours, minutes = (int(p) for p in digest_time.split(":"))
    local_now = now.astimezone(zone)
    candidate = datetime.combine(local_now.date(), time(hours, minutes), zone)
    if candidate <= local_now:
        candidate = datetime.combine(
            local_now.date() + timedelta(days=1), time(hours, minutes), zone
        )
    return candidate


def delivery_line(backlog: dict[str, int]) -> str:
    """Outbox rows waiting for a channel, failed deliveries, alerts held for the digest."""
    parts = [
        f"{backlog['waiting_channel']} waiting for a channel",
        f"{backlog['failed']} failed in {FAILED_RECENT.days} days"
        + (" (see `beatwatch alerts list --status failed`)" if backlog["failed"] else ""),
        f"{backlog['held']} {'alert' if backlog['held'] == 1 else 'alerts'} held for the digest",
    ]
    return " · ".join(parts)


def waiting_hint(config: GuildConfig | None, backlog: dict[str, int]) -> str:
    """The clear hint for a server with messages waiting and no alert channel ('' if none)."""
    if backlog["waiting_channel"] == 0 or (config is not None and config.alert_channel_id):
        return ""
    alerts = backlog["waiting_alerts"]
    what = f"{alerts} {'alert' if alerts == 1 else 'alerts'}" if alerts else "Messages"
    rest = backlog["waiting_channel"] - alerts
    if alerts and rest:
        what += f" and {rest} other {'message' if rest == 1 else 'messages'}"
    return (
        f"⚠️ {what} waiting: this server has no alert channel. "
        "Set one with `/alerts channel` and they are posted there."
    )


async def build_status(services: Services, gid: int, *, mode: str = "discord") -> render.Reply:
    now = services.clock.now()
    config = await guilds.get_guild(services.db.reader, gid)
    table = await counts.table_counts(services.db.reader)
    feed_line = f"{table['feeds']} watched"
    last_poll: datetime | None = None
    feeds: Any = getattr(services, "feeds", None)
    if feeds is not None:
        statuses = await feeds.status(gid)
        states: dict[str, int] = {}
        for st in statuses:
            states[st.health] = states.get(st.health, 0) + 1  # "not checked yet" too
            if st.last_checked_at and (last_poll is None or st.last_checked_at > last_poll):
                last_poll = st.last_checked_at
        feed_line = ", ".join(f"{n} {state}" for state, n in sorted(states.items())) or "none yet"
    fields = [
        ("Feeds", feed_line),
        ("Last poll", render.when(last_poll, style="R") if last_poll else "not yet"),
        (
            "Stored",
            f"{table['articles']} articles · {table['facts']} facts · "
            f"{table['stories']} stories · {table['alerts']} alerts",
        ),
    ]
    backlog = await services.alerts.backlog(gid)
    if config is not None:
        due = next_digest(now, config.digest_time, config.timezone)
        channel = config.digest_channel_id or config.alert_channel_id
        where = f" in <#{channel}>" if channel and mode == "discord" else ""
        local = due.strftime("%a %d %b %H:%M")
        relative = f" ({render.when(due, style='R')})" if mode == "discord" else ""
        fields.append(("Next digest", f"{local} {config.timezone}{relative}{where}"))
        alerts_state = "paused" if config.alerts_paused else "on"
        if config.quiet_start and config.quiet_end:
            alerts_state += f", quiet {config.quiet_start}-{config.quiet_end}"
        target = (
            f"<#{config.alert_channel_id}>"
            if config.alert_channel_id
            else "no channel set (use /alerts channel)"
        )
        fields.append(
            ("Alerts", f"{alerts_state} · {target}" if mode == "discord" else alerts_state)
        )
    fields.append(("Delivery", delivery_line(backlog)))
    hint = waiting_hint(config, backlog) if mode == "discord" else ""
    if hint:
        fields.insert(0, ("Waiting for a channel", hint))
    try:
        from bot.ops import problems

        trouble = problems.summary()
    except ImportError:
        trouble = ""
    if trouble:
        fields.insert(0, ("Problems", render.inert(trouble)))
    warn = bool(trouble or hint or backlog["failed"])
    return render.Reply(
        embeds=[
            render.embed(
                "beatwatch status",
                fields=fields,
                footer=f"beatwatch {__version__} · {mode} mode",
                colour=render.COLOUR_WARN if warn else render.COLOUR_INFO,
            )
        ],
        ephemeral=True,
    )


class StatusCog(commands.Cog):
    def __init__(self, bot: BeatwatchBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="status", description="Feeds, last poll, counts, next digest and version."
    )
    @app_commands.guild_only()
    async def status(self, interaction: discord.Interaction) -> None:
        await respond(
            interaction, await build_status(app(interaction).services, guild_id(interaction))
        )


async def setup(bot: BeatwatchBot) -> None:
    await bot.add_cog(StatusCog(bot))
