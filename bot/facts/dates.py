"""Dates in a sentence, relative ones ("last Tuesday", "two weeks ago") resolved against the
article's publication date. Pure functions."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.facts.quantities import parse_number

_MONTHS = {name.casefold(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.casefold(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_RE = (
    r"(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_WEEKDAYS = {name.casefold(): i for i, name in enumerate(calendar.day_name)}
_FUTURE = re.compile(
    r"\b(will|would|plans?|planned|planning|set to|scheduled|expected|ahead of|next|due to|"
    r"is to|are to|going to|aims? to|upcoming)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class DateRef:
    day: date
    precision: str  # day | week | weekend | month | year
    text: str
    relative: bool
    start: int
    end: int

    def to_json(self) -> dict[str, object]:
        return {
            "date": self.day.isoformat(),
            "precision": self.precision,
            "text": self.text,
            "relative": self.relative,
        }


def _closest_year(month: int, day: int, published: date) -> date | None:
    best: date | None = None
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((candidate - published).days) < abs((best - published).days):
            best = candidate
    return best


def _weekday(target: int, published: date, future: bool) -> date:
    delta = (target - published.weekday()) % 7
    if future:
        return published + timedelta(days=delta)
    return published - timedelta(days=(published.weekday() - target) % 7)


def _month_shift(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "md",
        re.compile(rf"\b{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+((?:19|20)\d\d)\b)?"),
    ),
    (
        "dm",
        re.compile(
            rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE}\b(?:,?\s+((?:19|20)\d\d)\b)?"
        ),
    ),
    ("my", re.compile(rf"\b(?:(?:early|mid|late)[\s-]+)?{_MONTH_RE}\s+((?:19|20)\d\d)\b")),
    ("iso", re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")),
    (
        "lastmonth",
        re.compile(
            rf"\b(last|this|next|in|since|until|by|early|late|mid)[\s-]+{_MONTH_RE}\b(?!\s+\d)"
        ),
    ),
    (
        "weekday",
        re.compile(
            r"\b(?:(last|next|this|on|late on|early on|since|by|until)\s+)?"
            r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:'s|’s)?\b"
        ),
    ),
    (
        "rel",
        re.compile(
            r"\b(yesterday|today|tomorrow|tonight|last night|this morning|"
            r"(?:over|at|during)?\s*(?:the|this|last)\s+weekend|"
            r"(?:earlier|later)?\s*this\s+(?:week|month|year)|"
            r"(?:last|next|past|previous|coming)\s+(?:week|month|year)|"
            r"(?:a|one|two|three|\d+)\s+(?:days?|weeks?|months?)\s+ago)\b",
            re.I,
        ),
    ),
    (
        "year",
        re.compile(r"(?<![$€£\d.,])\b((?:19|20)\d\d)\b(?!\s*(?:%|per\s*cent|km|people|troops))"),
    ),
]


_DIGIT = re.compile(r"\d")
_MONTH_GATE = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)")
_REL_WORDS = ("yesterday", "today", "tomorrow", "night", "morning", "week", "month", "year", "ago")


def find_dates(text: str, published: date) -> list[DateRef]:
    """Absolute and relative dates in ``text``, resolved against ``published``."""
    out: list[DateRef] = []
    spans: list[tuple[int, int]] = []
    future = bool(_FUTURE.search(text))

    def add(d: date | None, precision: str, m: re.Match[str], relative: bool) -> None:
        if d is None or any(s < m.end() and m.start() < e for s, e in spans):
            return
        out.append(DateRef(d, precision, m.group(0).strip(), relative, m.start(), m.end()))
        spans.append((m.start(), m.end()))

    lowered = text.casefold()
    has_month = bool(_MONTH_GATE.search(text))
    has_digit = _DIGIT.search(text) is not None
    for kind, pattern in _DATE_PATTERNS:
        if kind in ("md", "dm", "my", "lastmonth") and not has_month:
            continue
        if kind in ("iso", "year") and not has_digit:
            continue
        if kind == "weekday" and "day" not in lowered:
            continue
        if kind == "rel" and not any(w in lowered for w in _REL_WORDS):
            continue
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in spans):
                continue
            if kind == "md":
                month, day, year = _MONTHS[m.group(1).casefold()], int(m.group(2)), m.group(3)
                if m.group(1) == "May" and not year and day > 31:
                    continue
                if year:
                    try:
                        add(date(int(year), month, day), "day", m, False)
                    except ValueError:
                        pass
                else:
                    add(_closest_year(month, day, published), "day", m, False)
            elif kind == "dm":
                day, month, year = int(m.group(1)), _MONTHS[m.group(2).casefold()], m.group(3)
                try:
                    d = (
                        date(int(year), month, day)
                        if year
                        else _closest_year(month, day, published)
                    )
                except ValueError:
                    d = None
                add(d, "day", m, False)
            elif kind == "my":
                add(date(int(m.group(2)), _MONTHS[m.group(1).casefold()], 1), "month", m, False)
            elif kind == "iso":
                try:
                    add(date(int(m.group(1)), int(m.group(2)), int(m.group(3))), "day", m, False)
                except ValueError:
                    pass
            elif kind == "lastmonth":
                word, month = m.group(1).casefold(), _MONTHS[m.group(2).casefold()]
                if m.group(2) == "May" and word in ("in", "by"):
                    continue
                year = published.year
                if word == "next" or (word in ("until", "by") and month >= published.month):
                    year = published.year if month >= published.month else published.year + 1
                elif month > published.month or (word == "last" and month == published.month):
                    year -= 1
                add(date(year, month, 1), "month", m, True)
            elif kind == "weekday":
                word = (m.group(1) or "").casefold()
                target = _WEEKDAYS[m.group(2).casefold()]
                ahead = word in ("next", "until", "by") or (word != "last" and future)
                d = _weekday(target, published, ahead)
                if word == "last" and d == published:
                    d -= timedelta(days=7)
                add(d, "day", m, True)
            elif kind == "rel":
                add(*_relative(m.group(0).strip().casefold(), published), m, True)
            elif kind == "year":
                add(date(int(m.group(1)), 1, 1), "year", m, False)
    out.sort(key=lambda d: d.start)
    return out


def _relative(phrase: str, published: date) -> tuple[date | None, str]:
    words = phrase.split()
    if phrase in ("today", "tonight", "this morning"):
        return published, "day"
    if phrase in ("yesterday", "last night"):
        return published - timedelta(days=1), "day"
    if phrase == "tomorrow":
        return published + timedelta(days=1), "day"
    if "weekend" in phrase:
        # the weekend before publication (its Saturday); "this weekend" on a weekday is the next one
        back = (published.weekday() - 5) % 7
        saturday = published - timedelta(days=back)
        if words[-2] == "this" and published.weekday() < 5:
            saturday += timedelta(days=7)
        return saturday, "weekend"
    if phrase.endswith("ago"):
        n = parse_number(words[0]) or 1
        unit = words[1].rstrip("s")
        if unit == "day":
            return published - timedelta(days=n), "day"
        if unit == "week":
            return published - timedelta(weeks=n), "week"
        return _month_shift(published, -int(n)), "month"
    unit = words[-1]
    shift = {"last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1}.get(words[-2], 0)
    if unit == "week":
        return published + timedelta(weeks=shift), "week"
    if unit == "month":
        return _month_shift(published, shift), "month"
    return date(published.year + shift, 1, 1), "year"
