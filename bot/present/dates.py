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


def as_given(dt: datetime, precision: str, tz: str | None = None) -> str:
    """A date at the precision its source gave, never a day it did not name: "2014",
    "August 2025", "week of 11 Aug 2025", "weekend of 16 Aug 2025", "16 Aug 2025". A date the
    source named (not a publication time) is shown as named, in no timezone."""
    if precision == "time":
        return day(dt, tz)
    named = dt.date()
    if precision == "year":
        return f"{named.year}"
    if precision == "month":
        return named.strftime("%B %Y")
    if precision in ("week", "weekend"):
        return f"{precision} of {named.strftime('%d %b %Y')}"
    return named.strftime("%d %b %Y")


def stamp(dt: datetime, tz: str | None = None) -> str:
    """``01 Feb 2026 10:00 EET``: a full local time (as the posted digest shows it)."""
    return dt.astimezone(zone(tz)).strftime("%d %b %Y %H:%M %Z")
