"""``/ask question``: an answer from the fact store - short answer, quoted evidence, citations
(outlet, date, link), disagreements with dates - and a "Sources" button that lists every citation.

The answer is public in the channel (the newsroom sees what was asked); it defers first because
retrieval can take more than a moment on a large store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.models import Answer, Citation, Conflict
from bot.services import Services
from cogs import _render as render
from cogs._interaction import app, defer, respond

if TYPE_CHECKING:
    from bot.app import BeatwatchBot

EVIDENCE_SHOWN = 3
QUOTE_CHARS = 300
QUESTION_CHARS = 240  # the question is kept in the embed title (256) for the Sources button


def citation_line(c: Citation) -> str:
    outlet = render.inert(c.publisher)
    head = render.link(render.clip(c.headline, 120) or outlet, c.url)
    return f"{outlet}, {c.published} — {head}"


def evidence_block(c: Citation) -> str:
    quote = render.inert(render.clip(" ".join(c.quote.split()), QUOTE_CHARS))
    return f"> {quote}\n— {citation_line(c)}"


def conflict_block(conflict: Conflict) -> str:
    lines = [
        f"• **{render.inert(render.clip(claim.value, 80))}** — {render.inert(claim.publisher)}, {claim.published}"
        for claim in conflict.claims
    ]
    return render.lines_within(lines, render.FIELD_VALUE)


def answer_embed(answer: Answer) -> discord.Embed:
    title = render.clip(answer.question.strip() or "Question", QUESTION_CHARS)
    if answer.abstained:
        return render.embed(
            title,
            render.inert(answer.answer) or "I have nothing on that in my sources.",
            colour=render.COLOUR_MUTED,
            footer="No answer given: nothing in the sources supports one.",
        )
    shown = answer.citations[:EVIDENCE_SHOWN]
    short = render.clip(render.inert(answer.answer), 1200)
    evidence = render.lines_within(
        [evidence_block(c) for c in shown], render.DESCRIPTION - len(short) - 20
    )
    description = f"{short}\n\n**Evidence**\n{evidence}" if evidence else short
    fields = [
        (f"Sources disagree: {render.inert(conflict.subject)}", conflict_block(conflict))
        for conflict in answer.conflicts[:3]
    ]
    extra = len(answer.citations) - len(shown)
    footer = f"{len(answer.citations)} source(s)" + (
        " · press Sources for all" if extra > 0 else ""
    )
    return render.embed(
        title,
        description,
        colour=render.COLOUR_WARN if answer.conflicts else render.COLOUR_OK,
        fields=fields,
        footer=footer,
    )


def sources_reply(answer: Answer) -> render.Reply:
    """Every citation of an answer (the Sources button), in as many embeds as needed."""
    lines = [f"{i}. {evidence_block(c)}" for i, c in enumerate(answer.citations, 1)]
    embeds: list[discord.Embed] = []
    chunk: list[str] = []
    size = 0
    for line in lines:
        if chunk and size + len(line) + 2 > render.DESCRIPTION:
            embeds.append(render.embed("Sources", "\n\n".join(chunk)))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 2
    if chunk:
        embeds.append(render.embed("Sources", "\n\n".join(chunk)))
    if not embeds:
        return render.text_reply("This answer has no sources.")
    return render.Reply(embeds=embeds, ephemeral=True)


async def build_ask(services: Services, question: str, *, with_button: bool = True) -> render.Reply:
    answer = await services.facts.ask(question)
    view = None
    if with_button and not answer.abstained and answer.citations:
        from bot.discord.views import sources_view

        view = sources_view()
    return render.Reply(embeds=[answer_embed(answer)], view=view, ephemeral=False)


class AskCog(commands.Cog):
    def __init__(self, bot: BeatwatchBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="ask", description="Ask the sources: a short answer with quoted, cited evidence."
    )
    @app_commands.describe(
        question="Your question, e.g. Where did the trilateral talks take place?"
    )
    @app_commands.guild_only()
    async def ask(
        self, interaction: discord.Interaction, question: app_commands.Range[str, 3, QUESTION_CHARS]
    ) -> None:
        await defer(interaction, ephemeral=False)
        await respond(interaction, await build_ask(app(interaction).services, question))


async def setup(bot: BeatwatchBot) -> None:
    await bot.add_cog(AskCog(bot))
