"""Per-server settings changed from slash commands (alert channel, pause, quiet hours, digest).

Validation gives ``UserFacingError`` sentences; storage is ``bot.storage.guilds``.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import UserFacingError
from bot.models import GuildConfig
from bot.services import Services
from bot.storage import guilds

_HHMM = re.compile(r"^\s*(\d{1,2})(?::|h|\.)?(\d{2})?\s*$")


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
