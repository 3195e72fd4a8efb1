"""``/topics add|remove|list|test|backtest``: the beats beatwatch watches for this server.

Reading subcommands (list, test, backtest) are open; add and remove need Manage Server or the
newsroom role. The ``build_*`` functions are shared with console mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.models import BacktestResult, Match, Topic
from bot.services import Services
from cogs import _render as render
from cogs._interaction import app, defer, guild_id, manager_only, respond

if TYPE_CHECKING:
    from bot.app import BeatwatchBot

MAX_SHOWN_TERMS = 12


def split_terms(text: str | None) -> list[str]:
    """Comma- or semicolon-separated terms, as typed in a slash-command option."""
    if not text:
        return []
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


def _terms(items: tuple[str, ...]) -> str:
    shown = ", ".join(items[:MAX_SHOWN_TERMS])
    more = len(items) - MAX_SHOWN_TERMS
    return shown + (f" … (+{more})" if more > 0 else "")


def topic_fields(topic: Topic, *, role_mentions: bool = True) -> list[tuple[str, str]]:
    lines = [f"Aliases: {render.inert(_terms(topic.any_of))}"]
    for group in topic.all_of:
        lines.append(f"Needs one of: {render.inert(_terms(group))}")
    if topic.none_of:
        lines.append(f"Except near: {render.inert(_terms(topic.none_of))}")
    if topic.ping_role_id:
        lines.append(
            f"Pings: <@&{topic.ping_role_id}>"
            if role_mentions
            else f"Pings role {topic.ping_role_id}"
        )
    name = topic.name + (" (shipped)" if topic.shipped else "")
    return [(name, "\n".join(lines))]


async def build_list(services: Services, gid: int) -> render.Reply:
    topics = await services.topics.list(gid)
    fields = [f for t in topics for f in topic_fields(t)]
    return render.Reply(
        embeds=[
            render.embed(
                f"Topics watched ({len(topics)})",
                "" if topics else "No topics yet. Add one with /topics add.",
                fields=fields,
            )
        ],
        ephemeral=True,
    )


def matches_reply(matches: list[Match]) -> render.Reply:
    if not matches:
        return render.text_reply("No topic matches that text.")
    fields = [
        (f"{m.topic} — “{m.alias}” in the {m.field}", render.inert(m.snippet) or "-")
        for m in matches
    ]
    return render.Reply(
        embeds=[
            render.embed(f"Matches {len(matches)} topic(s)", fields=fields, colour=render.COLOUR_OK)
        ],
        ephemeral=True,
    )


async def build_test(services: Services, gid: int, text: str) -> render.Reply:
    return matches_reply(await services.topics.test(gid, text))


def backtest_reply(result: BacktestResult) -> render.Reply:
    lines = [
        f"{render.day(ex.published)} · {render.inert(ex.publisher)} · {render.link(ex.headline, ex.url)}"
        for ex in result.examples
    ]
    description = (
        f"**{result.matched}** of {result.scanned} stored articles from the last {result.days} days "
        f"would have matched.\n\n" + render.lines_within(lines, render.DESCRIPTION - 200)
    )
    return render.Reply(
        embeds=[render.embed(f"Backtest: {result.topic}", description, colour=render.COLOUR_INFO)],
        ephemeral=True,
    )


async def build_backtest(services: Services, gid: int, name: str, days: int) -> render.Reply:
    return backtest_reply(await services.topics.backtest(gid, name, days))


async def build_add(
    services: Services,
    gid: int,
    name: str,
    aliases: str,
    exclude: str | None = None,
    ping_role_id: int | None = None,
    context: str | None = None,
) -> render.Reply:
    all_of = [split_terms(context)] if split_terms(context) else []
    topic = await services.topics.add(
        gid,
        name,
        split_terms(aliases),
        all_of=all_of,
        exclude=split_terms(exclude),
        ping_role_id=ping_role_id,
    )
    return render.Reply(
        embeds=[
            render.embed(
                f"Topic added: {topic.name}", fields=topic_fields(topic), colour=render.COLOUR_OK
            )
        ],
        ephemeral=True,
    )


async def build_remove(services: Services, gid: int, name: str) -> render.Reply:
    topic = await services.topics.remove(gid, name)
    return render.text_reply(f"Topic removed: {topic.name}. Alerts already posted stay.")


async def topic_choices(
    services: Services, gid: int, current: str, *, own_only: bool = False
) -> list[app_commands.Choice[str]]:
    topics = await services.topics.list(gid)
    needle = current.casefold().strip()
    return render.choices(
        (t.name, t.name)
        for t in topics
        if (not own_only or not t.shipped) and needle in t.name.casefold()
    )


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
        reply = await build_add(
            app(interaction).services,
            guild_id(interaction),
            name,
            aliases,
            exclude,
            ping_role.id if ping_role else None,
            context,
        )
        await respond(interaction, reply)

    @app_commands.command(
        name="remove", description="Stop watching one of this server's topics (editors)."
    )
    @app_commands.describe(name="The topic to remove")
    @manager_only
    async def remove(self, interaction: discord.Interaction, name: str) -> None:
        await respond(
            interaction, await build_remove(app(interaction).services, guild_id(interaction), name)
        )

    @remove.autocomplete("name")
    async def _remove_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await topic_choices(
            app(interaction).services, guild_id(interaction), current, own_only=True
        )

    @app_commands.command(name="list", description="The topics watched here and their rules.")
    async def list_(self, interaction: discord.Interaction) -> None:
        await respond(
            interaction, await build_list(app(interaction).services, guild_id(interaction))
        )

    @app_commands.command(
        name="test", description="Which topics a piece of text would match, and why."
    )
    @app_commands.describe(text="A headline or paragraph to try")
    async def test(
        self, interaction: discord.Interaction, text: app_commands.Range[str, 1, 4000]
    ) -> None:
        await respond(
            interaction, await build_test(app(interaction).services, guild_id(interaction), text)
        )

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
        reply = await build_backtest(app(interaction).services, guild_id(interaction), name, days)
        await respond(interaction, reply)

    @backtest.autocomplete("name")
    async def _backtest_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await topic_choices(app(interaction).services, guild_id(interaction), current)


async def setup(bot: BeatwatchBot) -> None:
    await bot.add_cog(TopicsCog(bot))
