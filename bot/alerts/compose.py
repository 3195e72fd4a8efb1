"""Turning alerts, notices and digest chunks into ``OutgoingMessage`` values (pure).

Feed-derived text goes through ``inert`` (``bot.present.text``, the one sanitiser: no pings, a
zero-width space after every ``@``, ``<@..>``/``<@&..>``/``<#..>`` broken up) and, where it lands
in markdown, :func:`md_text` (no masked links or formatting injected by a headline). Times are shown in the server's timezone.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.models import Alert, GuildConfig, MessageField, OutgoingMessage
from bot.present.text import inert, singular_counts

_MD_SPECIAL = re.compile(r"([\[\]`|~_\\])")
_SPACE = re.compile(r"\s+")


def dedupe_key(outbox_id: int, version: int) -> str:
    """The key a resend of one outbox row's version carries (Discord's nonce is built from it)."""
    return f"bw{outbox_id}v{version}"


def md_text(text: str) -> str:
    """Inert text safe inside markdown (link text, list lines): no masked links, no code."""
    return _MD_SPECIAL.sub(r"\\\1", inert(_SPACE.sub(" ", text).strip()))


def md_snippet(snippet: str) -> str:
    """A matcher snippet (hit marked **bold**) made inert, keeping the bold marks."""
    return md_text(snippet)


def md_link(text: str, url: str | None) -> str:
    label = md_text(text)
    if not url or not url.startswith(("http://", "https://")):
        return label
    safe_url = url.replace(")", "%29").replace(" ", "%20")
    return f"[{label}]({safe_url})"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(when: datetime, tz: str, *, with_date: bool = True) -> str:
    """``01 Feb 2026 11:00 EET`` in the server's timezone."""
    local = when.astimezone(zone(tz))
    fmt = "%d %b %Y %H:%M %Z" if with_date else "%H:%M %Z"
    return local.strftime(fmt)


def _hhmm(text: str) -> time:
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes or 0))


def in_quiet_hours(guild: GuildConfig, now: datetime) -> bool:
    """True when ``now`` falls in the server's quiet hours (local time; may wrap midnight)."""
    if not guild.quiet_start or not guild.quiet_end:
        return False
    start, end = _hhmm(guild.quiet_start), _hhmm(guild.quiet_end)
    local = now.astimezone(zone(guild.timezone)).time().replace(tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_ends_at(guild: GuildConfig, now: datetime) -> datetime:
    """The next end of the quiet hours after ``now`` (an aware datetime)."""
    tz = zone(guild.timezone)
    end = _hhmm(guild.quiet_end or "00:00")
    local = now.astimezone(tz)
    candidate = datetime.combine(local.date(), end, tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=tz)
    return candidate


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def outlets_line(alert: Alert) -> str:
    outlets = alert.outlets or [alert.publisher]
    others = [o for o in outlets if o != alert.publisher]
    count = len(set(outlets))
    if not others:
        return "1 outlet so far"
    return f"also reported by {', '.join(md_text(o) for o in others)} — {count} outlets"


def alert_message(
    alert: Alert, guild: GuildConfig, *, outbox_id: int, version: int, channel_id: int | None
) -> OutgoingMessage:
    topics = [alert.topic] + [t for t in alert.topics if t != alert.topic]
    lines = []
    if alert.snippet:
        lines.append("> " + md_snippet(alert.snippet))
    line = outlets_line(alert)
    lines.append(line[:1].upper() + line[1:])
    return OutgoingMessage(
        dedupe_key=dedupe_key(outbox_id, version),
        outbox_id=outbox_id,
        version=version,
        guild_id=alert.guild_id,
        channel_id=channel_id,
        kind="alert",
        title=inert(alert.title),
        url=alert.url,
        lines=lines,
        fields=[
            MessageField(name="Outlet", value=inert(alert.publisher)),
            MessageField(name="Published", value=local_time(alert.published, guild.timezone)),
            MessageField(name="Topic", value=", ".join(inert(t) for t in topics)),
            MessageField(
                name="Story",
                value=f"#{alert.story_id} · {plural(len(set(alert.outlets or [alert.publisher])), 'outlet')}",
            ),
        ],
        footer=f"story {alert.story_id}"
        + (f" · matched “{inert(alert.alias)}”" if alert.alias else ""),
        ping_role_id=alert.ping_role_id,
        alert_id=alert.id,
        story_id=alert.story_id,
    )


def story_line(alert: Alert, tz: str) -> str:
    count = len(set(alert.outlets or [alert.publisher]))
    return (
        f"• {md_link(alert.title, alert.url)} — {md_text(alert.publisher)}, "
        f"{local_time(alert.published, tz, with_date=False)} · {plural(count, 'outlet')} · story {alert.story_id}"
    )


CatchUp = Literal["held", "channel"] | None
DESK_LABEL_MAX = 100  # a select option's label


def desk_label(alert: Alert) -> str:
    """A story as one option of a combined message's desk menu."""
    text = f"{inert(alert.title)} — {inert(alert.publisher)}"
    return text if len(text) <= DESK_LABEL_MAX else text[: DESK_LABEL_MAX - 1] + "…"


COMBINED_MAX_STORIES = 15  # a combined message lists the best-covered stories; the digest has all


def combined_message(
    alerts: list[Alert],
    guild: GuildConfig,
    *,
    outbox_id: int,
    version: int,
    channel_id: int | None,
    catch_up: CatchUp = None,
) -> OutgoingMessage:
    """Several stories in one message: a burst on one topic, or a catch-up: the alerts that
    waited for the server to set an alert channel (``channel``), or that were held by quiet
    hours or a pause (``held``, oldest first)."""
    topic = alerts[0].topic if alerts else ""
    ping = next((a.ping_role_id for a in alerts if a.ping_role_id), None)
    if catch_up == "held":
        ranked = sorted(alerts, key=lambda a: (a.published, a.id))
    else:
        ranked = sorted(
            alerts,
            key=lambda a: (-len(set(a.outlets or [a.publisher])), -a.published.timestamp()),
        )
    shown = ranked[:COMBINED_MAX_STORIES]
    lines = [story_line(a, guild.timezone) for a in shown]
    if len(ranked) > len(shown):
        lines.append(f"…and {len(ranked) - len(shown)} more: all of them will be in the digest")
    return OutgoingMessage(
        dedupe_key=dedupe_key(outbox_id, version),
        outbox_id=outbox_id,
        version=version,
        guild_id=guild.guild_id,
        channel_id=channel_id,
        kind="combined",
        title={
            "held": f"Catch-up: {len(alerts)} {'story' if len(alerts) == 1 else 'stories'} held "
            "during quiet hours or a pause",
            "channel": f"Catch-up: {len(alerts)} stories from before alerts had a channel",
        }.get(catch_up or "", f"{len(alerts)} new stories on {inert(topic)}"),
        lines=lines,
        footer={
            "held": "held while alerts were quiet or paused: oldest first, in one message",
            "channel": "held until an alert channel was set: combined into one message",
        }.get(catch_up or "", "several stories on one topic at once: combined into one message"),
        ping_role_id=ping,
        stories=[(a.id, desk_label(a)) for a in shown],
    )


def notice_message(
    payload: dict[str, object],
    guild: GuildConfig,
    *,
    outbox_id: int,
    version: int,
    channel_id: int | None,
) -> OutgoingMessage:
    new_state = str(payload.get("new_state", ""))
    title_text = str(payload.get("feed_title") or payload.get("feed_url") or "a feed")
    heading = {
        "failing": "Feed failing",
        "disabled": "Feed disabled",
        "healthy": "Feed recovered",
    }.get(new_state, "Feed status changed")
    lines = [f"{payload.get('old_state', '?')} → {new_state}"]
    if payload.get("reason"):
        lines.append(md_text(singular_counts(str(payload["reason"]))))
    at = payload.get("at")
    if isinstance(at, str):
        from bot.clock import from_iso

        lines.append(f"at {local_time(from_iso(at), guild.timezone)}")
    return OutgoingMessage(
        dedupe_key=dedupe_key(outbox_id, version),
        outbox_id=outbox_id,
        version=version,
        guild_id=guild.guild_id,
        channel_id=channel_id,
        kind="notice",
        title=f"{heading}: {inert(title_text)}",
        url=str(payload.get("feed_url") or "") or None,
        lines=lines,
        footer=f"feed {payload.get('feed_id', '?')}",
    )


def digest_message(
    payload: dict[str, object],
    guild: GuildConfig,
    *,
    outbox_id: int,
    version: int,
    channel_id: int | None,
) -> OutgoingMessage:
    raw_lines = payload.get("lines")
    lines = [str(x) for x in raw_lines] if isinstance(raw_lines, list) else []
    return OutgoingMessage(
        dedupe_key=dedupe_key(outbox_id, version),
        outbox_id=outbox_id,
        version=version,
        guild_id=guild.guild_id,
        channel_id=channel_id,
        kind="digest",
        title=str(payload.get("title", "")),
        lines=lines,
        footer=str(payload.get("footer", "")),
    )
