"""``beatwatch run``: start beatwatch on its settings."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.ask import render
from bot.services import open_services
from bot.settings import Settings

SAMPLE_QUESTION = "How did Zelensky describe ceding territory?"


def register(sub: Any) -> None:
    p = sub.add_parser(
        "run", help="run beatwatch (the Discord bot, or console mode without a token)"
    )
    p.set_defaults(handler=handle)


async def handle(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        print(f"beatwatch database ready at {services.db.path}")
        # Until the Discord shell takes over `run`: show the fact store answering.
        answer = await services.facts.ask(SAMPLE_QUESTION)
        print(f"Q: {SAMPLE_QUESTION}\n{render(answer)}")
    return 0
