"""Running the bot and syncing its commands: the Discord side of ``beatwatch run`` / ``sync``.

The CLI calls these so that it never imports discord itself.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

import aiohttp
import discord

from bot.app import BeatwatchBot
from bot.errors import UserFacingError
from bot.settings import Settings

log = logging.getLogger(__name__)


async def run_bot(settings: Settings, err: Callable[[str], None]) -> int:
    """Run the Discord bot until it is closed (SIGTERM/SIGINT close it cleanly). Returns the
    exit code; ``err`` receives the one-line reason when Discord refuses or cannot be reached."""
    assert settings.discord_token is not None
    bot = BeatwatchBot(settings)
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task[None]] = []  # keeps the close task referenced until it is done

    def stop() -> None:
        if not closing:
            log.info("event=signal_received action=close")
            closing.append(loop.create_task(bot.close(), name="close-on-signal"))

    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop)
        except (NotImplementedError, RuntimeError):  # not on this platform / not main thread
            pass
    try:
        async with bot:
            await bot.start(settings.discord_token.get_secret_value())
        await bot.wait_until_closed()
    except discord.LoginFailure:
        err("beatwatch: Discord refused the token (BEATWATCH_DISCORD_TOKEN).\n")
        return 2
    except discord.PrivilegedIntentsRequired:
        err("beatwatch: Discord refused the requested intents.\n")
        return 2
    except (aiohttp.ClientError, OSError) as exc:
        err(f"beatwatch: cannot reach Discord: {exc}\n")
        return 1
    return 0


async def sync_commands(settings: Settings, guild_id: int | None) -> tuple[list[str], str]:
    """Publish the slash commands globally or to one server; returns (sorted /names, where)."""
    assert settings.discord_token is not None
    bot = BeatwatchBot(settings, start_scheduler=False, sync_dev_guild=False)
    try:
        async with bot:
            await bot.login(settings.discord_token.get_secret_value())
            if guild_id:
                guild = discord.Object(id=guild_id)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
                where = f"server {guild_id}"
            else:
                synced = await bot.tree.sync()
                where = "every server (global; may take a while to show)"
    except discord.LoginFailure as exc:
        raise UserFacingError("Discord refused the token (BEATWATCH_DISCORD_TOKEN)") from exc
    except discord.HTTPException as exc:
        raise UserFacingError(f"Discord refused the commands: {exc.status} {exc.text}") from exc
    return sorted(f"/{c.name}" for c in synced), where
