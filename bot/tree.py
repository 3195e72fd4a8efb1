"""The slash-command tree: the one error handler, and the per-interaction guild bookkeeping.

Every slash-command error ends here (``tree_cls=BeatwatchTree``):

- a ``UserFacingError`` (the domain's "you can fix this" kind) -> its text, ephemeral;
- a failed check (missing permission, not the newsroom role, not in a server) -> a clear
  ephemeral sentence saying what is needed;
- anything else -> logged with command, guild and user, and a short apology (never a
  traceback), answered whether or not the interaction was already responded to.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from bot.discord.render import CONTENT, clip
from bot.errors import UserFacingError

log = logging.getLogger(__name__)

APOLOGY = (
    "Sorry, something went wrong on my side. It has been logged; please try again in a minute."
)


class NotManager(app_commands.CheckFailure):
    """The user may not use a management command."""


def _describe_check_failure(error: app_commands.AppCommandError) -> str:
    if isinstance(error, app_commands.MissingPermissions):
        needed = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"You need the {needed} permission to use this command."
    if isinstance(error, app_commands.BotMissingPermissions):
        needed = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"I need the {needed} permission in this channel."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {error.retry_after:.0f} s."
    if isinstance(error, NotManager) and str(error):
        return str(error)
    return "You are not allowed to use this command here."


def _command_name(interaction: discord.Interaction) -> str:
    command = interaction.command
    if command is not None:
        return command.qualified_name
    data: dict[str, Any] = dict(interaction.data or {})
    return str(data.get("name") or data.get("custom_id") or "?")


class BeatwatchTree(app_commands.CommandTree[Any]):
    """CommandTree with beatwatch's error handling and a hook run before every interaction."""

    #: set by the bot: ``await on_guild_seen(guild_id, name)`` before each guild interaction
    on_guild_seen: Callable[[int, str], Awaitable[None]] | None = None

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.guild_id is not None and self.on_guild_seen is not None:
            guild = interaction.guild
            try:
                await self.on_guild_seen(interaction.guild_id, guild.name if guild else "")
            except Exception:  # boundary: bookkeeping must not block the command itself
                log.exception("event=guild_setup_failed guild=%s", interaction.guild_id)
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        original: BaseException = error
        if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
            original = error.__cause__ or error
        if isinstance(original, UserFacingError):
            await answer_ephemeral(interaction, str(original))
            return
        if isinstance(error, app_commands.CheckFailure):
            log.info(
                "event=command_denied command=%s guild=%s user=%s reason=%s",
                _command_name(interaction),
                interaction.guild_id,
                interaction.user.id if interaction.user else None,
                type(error).__name__,
            )
            await answer_ephemeral(interaction, _describe_check_failure(error))
            return
        if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
            log.warning(
                "event=command_out_of_date command=%s guild=%s", error, interaction.guild_id
            )
            await answer_ephemeral(
                interaction,
                "This command is out of date. A server admin can refresh commands "
                "with `beatwatch sync` (or the bot owner with /admin sync).",
            )
            return
        if isinstance(error, app_commands.TransformerError):
            await answer_ephemeral(interaction, f"I could not read {error.value!r} as that option.")
            return
        log.error(
            "event=command_failed command=%s guild=%s user=%s",
            _command_name(interaction),
            interaction.guild_id,
            interaction.user.id if interaction.user else None,
            exc_info=original,
        )
        await answer_ephemeral(interaction, APOLOGY)


async def answer_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Answer privately, whether or not the interaction was already acknowledged."""
    if interaction.type is discord.InteractionType.autocomplete:
        if not interaction.response.is_done():
            try:
                await interaction.response.autocomplete([])
            except discord.HTTPException:
                log.warning("event=autocomplete_error_answer_failed", exc_info=True)
        return
    text = clip(text, CONTENT)
    try:
        if interaction.response.is_done():
            if interaction.extras.pop("deferred_public", False):
                # the public "thinking…" placeholder would turn the first followup public:
                # remove it, so the error is only shown to the user
                try:
                    await interaction.delete_original_response()
                except discord.HTTPException:
                    log.info("event=placeholder_delete_failed guild=%s", interaction.guild_id)
            await interaction.followup.send(
                text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
        else:
            await interaction.response.send_message(
                text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
    except discord.HTTPException:
        log.warning(
            "event=error_answer_failed command=%s guild=%s",
            _command_name(interaction),
            interaction.guild_id,
            exc_info=True,
        )
