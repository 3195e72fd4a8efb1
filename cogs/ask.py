"""``/ask question``: an answer from the fact store - short answer, quoted evidence, citations
(outlet, date, link), disagreements with dates - and a "Sources" button that lists every citation
of that answer (kept with it: ``bot.answers``).

The answer is public in the channel (the newsroom sees what was asked) unless ``private:true``;
no answer (junk, or nothing in the sources) is shown to the asker only. It defers first because
retrieval can take more than a moment on a large store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import answers
from bot.discord.interaction import app, defer, guild_id, respond
from bot.present import ask as present

if TYPE_CHECKING:
    from bot.app import BeatwatchBot


class AskCog(commands.Cog):
    def __init__(self, bot: BeatwatchBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="ask", description="Ask the sources: a short answer with quoted, cited evidence."
    )
    @app_commands.describe(
        question="Your question, e.g. Where did the trilateral talks take place?",
        private="Answer only me (default: the channel sees the answer)",
    )
    @app_commands.guild_only()
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 3, present.QUESTION_CHARS],
        private: bool = False,
    ) -> None:
        await defer(interaction, ephemeral=private)
        bot = app(interaction)
        answer = await bot.services.facts.ask(question)
        kept = answers.new_id(answer)
        if kept is not None:  # stored in the background: a locked database never delays this
            bot.tasks.spawn(
                answers.keep(bot.services, kept, guild_id(interaction), answer), name="keep-answer"
            )
        await respond(interaction, present.answer_reply(answer, private=private, kept=kept))


async def setup(bot: BeatwatchBot) -> None:
    await bot.add_cog(AskCog(bot))
