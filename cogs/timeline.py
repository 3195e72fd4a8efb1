"""``/timeline topic``: a topic's stories and dated facts, oldest first, each cited."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.models import Timeline, TimelineEntry
from bot.services import Services
from cogs import _render as render
from cogs._interaction import app, defer, guild_id, respond
from cogs.topics import topic_choices

if TYPE_CHECKING:
    from bot.app import BeatwatchBot

MAX_ENTRY_CHARS = 280


def entry_line(entry: TimelineEntry, tz: str) -> str:
    text = render.clip(" ".join(entry.text.split()), MAX_ENTRY_CHARS)
    where = render.link(entry.publisher or "source", entry.url)
    extra = f" · {entry.outlets} outlets" if entry.kind == "story" and entry.outlets > 1 else ""
    icon = "📰" if entry.kind == "story" else "•"
    return f"**{render.day(entry.when, tz)}** {icon} {render.inert(text)} — {where}{extra}"


def timeline_reply(timeline: Timeline) -> render.Reply:
    lines = [entry_line(e, timeline.timezone) for e in timeline.entries]
    if not lines:
        lines = ["Nothing dated on this topic in my sources yet."]
    return render.Reply(
        embeds=render.line_embeds(f"Timeline: {timeline.topic}", lines), ephemeral=False
    )


async def build_timeline(services: Services, gid: int, topic: str) -> render.Reply:
    return timeline_reply(await services.digests.timeline(gid, topic))


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
        await respond(
            interaction,
            await build_timeline(app(interaction).services, guild_id(interaction), topic),
        )

    @timeline.autocomplete("topic")
    async def _topics(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await topic_choices(app(interaction).services, guild_id(interaction), current)


async def setup(bot: BeatwatchBot) -> None:
    await bot.add_cog(TimelineCog(bot))
