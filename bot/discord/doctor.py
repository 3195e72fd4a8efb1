"""The Discord half of ``beatwatch doctor --connect``: log in and check the bot's permissions in
every configured channel."""

from __future__ import annotations

import asyncio

import discord

from bot.ops.doctor import Check
from bot.settings import Settings

# Permissions the bot needs in a channel it posts to (discord.Permissions attribute names).
NEEDED_PERMISSIONS = ("view_channel", "send_messages", "embed_links")


async def discord_checks(settings: Settings, channels: list[tuple[int, int, str]]) -> list[Check]:
    """``channels``: (guild id, channel id, purpose) for every configured channel."""
    assert settings.discord_token is not None
    results: list[Check] = []
    intents = discord.Intents.none()
    intents.guilds = True
    client = discord.Client(intents=intents)

    @client.event
    async def on_ready() -> None:
        try:
            user = client.user
            results.append(Check("discord.login", "ok", f"logged in as {user}"))
            if not channels:
                results.append(Check("discord.channels", "skip", "no channels configured yet"))
            for guild_id, channel_id, purpose in channels:
                name = f"discord.{purpose}"
                guild = client.get_guild(guild_id)
                if guild is None:
                    results.append(Check(name, "fail", f"bot is not in server {guild_id}"))
                    continue
                channel = guild.get_channel(channel_id)
                if channel is None or guild.me is None:
                    results.append(
                        Check(name, "fail", f"channel {channel_id} not found in {guild.name}")
                    )
                    continue
                perms = channel.permissions_for(guild.me)
                missing = [p for p in NEEDED_PERMISSIONS if not getattr(perms, p)]
                if missing:
                    results.append(
                        Check(
                            name,
                            "fail",
                            f"#{channel.name} in {guild.name}: missing {', '.join(missing)}",
                        )
                    )
                else:
                    results.append(Check(name, "ok", f"#{channel.name} in {guild.name}"))
        finally:
            await client.close()

    try:
        await asyncio.wait_for(client.start(settings.discord_token.get_secret_value()), timeout=60)
    except discord.LoginFailure:
        return [Check("discord.login", "fail", "Discord rejected the token (401)")]
    except (TimeoutError, discord.HTTPException, discord.GatewayNotFound, OSError) as exc:
        await client.close()
        return [Check("discord.login", "fail", f"could not connect: {type(exc).__name__}")]
    return results or [Check("discord.login", "fail", "connected but never became ready")]
