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
from bot.settings import Settings


def register(sub: Any) -> None:
    p = sub.add_parser("sync", help="publish the slash commands to Discord (global or one server)")
    p.add_argument("--guild", type=int, help="sync to this server only (shows at once)")
    p.set_defaults(handler=handle)


async def handle(settings: Settings, args: argparse.Namespace) -> int:
    import discord

    from bot.app import BeatwatchBot

    if settings.discord_token is None:
        return fail("sync needs the bot token: set BEATWATCH_DISCORD_TOKEN")
    bot = BeatwatchBot(settings, start_scheduler=False, sync_dev_guild=False)
    try:
        async with bot:
            await bot.login(settings.discord_token.get_secret_value())
            if args.guild:
                guild = discord.Object(id=args.guild)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
                where = f"server {args.guild}"
            else:
                synced = await bot.tree.sync()
                where = "every server (global; may take a while to show)"
    except discord.LoginFailure:
        return fail("Discord refused the token (BEATWATCH_DISCORD_TOKEN)")
    except discord.HTTPException as exc:
        return fail(f"Discord refused the commands: {exc.status} {exc.text}")
    names = ", ".join(sorted(f"/{c.name}" for c in synced))
    sys.stdout.write(f"synced {len(synced)} commands to {where}: {names}\n")
    return 0
