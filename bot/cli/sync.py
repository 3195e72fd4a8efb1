"""``beatwatch sync [--guild ID]``: publish the slash commands to Discord.

Commands are never synced by surprise: the running bot only syncs to ``BEATWATCH_DEV_GUILD_ID``
when it is set. Run this once after installing or upgrading (global commands can take a while
to appear everywhere; ``--guild`` makes them appear in one server at once).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli import fail
from bot.errors import UserFacingError
from bot.settings import Settings


def register(sub: Any) -> None:
    p = sub.add_parser("sync", help="publish the slash commands to Discord (global or one server)")
    p.add_argument("--guild", type=int, help="sync to this server only (shows at once)")
    p.set_defaults(handler=handle)


async def handle(settings: Settings, args: argparse.Namespace) -> int:
    if settings.discord_token is None:
        return fail("sync needs the bot token: set BEATWATCH_DISCORD_TOKEN")
    from bot.discord.runner import sync_commands  # the Discord shell, loaded only when used

    try:
        names, where = await sync_commands(settings, args.guild)
    except UserFacingError as exc:
        return fail(str(exc))
    sys.stdout.write(f"synced {len(names)} commands to {where}: {', '.join(names)}\n")
    return 0
