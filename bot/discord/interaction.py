"""What every command needs around an interaction: who may manage, and how to answer.

Management commands carry ``default_permissions(manage_guild=True)`` (Discord hides them from
everyone else unless a server admin grants them in Server Settings > Integrations) and, in
depth, the ``manager_only`` check: Manage Server, or the configured newsroom role (by id from
the server's settings, set with ``/admin newsroom-role``, or by name from
``BEATWATCH_NEWSROOM_ROLE``).
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.discord import render
from bot.present.reply import Reply
from bot.storage import guilds
from bot.tree import NotManager

if TYPE_CHECKING:
    from bot.app import BeatwatchBot

log = logging.getLogger(__name__)

MANAGE = app_commands.default_permissions(manage_guild=True)


def app(interaction: discord.Interaction) -> BeatwatchBot:
    return interaction.client  # type: ignore[return-value]


def guild_id(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


async def is_manager(interaction: discord.Interaction) -> bool:
    member = interaction.user
    if not isinstance(member, discord.Member):
        return False
    # the member's permissions in this channel, as Discord resolved them for the interaction
    perms = interaction.permissions
    if perms.manage_guild or perms.administrator:
        return True
    if interaction.guild is not None and interaction.guild.owner_id == member.id:
        return True
    bot = app(interaction)
    config = await guilds.get_guild(bot.services.db.reader, guild_id(interaction))
    role_ids = {r.id for r in member.roles}
    if config is not None and config.newsroom_role_id and config.newsroom_role_id in role_ids:
        return True
    wanted = (bot.settings.newsroom_role or "").strip().casefold()
    return bool(wanted) and any(r.name.casefold() == wanted for r in member.roles)


async def _need_text(interaction: discord.Interaction) -> str:
    bot = app(interaction)
    config = await guilds.get_guild(bot.services.db.reader, guild_id(interaction))
    roles = [f"<@&{config.newsroom_role_id}>"] if config and config.newsroom_role_id else []
    roles += [bot.settings.newsroom_role] if bot.settings.newsroom_role else []
    extra = f" or the {' or '.join(roles)} role" if roles else ""
    return f"You need the Manage Server permission{extra} to change beatwatch's settings."


async def _manager_predicate(interaction: discord.Interaction) -> bool:
    if await is_manager(interaction):
        return True
    raise NotManager(await _need_text(interaction))


manager_only = app_commands.check(_manager_predicate)


async def defer(interaction: discord.Interaction, *, ephemeral: bool) -> None:
    """Acknowledge now (the 3 s rule); the answer follows. A public deferral is remembered so
    an error can still be answered privately (see ``bot.tree.answer_ephemeral``)."""
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        interaction.extras["deferred_public"] = not ephemeral


async def respond(interaction: discord.Interaction, reply: Reply) -> None:
    """Render a reply for Discord and send it as the initial response or as followups,
    whichever is due (embeds beyond one message's limits follow in more messages)."""
    from bot.discord.views import view_for

    out = render.to_discord(reply)
    kwargs: dict[str, Any] = out.send_kwargs()
    view = view_for(reply.buttons)
    if view is not None:
        kwargs["view"] = view
    if reply.files:
        kwargs["files"] = [
            discord.File(io.BytesIO(f.data), filename=f.filename) for f in reply.files
        ]
    if interaction.response.is_done():
        if out.ephemeral and interaction.extras.pop("deferred_public", False):
            # the public "thinking…" placeholder would make the answer public: remove it
            try:
                await interaction.delete_original_response()
            except discord.HTTPException:
                log.info("event=placeholder_delete_failed guild=%s", interaction.guild_id)
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)
    for embeds in out.overflow():
        await interaction.followup.send(
            embeds=embeds,
            ephemeral=out.ephemeral,
            allowed_mentions=discord.AllowedMentions.none(),
        )
