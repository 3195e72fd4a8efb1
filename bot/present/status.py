"""``/status``: feeds, last poll, counts, delivery backlog, next digest, problems, version."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import __version__
from bot.alerts.service import FAILED_RECENT
from bot.newsroom import Snapshot
from bot.present.alerts import waiting_hint
from bot.present.reply import ChannelRef, Code, Field, Line, Moment, Reply, Section, line


def next_digest(now: datetime, digest_time: str, tz: str) -> datetime:
    """The next time (aware) the daily digest at local ``digest_time`` in ``tz`` is due."""
    zone = ZoneInfo(tz)
    hours, minutes = (int(p) for p in digest_time.split(":"))
    local_now = now.astimezone(zone)
    candidate = datetime.combine(local_now.date(), time(hours, minutes), zone)
    if candidate <= local_now:
        candidate = datetime.combine(
            local_now.date() + timedelta(days=1), time(hours, minutes), zone
        )
    return candidate


def delivery_line(backlog: dict[str, int]) -> Line:
    """Outbox rows waiting for a channel, failed deliveries, alerts held for the digest."""
    held = backlog["held"]
    return line(
        f"{backlog['waiting_channel']} waiting for a channel · "
        f"{backlog['failed']} failed in {FAILED_RECENT.days} days",
        " (see " if backlog["failed"] else None,
        Code("beatwatch alerts list --status failed") if backlog["failed"] else None,
        ")" if backlog["failed"] else None,
        f" · {held} {'alert' if held == 1 else 'alerts'} held for the digest",
    )


def status_reply(snap: Snapshot, *, mode: str = "discord") -> Reply:
    """``mode`` names where beatwatch runs (the footer says it); the console has no channels."""
    states = Counter(st.health for st in snap.feeds)  # "not checked yet" too
    checked = [st.last_checked_at for st in snap.feeds if st.last_checked_at]
    last_poll = max(checked) if checked else None
    t = snap.tables
    fields = [
        Field("Feeds", ((", ".join(f"{n} {s}" for s, n in sorted(states.items())) or "none yet",),)),
        Field("Last poll", ((Moment(last_poll),) if last_poll else ("not yet",),)),
        Field(
            "Stored",
            ((f"{t['articles']} articles · {t['facts']} facts · {t['stories']} stories · "
              f"{t['alerts']} alerts",),),
        ),
    ]  # fmt: skip
    config, console = snap.config, mode == "console"
    if config is not None:
        due = next_digest(snap.now, config.digest_time, config.timezone)
        channel = config.digest_channel_id or config.alert_channel_id
        digest_line = line(
            f"{due.strftime('%a %d %b %H:%M')} {config.timezone}",
            *((" (", Moment(due), ")") if not console else ()),
            " in " if channel and not console else None,
            ChannelRef(channel) if channel and not console else None,
        )
        fields.append(Field("Next digest", (digest_line,)))
        state = "paused" if config.alerts_paused else "on"
        if config.quiet_start and config.quiet_end:
            state += f", quiet {config.quiet_start}-{config.quiet_end}"
        target: Line = (
            (ChannelRef(config.alert_channel_id),)
            if config.alert_channel_id
            else ("no channel set (use /alerts channel)",)
        )
        fields.append(Field("Alerts", ((state,) if console else (f"{state} · ", *target),)))
    fields.append(Field("Delivery", (delivery_line(snap.backlog),)))
    hint = () if console else waiting_hint(config, snap.backlog)
    if hint:
        fields.insert(0, Field("Waiting for a channel", (hint,)))
    if snap.problems:
        fields.insert(0, Field("Problems", ((snap.problems,),)))
    warn = bool(snap.problems or hint or snap.backlog["failed"])
    return Reply(
        sections=(
            Section(
                title="beatwatch status",
                fields=tuple(fields),
                footer=f"beatwatch {__version__} · {mode} mode",
                tone="warn" if warn else "info",
            ),
        )
    )
