"""``/feeds add|remove|list|status``: the RSS/Atom feeds this server watches.

``add`` fetches and parses the feed once before subscribing (so it defers first); add and
remove need Manage Server or the newsroom role; list and status are open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.models import FeedInfo, FeedStatus
from bot.services import Services
from cogs import _render as render
from cogs._interaction import app, defer, guild_id, manager_only, respond

if TYPE_CHECKING:
    from bot.app import BeatwatchBot

STATE_ICON = {"healthy": "🟢", "not checked yet": "⚪", "failing": "🟠", "disabled": "🔴"}


def feed_label(feed: FeedInfo | FeedStatus) -> str:
    return feed.title.strip() or feed.url


def _feed_line(feed: FeedInfo, *, mode: str = "discord") -> str:
    where = f" → <#{feed.channel_id}>" if feed.channel_id and mode == "discord" else ""
    return f"{STATE_ICON.get(feed.state, '')} {render.link(feed_label(feed), feed.url)}{where}"


async def build_list(services: Services, gid: int, *, mode: str = "discord") -> render.Reply:
    feeds = await services.feeds.list(gid)
    lines = [
        _feed_line(f, mode=mode) for f in sorted(feeds, key=lambda f: feed_label(f).casefold())
    ]
    description = (
        render.lines_within(lines, render.DESCRIPTION) or "No feeds yet. Add one with /feeds add."
    )
    return render.Reply(
        embeds=[render.embed(f"Feeds watched ({len(feeds)})", description)],
        ephemeral=True,
    )


def _status_line(st: FeedStatus) -> str:
    icon = STATE_ICON.get(st.health, "")
    line = f"{icon} **{render.inert(render.clip(feed_label(st), 80))}** — {st.health}"
    if st.state != "healthy":
        if st.last_error:
            line += f": {render.inert(render.clip(st.last_error, 160))}"
        if st.last_error_at:
            line += f" ({render.when(st.last_error_at, style='R')})"
    if st.state != "disabled":
        line += f" · next check {render.when(st.next_check_at, style='R')}"
    elif st.state_reason:
        line += f" · {render.inert(render.clip(st.state_reason, 120))}"
    return line


async def build_status(services: Services, gid: int) -> render.Reply:
    statuses = await services.feeds.status(gid)
    order = {"disabled": 0, "failing": 1, "not checked yet": 2, "healthy": 3}
    statuses = sorted(statuses, key=lambda s: (order.get(s.health, 4), feed_label(s).casefold()))
    counts: dict[str, int] = {}
    for st in statuses:
        counts[st.health] = counts.get(st.health, 0) + 1
    summary = " · ".join(
        f"{STATE_ICON.get(k, '')} {n} {k}"
        for k, n in sorted(counts.items(), key=lambda kv: order.get(kv[0], 4))
    )
    description = render.lines_within(
        [summary or "No feeds yet.", ""] + [_status_line(s) for s in statuses], render.DESCRIPTION
    )
    colour = (
        render.COLOUR_OK
        if not counts.get("failing") and not counts.get("disabled")
        else render.COLOUR_WARN
    )
    return render.Reply(
        embeds=[render.embed("Feed health", description, colour=colour)], ephemeral=True
    )


async def build_add(
    services: Services, gid: int, url: str, channel_id: int | None = None
) -> render.Reply:
    feed = await services.feeds.add(url, gid, channel_id)
    where = f" Alerts from it go to <#{channel_id}>." if channel_id else ""
    return render.Reply(
        embeds=[
            render.embed(
                f"Feed added: {feed_label(feed)}",
                f"{render.link(feed.url, feed.url)}\nWhat it holds now is recorded as a baseline; "
                f"only newer stories raise alerts.{where}",
                colour=render.COLOUR_OK,
            )
        ],
        ephemeral=True,
    )


async def build_remove(services: Services, gid: int, feed: str) -> render.Reply:
    info = await services.feeds.remove(feed, gid)
    return render.text_reply(f"Feed removed: {render.inert(feed_label(info))} ({info.url}).")


async def feed_choices(
    services: Services, gid: int, current: str
) -> list[app_commands.Choice[str]]:
    needle = current.casefold().strip()
    feeds = await services.feeds.list(gid)
    return render.choices(
        (f"{feed_label(f)} — {f.url}", str(f.id))
        for f in sorted(feeds, key=lambda f: feed_label(f).casefold())
        if needle in feed_label(f).casefold() or needle in f.url.casefold()
    )


@app_commands.guild_only()
class FeedsCog(
    commands.GroupCog, group_name="feeds", group_description="The feeds beatwatch reads."
):
    def __init__(self, bot: BeatwatchBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(
        name="add", description="Watch a new RSS/Atom feed or a page that links one (editors)."
    )
    @app_commands.describe(
        url="Feed URL (or a web page with a feed link)", channel="Post this feed's alerts here"
    )
    @manager_only
    async def add(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 4, 2000],
        channel: discord.TextChannel | None = None,
    ) -> None:
        await defer(interaction, ephemeral=True)
        reply = await build_add(
            app(interaction).services, guild_id(interaction), url, channel.id if channel else None
        )
        await respond(interaction, reply)

    @app_commands.command(name="remove", description="Stop watching a feed (editors).")
    @app_commands.describe(feed="The feed (start typing its name or URL)")
    @manager_only
    async def remove(self, interaction: discord.Interaction, feed: str) -> None:
        await respond(
            interaction, await build_remove(app(interaction).services, guild_id(interaction), feed)
        )

    @remove.autocomplete("feed")
    async def _feed_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await feed_choices(app(interaction).services, guild_id(interaction), current)

    @app_commands.command(name="list", description="The feeds this server watches.")
    async def list_(self, interaction: discord.Interaction) -> None:
        await respond(
            interaction, await build_list(app(interaction).services, guild_id(interaction))
        )

    @app_commands.command(
        name="status",
        description="Feed health: healthy, failing or disabled; last error; next check.",
    )
    async def status(self, interaction: discord.Interaction) -> None:
        await respond(
            interaction, await build_status(app(interaction).services, guild_id(interaction))
        )


async def setup(bot: BeatwatchBot) -> None:
    await bot.add_cog(FeedsCog(bot))
