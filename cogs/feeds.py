"""``/feeds add|remove|import|export|list|status``: the RSS/Atom feeds this server watches.

``add`` fetches and parses the feed once before subscribing (so it defers first), as ``import``
does for each feed of an OPML file; add, remove and import need Manage Server or the newsroom
role; list, status and export are open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import render
from bot.discord.interaction import app, defer, guild_id, manager_only, respond
from bot.errors import UserFacingError
from bot.feeds import opml
from bot.present import feeds as present

if TYPE_CHECKING:
    from bot.app import BeatwatchBot


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
        channel_id = channel.id if channel else None
        feed = await app(interaction).services.feeds.add(url, guild_id(interaction), channel_id)
        await respond(interaction, present.added_reply(feed, channel_id))

    @app_commands.command(name="remove", description="Stop watching a feed (editors).")
    @app_commands.describe(feed="The feed (start typing its name or URL)")
    @manager_only
    async def remove(self, interaction: discord.Interaction, feed: str) -> None:
        info = await app(interaction).services.feeds.remove(feed, guild_id(interaction))
        await respond(interaction, present.removed_reply(info))

    @remove.autocomplete("feed")
    async def _feed_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        feeds = await app(interaction).services.feeds.list(guild_id(interaction))
        return render.choices(present.choices(feeds, current))

    @app_commands.command(
        name="import", description="Watch every feed of an OPML file (editors; each is checked)."
    )
    @app_commands.describe(file="An OPML file (a feed reader's export)")
    @manager_only
    async def import_(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        if file.size > opml.MAX_OPML_BYTES:
            raise UserFacingError(f"the OPML file is larger than {opml.MAX_OPML_BYTES // 1024} KB")
        await defer(interaction, ephemeral=True)
        data = await file.read()
        results = await app(interaction).services.feeds.import_opml(data, guild_id(interaction))
        await respond(interaction, present.import_reply(results))

    @app_commands.command(name="export", description="This server's feed list as an OPML file.")
    async def export(self, interaction: discord.Interaction) -> None:
        data, count = await app(interaction).services.feeds.export_opml(guild_id(interaction))
        await respond(interaction, present.export_reply(data, count))

    @app_commands.command(name="list", description="The feeds this server watches.")
    async def list_(self, interaction: discord.Interaction) -> None:
        feeds = await app(interaction).services.feeds.list(guild_id(interaction))
        await respond(interaction, present.list_reply(feeds))

    @app_commands.command(
        name="status",
        description="Feed health: healthy, failing or disabled; last error; next check.",
    )
    async def status(self, interaction: discord.Interaction) -> None:
        statuses = await app(interaction).services.feeds.status(guild_id(interaction))
        await respond(interaction, present.status_reply(statuses))


async def setup(bot: BeatwatchBot) -> None:
    await bot.add_cog(FeedsCog(bot))
