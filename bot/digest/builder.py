"""Building a digest: values in, ``Digest`` out (pure; no I/O, no clock).

Per topic, the stories that moved in the period (alert created or updated), ranked by outlet
count, then recency (a story an editor muted comes after the others, and a topic of muted
stories only after the other topics); alerts held (quiet hours, a pause, no channel until too late) in their
own section; new facts; totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.models import (
    Alert,
    DatePrecision,
    Digest,
    DigestFact,
    DigestLine,
    DigestSection,
    DigestTotals,
    Timeline,
    TimelineEntry,
)

MAX_PER_TOPIC = 10
TREND_DAYS = 7


def trends(
    times: Sequence[tuple[str, datetime]], until: datetime, timezone: str, days: int = TREND_DAYS
) -> dict[str, list[int]]:
    """Per topic, its new stories per local day (the server's timezone) over the ``days`` days
    ending with the day of ``until``, oldest first."""
    try:
        tz = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    last = until.astimezone(tz).date()
    out: dict[str, list[int]] = {}
    for topic, at in times:
        age = (last - at.astimezone(tz).date()).days
        if 0 <= age < days:
            out.setdefault(topic, [0] * days)[days - 1 - age] += 1
    return out


def digest_line(alert: Alert, muted: bool = False) -> DigestLine:
    return DigestLine(
        muted=muted,
        story_id=alert.story_id,
        topic=alert.topic,
        title=alert.title,
        url=alert.url,
        publisher=alert.publisher,
        published=alert.published,
        outlets=list(dict.fromkeys(alert.outlets or [alert.publisher])),
        article_count=alert.article_count,
    )


def rank(lines: Sequence[DigestLine]) -> list[DigestLine]:
    """Unmuted first; then most outlets, then the most recent."""
    return sorted(
        lines,
        key=lambda ln: (ln.muted, -len(ln.outlets), -ln.published.timestamp(), ln.story_id),
    )


def build_digest(
    *,
    guild_id: int,
    timezone: str,
    since: datetime,
    until: datetime,
    moved: Sequence[Alert],
    held: Sequence[Alert] = (),
    facts: Sequence[DigestFact] = (),
    facts_total: int | None = None,
    max_per_topic: int = MAX_PER_TOPIC,
    muted: frozenset[int] | set[int] = frozenset(),
    trend: dict[str, list[int]] | None = None,
) -> Digest:
    """``moved``: alerts created/updated in the period; ``held``: alerts held for the digest;
    ``facts``: the new facts to show; ``facts_total``: how many facts are new in all;
    ``muted``: the stories an editor muted in this server (they never lead); ``trend``: per
    topic, its stories per day over the last week (:func:`trends`)."""
    held_ids = {a.id for a in held}
    by_topic: dict[str, list[DigestLine]] = {}
    for alert in moved:
        if alert.id in held_ids or alert.status == "held":
            continue
        by_topic.setdefault(alert.topic, []).append(digest_line(alert, alert.story_id in muted))
    sections = []
    for topic, lines in by_topic.items():
        ranked = rank(lines)
        sections.append(
            DigestSection(
                topic=topic,
                lines=ranked[:max_per_topic],
                more=max(0, len(ranked) - max_per_topic),
                trend=(trend or {}).get(topic, []),
            )
        )
    sections.sort(
        key=lambda s: (
            all(ln.muted for ln in s.lines),
            -(len(s.lines) + s.more),
            s.topic.casefold(),
        )
    )
    held_lines = rank([digest_line(a, a.story_id in muted) for a in held])
    every = [*(ln for s in sections for ln in s.lines), *held_lines]
    stories = {ln.story_id for ln in every} | {
        a.story_id for a in moved if a.id not in held_ids and a.status != "held"
    }
    totals = DigestTotals(
        stories=len(stories),
        articles=sum(ln.article_count for ln in every),
        outlets=len({o for ln in every for o in ln.outlets}),
        facts=len(facts) if facts_total is None else max(facts_total, len(facts)),
        held=len(held_lines),
    )
    return Digest(
        guild_id=guild_id,
        timezone=timezone,
        since=since,
        until=until,
        sections=sections,
        held=held_lines,
        facts=list(facts),
        totals=totals,
    )


def build_timeline(
    *,
    guild_id: int,
    topic: str,
    timezone: str,
    alerts: Sequence[Alert],
    facts: Sequence[tuple[datetime, DatePrecision, DigestFact]],
) -> Timeline:
    """Stories of the topic and its dated facts, oldest first.

    ``facts``: (the date the fact is about, or its article's date; how exactly the source dated
    it; the fact).
    """
    entries = [
        TimelineEntry(
            when=a.published,
            kind="story",
            text=a.title,
            publisher=a.publisher,
            url=a.url,
            story_id=a.story_id,
            outlets=len(set(a.outlets or [a.publisher])),
        )
        for a in alerts
    ]
    entries += [
        TimelineEntry(
            when=when,
            precision=precision,
            kind="fact",
            text=f.text,
            publisher=f.publisher,
            url=f.url,
        )
        for when, precision, f in facts
    ]
    entries.sort(key=lambda e: (e.when, 0 if e.kind == "story" else 1))
    return Timeline(guild_id=guild_id, topic=topic, timezone=timezone, entries=entries)
