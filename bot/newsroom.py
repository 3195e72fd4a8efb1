"""One server's newsroom settings and state, for every surface (slash commands, console, CLI).

The one place that validates and writes a server's settings (alert channel, pause, quiet hours,
digest schedule, newsroom role; storage is ``bot.storage.guilds``) and that reads what
``/status`` shows (:func:`snapshot`). Errors meant for users are ``UserFacingError`` sentences.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import UserFacingError
from bot.models import FeedStatus, GuildConfig
from bot.services import Services
from bot.storage import counts, guilds

log = logging.getLogger(__name__)

_HHMM = re.compile(r"^\s*(\d{1,2})(?::|h|\.)?(\d{2})?\s*$")
OFF = frozenset({"off", "none", "-"})


def parse_hhmm(text: str, what: str = "time") -> str:
    """'8', '08:00', '8:30', '0830', '20h15' -> 'HH:MM' (24-hour)."""
    match = _HHMM.match(text or "")
    if match:
        hours, minutes = int(match.group(1)), int(match.group(2) or 0)
        if hours < 24 and minutes < 60:
            return f"{hours:02d}:{minutes:02d}"
    raise UserFacingError(f"{what} must be a 24-hour time like 08:00 or 22:30, not {text!r}")


def parse_timezone(text: str) -> str:
    name = (text or "").strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UserFacingError(
            f"unknown timezone {name!r}; use an IANA name like Europe/Kyiv or America/New_York"
        ) from exc
    return name


async def update(services: Services, guild_id: int, **changes: Any) -> GuildConfig:
    async with services.db.transaction() as tx:
        await guilds.ensure_guild(
            tx,
            guild_id,
            services.clock,
            timezone=services.settings.default_timezone,
            digest_time=services.settings.default_digest_time,
        )
        await guilds.update_guild(tx, guild_id, **changes)
        config = await guilds.get_guild(tx, guild_id)
    assert config is not None
    return config


async def current(services: Services, guild_id: int) -> GuildConfig:
    config = await guilds.get_guild(services.db.reader, guild_id)
    if config is None:
        return await update(services, guild_id)
    return config


async def set_alert_channel(services: Services, guild_id: int, channel_id: int) -> int:
    """Alerts go to ``channel_id`` from now on; returns how many messages were waiting for a
    channel (they are posted there by the next delivery)."""
    waiting = (await services.alerts.backlog(guild_id))["waiting_channel"]
    await update(services, guild_id, alert_channel_id=channel_id)
    return waiting


async def set_paused(services: Services, guild_id: int, paused: bool) -> GuildConfig:
    return await update(services, guild_id, alerts_paused=1 if paused else 0)


async def set_quiet_hours(services: Services, guild_id: int, start: str, end: str) -> GuildConfig:
    """Quiet hours ``start``-``end`` (server time), or off when ``start`` is off/none/-."""
    if start.strip().lower() in OFF:
        return await update(services, guild_id, quiet_start=None, quiet_end=None)
    begin, finish = parse_hhmm(start, "from"), parse_hhmm(end, "to")
    if begin == finish:
        raise UserFacingError("Quiet hours need two different times (or `from: off`).")
    return await update(services, guild_id, quiet_start=begin, quiet_end=finish)


async def schedule_digest(
    services: Services, guild_id: int, time: str, timezone: str, channel_id: int | None = None
) -> GuildConfig:
    changes: dict[str, Any] = {
        "digest_time": parse_hhmm(time, "time"),
        "timezone": parse_timezone(timezone),
    }
    if channel_id is not None:
        changes["digest_channel_id"] = channel_id
    return await update(services, guild_id, **changes)


async def digest_now(
    services: Services, guild_id: int, fallback_channel: int | None = None
) -> tuple[int | None, int | None]:
    """Queue the digest since the last one (posted by delivery, recorded as a run). Returns
    (parts queued - 0 when there was nothing new -, or None when the same digest was queued a
    moment ago; the target channel)."""
    queued = await services.digests.post_now(
        guild_id, services.clock.now(), channel_id=fallback_channel
    )
    if queued is None:
        return None, None
    _digest, parts = queued
    if parts:
        log.info("event=digest_now_queued guild=%s parts=%s", guild_id, parts)
    config = await current(services, guild_id)
    return parts, config.digest_channel_id or config.alert_channel_id or fallback_channel


async def set_newsroom_role(services: Services, guild_id: int, role_id: int | None) -> None:
    if role_id is not None and role_id == guild_id:
        raise UserFacingError(
            "@everyone cannot be the newsroom role: pick a role your editors have."
        )
    await update(services, guild_id, newsroom_role_id=role_id)


@dataclass(frozen=True)
class Snapshot:
    """What ``/status`` shows for one server."""

    now: datetime
    config: GuildConfig | None
    tables: dict[str, int]
    feeds: list[FeedStatus]
    backlog: dict[str, int]
    problems: str


async def snapshot(services: Services, guild_id: int) -> Snapshot:
    from bot.ops import problems

    return Snapshot(
        now=services.clock.now(),
        config=await guilds.get_guild(services.db.reader, guild_id),
        tables=await counts.table_counts(services.db.reader),
        feeds=await services.feeds.status(guild_id),
        backlog=await services.alerts.backlog(guild_id),
        problems=problems.summary(),
    )
