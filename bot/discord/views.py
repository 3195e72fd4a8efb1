"""The buttons under an alert: "Mark verified", "Mute this story", "Mute this source for this topic".

Each button's ``custom_id`` carries the action and the alert id (``bw:verify:123``), so the
buttons keep working after a restart: the bot registers :data:`ALERT_BUTTONS` with
``add_dynamic_items`` in ``setup_hook`` (discord.py's mechanism for persistent buttons whose
custom_id holds state; ``add_view`` only knows fixed custom_ids). The actions are done by
``bot.alerts.actions`` (the one Discord-free service for verify, mute, unmute) and shown on the alert itself (a "Desk" field) by answering the
click with an edit of that message.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from bot import answers, newsroom
from bot.alerts import actions, compose
from bot.discord import render
from bot.discord.interaction import is_manager, respond
from bot.errors import UserFacingError
from bot.present import ask as present_ask
from bot.present.reply import Button
from bot.storage import alert_actions
from bot.storage import alerts as alerts_store
from bot.storage.alert_actions import Action, ActionMark
from bot.tree import APOLOGY, answer_ephemeral

log = logging.getLogger(__name__)

# custom_id slug -> (stored action, label, label once done, style)
BUTTONS: dict[str, tuple[Action, str, str, discord.ButtonStyle]] = {
    "verify": ("verified", "Mark verified", "Verified", discord.ButtonStyle.success),
    "mute-story": ("muted_story", "Mute this story", "Story muted", discord.ButtonStyle.secondary),
    "mute-source": (
        "muted_source",
        "Mute this source for this topic",
        "Source muted",
        discord.ButtonStyle.secondary,
    ),
}


def custom_id(slug: str, alert_id: int) -> str:
    return f"bw:{slug}:{alert_id}"


class AlertButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"bw:(?P<slug>verify|mute-story|mute-source):(?P<alert_id>\d{1,19})",
):
    def __init__(self, slug: str, alert_id: int, *, done: bool = False) -> None:
        action, label, done_label, style = BUTTONS[slug]
        super().__init__(
            discord.ui.Button(
                label=done_label if done else label,
                style=style,
                custom_id=custom_id(slug, alert_id),
                disabled=done,
            )
        )
        self.slug = slug
        self.action: Action = action
        self.alert_id = alert_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> AlertButton:
        return cls(match["slug"], int(match["alert_id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self._press(interaction)
        except Exception:  # boundary: one click
            log.exception(
                "event=button_failed action=%s alert=%s guild=%s user=%s",
                self.action,
                self.alert_id,
                interaction.guild_id,
                interaction.user.id,
            )
            await answer_ephemeral(interaction, APOLOGY)

    async def _press(self, interaction: discord.Interaction[Any]) -> None:
        bot = interaction.client
        services = bot.services
        if not await is_manager(interaction):
            await answer_ephemeral(
                interaction, "Only editors (Manage Server or the newsroom role) can do that."
            )
            return
        name = getattr(interaction.user, "display_name", "") or interaction.user.name
        try:
            acted = await actions.act(
                services.db,
                services.clock,
                alert_id=self.alert_id,
                guild_id=interaction.guild_id,
                action=self.action,
                user_id=interaction.user.id,
                user_name=name,
            )
        except UserFacingError as exc:
            await answer_ephemeral(interaction, str(exc))
            return
        subject, marks = acted.subject, acted.marks
        desk = render.desk_lines(marks, topic=subject.topic, publisher=subject.publisher)
        message = interaction.message
        embeds = [render.with_desk(message.embeds[0], desk)] if message and message.embeds else []
        await interaction.response.edit_message(
            embeds=embeds,
            view=alert_view(self.alert_id, marks),
            allowed_mentions=discord.AllowedMentions.none(),
        )


class SourcesButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"bw:sources(?::(?P<answer_id>\d{1,19}))?",
):
    """Under an /ask answer: its citations, privately. ``bw:sources:<id>`` names the answer kept
    with the message (``bot.answers``), so the button lists exactly what that answer cited, after
    a restart too. (A plain ``bw:sources``, on answers from before, or an answer not stored,
    asks the title again.)"""

    def __init__(self, answer_id: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label="Sources",
                style=discord.ButtonStyle.secondary,
                custom_id=f"bw:sources:{answer_id}" if answer_id is not None else "bw:sources",
            )
        )
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> SourcesButton:
        return cls(int(match["answer_id"]) if match["answer_id"] else None)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            services = interaction.client.services
            if self.answer_id is not None:
                try:
                    found = await answers.kept(services, self.answer_id, interaction.guild_id)
                except UserFacingError as exc:
                    await answer_ephemeral(interaction, str(exc))
                    return
                if found is not None:
                    await respond(interaction, present_ask.sources_reply(found))
                    return
                log.info("event=answer_not_kept answer=%s", self.answer_id)
            message = interaction.message
            question = message.embeds[0].title if message and message.embeds else None
            if not question:
                await answer_ephemeral(interaction, "I can no longer read this question.")
                return
            await interaction.response.defer(ephemeral=True, thinking=True)
            answer = await services.facts.ask(question)
            await respond(interaction, present_ask.sources_reply(answer))
        except Exception:  # boundary: one click
            log.exception("event=sources_failed guild=%s", interaction.guild_id)
            await answer_ephemeral(interaction, APOLOGY)


class DeskSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"bw:desk:(?P<outbox_id>\d{1,19})"
):
    """Under a combined or catch-up message: one option per story (the value is its alert id).
    Choosing one answers privately with that story's alert and its desk buttons (verify, mute
    the story, mute the source). The options live in the message itself, so the menu keeps
    working after a restart."""

    def __init__(self, outbox_id: int, options: list[discord.SelectOption]) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"bw:desk:{outbox_id}",
                placeholder="Desk: act on one of these stories…",
                options=options or [discord.SelectOption(label="-", value="0")],
                min_values=1,
                max_values=1,
            )
        )
        self.outbox_id = outbox_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> DeskSelect:
        options = list(getattr(item, "options", []))
        return cls(int(match["outbox_id"]), options)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            values = self.item.values
            alert_id = int(values[0]) if values and values[0].isdigit() else 0
            services = interaction.client.services
            alert = await alerts_store.get_alert(services.db.reader, alert_id)
            if alert is None or alert.guild_id != interaction.guild_id:
                await answer_ephemeral(interaction, "I no longer have this story's alert stored.")
                return
            guild = await newsroom.current(services, alert.guild_id)
            msg = compose.alert_message(
                alert, guild, outbox_id=0, version=alert.version, channel_id=None
            )
            marks = await alert_actions.marks(services.db.reader, alert.id)
            desk = render.desk_lines(marks, topic=alert.topic, publisher=alert.publisher)
            await interaction.response.send_message(
                embeds=[render.outgoing_embed(msg, desk)],
                view=alert_view(alert.id, marks),
                ephemeral=True,
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except Exception:  # boundary: one choice
            log.exception("event=desk_select_failed guild=%s", interaction.guild_id)
            await answer_ephemeral(interaction, APOLOGY)


class UnmuteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"bw:unmute:(?P<mute>(?:story|source)-\d{1,19})",
):
    """Under ``/alerts mutes``: undo one mute (``bot.alerts.actions.unmute``) and show the list
    again in place."""

    def __init__(self, mute_id: str, label: str = "Unmute") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80],
                style=discord.ButtonStyle.secondary,
                custom_id=f"bw:unmute:{mute_id}",
            )
        )
        self.mute_id = mute_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> UnmuteButton:
        return cls(match["mute"], str(getattr(item, "label", "") or "Unmute"))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            if not await is_manager(interaction):
                await answer_ephemeral(
                    interaction, "Only editors (Manage Server or the newsroom role) can do that."
                )
                return
            db = interaction.client.services.db
            try:
                undone = await actions.unmute(db, self.mute_id, interaction.guild_id)
            except UserFacingError as exc:
                await answer_ephemeral(interaction, str(exc))
                return
            from bot.present.alerts import mutes_reply

            reply = mutes_reply(await actions.mutes(db, interaction.guild_id), undone)
            out = render.to_discord(reply)
            await interaction.response.edit_message(
                embeds=render.fit_message(out.embeds)[0] if out.embeds else [],
                view=view_for(reply.buttons) or discord.ui.View(timeout=None),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except Exception:  # boundary: one click
            log.exception("event=unmute_failed guild=%s", interaction.guild_id)
            await answer_ephemeral(interaction, APOLOGY)


def desk_view(outbox_id: int, stories: list[tuple[int, str]]) -> discord.ui.View | None:
    """The desk menu for a combined message's stories (None when there are none)."""
    if not stories:
        return None
    view = discord.ui.View(timeout=None)
    options = [
        discord.SelectOption(label=label[:100] or f"story {alert_id}", value=str(alert_id))
        for alert_id, label in stories[:25]
    ]
    view.add_item(DeskSelect(outbox_id, options))
    return view


def sources_view() -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(SourcesButton())
    return view


def view_for(buttons: tuple[Button, ...]) -> discord.ui.View | None:
    """The view for a reply's button specs (the persistent buttons this package knows)."""
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in buttons:
        if button.id == "sources":
            view.add_item(SourcesButton())
        elif button.id.startswith("sources:"):
            view.add_item(SourcesButton(int(button.id.removeprefix("sources:"))))
        elif button.id.startswith("unmute:"):
            view.add_item(UnmuteButton(button.id.removeprefix("unmute:"), button.label))
        else:
            raise ValueError(f"no Discord button for {button.id!r}")
    return view


ALERT_BUTTONS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    AlertButton,
    SourcesButton,
    DeskSelect,
    UnmuteButton,
)


def alert_view(alert_id: int, marks: dict[Action, ActionMark] | None = None) -> discord.ui.View:
    """The buttons for one alert; a button is disabled once its action was done."""
    marks = marks or {}
    view = discord.ui.View(timeout=None)
    for slug, (action, *_rest) in BUTTONS.items():
        view.add_item(AlertButton(slug, alert_id, done=action in marks))
    return view
