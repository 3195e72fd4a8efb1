"""``beatwatch run``: start beatwatch on its settings."""

from __future__ import annotations

import argparse
from typing import Any

from bot.services import open_services
from bot.settings import Settings


def register(sub: Any) -> None:
    p = sub.add_parser(
        "run", help="run beatwatch (the Discord bot, or console mode without a token)"
    )
    p.set_defaults(handler=handle)


async def handle(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        print(f"beatwatch database ready at {services.db.path}")
    return 0
