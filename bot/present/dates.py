"""Dates as readers see them: in the server's timezone, at the precision the source gave."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def day(dt: datetime, tz: str | None = None) -> str:
    """``16 Aug 2025`` (in ``tz`` when given)."""
    local = dt.astimezone(zone(tz)) if tz else dt
    return local.strftime("%d %b %Y")


def stamp(dt: datetime, tz: str | None = None) -> str:
    """``01 Feb 2026 10:00 EET``: a full local time (as the posted digest shows it)."""
    return dt.astimezone(zone(tz)).strftime("%d %b %Y %H:%M %Z")
