"""``/alerts channel|pause|resume|quiet-hours|mutes``: where and when a server's alerts are posted,
and what is muted."""

from __future__ import annotations

from bot.alerts.actions import Mute
from bot.models import GuildConfig
from bot.present.reply import (
    Button,
    ChannelRef,
    Code,
    Ident,
    Line,
    Moment,
    Reply,
    Section,
    Strong,
    line,
    say,
)
from bot.present.text import plural


def waiting_hint(config: GuildConfig | None, backlog: dict[str, int]) -> Line:
    """The clear hint for a server with messages waiting and no alert channel (() if none)."""
    if backlog["waiting_channel"] == 0 or (config is not None and config.alert_channel_id):
        return ()
    alerts = backlog["waiting_alerts"]
    what = plural(alerts, "alert") if alerts else "Messages"
    rest = backlog["waiting_channel"] - alerts
    if alerts and rest:
        what += f" and {rest} other {'message' if rest == 1 else 'messages'}"
    return (
        f"⚠️ {what} waiting: this server has no alert channel. Set one with ",
        Code("/alerts channel"),
        " and they are posted there.",
    )


def channel_set(channel_id: int, waiting: int, missing: list[str] | None = None) -> Reply:
    lines: list[Line] = [
        line(
            "Alerts will be posted in ",
            ChannelRef(channel_id),
            ".",
            (
                f" {plural(waiting, 'message')} waiting for a channel will be posted there now "
                "(alerts older than 24 h go in the next digest instead)."
            )
            if waiting
            else None,
        )
    ]
    if missing:
        lines.append((f"⚠️ I cannot post there yet: I need {', '.join(missing)} in that channel.",))
    return say(*lines)


def channel_shown(config: GuildConfig, backlog: dict[str, int]) -> Reply:
    """``/alerts channel`` without a channel: where alerts go, or the hint that none is set."""
    if config.alert_channel_id:
        return say(
            line(
                "Alerts are posted in ",
                ChannelRef(config.alert_channel_id),
                ".",
                " (paused: /alerts resume to restart)" if config.alerts_paused else None,
            )
        )
    return say(
        waiting_hint(config, backlog)
        or (
            "No alert channel set yet: alerts wait until you choose one with ",
            Code("/alerts channel channel:#newsroom"),
            ".",
        )
    )


def console_channel() -> Reply:
    return say("In console mode alerts are printed here.")


def paused(on: bool) -> Reply:
    if on:
        return say(
            "Alerts paused. New stories are held; /alerts resume posts them as one catch-up "
            "message (and the digest lists them)."
        )
    return say("Alerts resumed: what the pause held is posted now as one catch-up message.")


def quiet_hours(config: GuildConfig) -> Reply:
    if not config.quiet_start or not config.quiet_end:
        return say("Quiet hours off: alerts are posted at any hour.")
    return say(
        f"Quiet hours {config.quiet_start}–{config.quiet_end} ({config.timezone}): alerts in that "
        "window wait and are posted when it ends, as one catch-up message (oldest first)."
    )


MUTE_BUTTONS = 20  # undo buttons under the list (Discord shows at most 25 per message)


def _mute_line(m: Mute) -> Line:
    who = m.user_name or f"user {m.user_id}"
    if m.kind == "story":
        what: tuple[str | Strong, ...] = (
            "🔕 story ",
            Strong(f"#{m.story_id}"),
            f" “{m.title}”" if m.title else "",
        )
    else:
        what = ("🔇 ", Strong(m.publisher), " for topic ", Strong(m.topic))
    return line(Ident(f"{m.id} · "), *what, f" — muted by {who}, ", Moment(m.at))


def mutes_reply(mutes: list[Mute], undone: Mute | None = None) -> Reply:
    """``/alerts mutes``: every muted story and (outlet, topic), who muted it and when, each
    with an undo button (``beatwatch alerts unmute ID`` in a terminal)."""
    head: list[Line] = []
    if undone is not None:
        head.append(line("✅ Undone: ", *_mute_line(undone)[1:]))
    if not mutes:
        return Reply(
            sections=(
                Section(
                    title="Mutes",
                    lines=(*head, ("Nothing is muted: every story and outlet can raise alerts.",)),
                    tone="ok",
                ),
            )
        )
    buttons = tuple(
        Button(
            id=f"unmute:{m.id}",
            label=(
                f"Unmute story #{m.story_id}"
                if m.kind == "story"
                else f"Unmute {m.publisher} ({m.topic})"
            )[:80],
        )
        for m in mutes[:MUTE_BUTTONS]
    )
    return Reply(
        sections=(
            Section(
                title=f"Mutes ({len(mutes)})",
                lines=(*head, *(_mute_line(m) for m in mutes)),
                footer="Undo one with its button, or: beatwatch alerts unmute ID",
                tone="muted",
            ),
        ),
        buttons=buttons,
    )


def unmuted(m: Mute) -> Reply:
    return say(line("Undone: ", *_mute_line(m)[1:], ". Its alerts can come again."))
