"""``/topics add|remove|list|test|backtest``: the beats beatwatch watches for this server.

Reading subcommands (list, test, backtest) are open; add and remove need Manage Server or the
newsroom role.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import render
from bot.discord.interaction import app, defer, guild_id, manager_only, respond
from bot.present import topics as present

if TYPE_CHECKING:
    from bot.app import BeatwatchBot


async def _choices(
    interaction: discord.Interaction, current: str, *, own_only: bool = False
) -> list[app_commands.Choice[str]]:
    known = await app(interaction).services.topics.list(guild_id(interaction))
    return render.choices(present.choices(known, current, own_only=own_only))


@app_commands.guild_only()
class TopicsCog(
    commands.GroupCog, group_name="topics", group_description="The beats beatwatch watches."
):
    def __init__(self, bot: BeatwatchBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="add", description="Watch a new topic (editors).")
    @app_commands.describe(
        name="Topic name, e.g. Zaporizhzhia plant",
        aliases="Words that mean the topic, comma-separated (word* = prefix)",
        exclude="Words that cancel a hit in the same sentence, comma-separated",
        ping_role="Role to ping on this topic's alerts (none by default)",
        context="Also require one of these words somewhere in the article, comma-separated",
    )
    @manager_only
    async def add(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 60],
        aliases: app_commands.Range[str, 1, 1500],
        exclude: app_commands.Range[str, 1, 1500] | None = None,
        ping_role: discord.Role | None = None,
        context: app_commands.Range[str, 1, 1500] | None = None,
    ) -> None:
        context_terms = present.split_terms(context)
        topic = await app(interaction).services.topics.add(
            guild_id(interaction),
            name,
            present.split_terms(aliases),
            all_of=[context_terms] if context_terms else [],
            exclude=present.split_terms(exclude),
            ping_role_id=ping_role.id if ping_role else None,
        )
        await respond(interaction, present.added_reply(topic))

    @app_commands.command(
        name="remove", description="Stop watching one of this server's topics (editors)."
    )
    @app_commands.describe(name="The topic to remove")
    @manager_only
    async def remove(self, interaction: discord.Interaction, name: str) -> None:
        topic = await app(interaction).services.topics.remove(guild_id(interaction), name)
        await respond(interaction, present.removed_reply(topic))

    @remove.autocomplete("name")
    async def _remove_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await _choices(interaction, current, own_only=True)

    @app_commands.command(name="list", description="The topics watched here and their rules.")
    async def list_(self, interaction: discord.Interaction) -> None:
        topics = await app(interaction).services.topics.list(guild_id(interaction))
        await respond(interaction, present.list_reply(topics))

    @app_commands.command(
        name="test", description="Which topics a piece of text would match, and why."
    )
    @app_commands.describe(text="A headline or paragraph to try")
    async def test(
        self, interaction: discord.Interaction, text: app_commands.Range[str, 1, 4000]
    ) -> None:
        matches = await app(interaction).services.topics.test(guild_id(interaction), text)
        await respond(interaction, present.matches_reply(matches))

    @app_commands.command(
        name="backtest", description="How many stored articles a topic would have matched."
    )
    @app_commands.describe(name="The topic", days="How many days back to look")
    async def backtest(
        self,
        interaction: discord.Interaction,
        name: str,
        days: app_commands.Range[int, 1, 365] = 30,
    ) -> None:
        await defer(interaction, ephemeral=True)
        result = await app(interaction).services.topics.backtest(guild_id(interaction), name, days)
        await respond(interaction, present.backtest_reply(result))

    @backtest.autocomplete("name")
    async def _backtest_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await _choices(interaction, current)


async def setup(bot: BeatwatchBot) -> None:
    await bot.add_cog(TopicsCog(bot))
