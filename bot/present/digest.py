"""``/digest preview|now|schedule``: what the digest would say now, and its schedule.

The posted digest goes through the alerts outbox (``bot.digest.render``); the preview is built
here from the same ``Digest`` value.
"""

from __future__ import annotations

from datetime import timedelta

from bot.models import Digest, DigestFact, DigestLine, GuildConfig
from bot.present.dates import stamp
from bot.present.reply import (
    ChannelRef,
    Code,
    Line,
    Link,
    Quote,
    Reply,
    Section,
    Strong,
    line,
    say,
)
from bot.present.text import clip, one_line, plural, sparkline

FACT_CHARS = 300


def _outlets(item: DigestLine) -> str:
    count = len(item.outlets)
    if count <= 1:
        return "1 outlet"
    more = f" +{count - 4}" if count > 4 else ""
    return f"{count} outlets: {', '.join(item.outlets[:4])}{more}"


def story_line(item: DigestLine, tz: str) -> Line:
    return (
        "• ",
        Link(item.title, item.url),
        f" — {item.publisher}, {stamp(item.published, tz)} · {_outlets(item)}"
        + (" · muted" if item.muted else ""),
    )


def fact_line(fact: DigestFact, tz: str) -> Line:
    source = Link(fact.publisher, fact.url) if fact.url else fact.publisher
    return (
        "• ",
        Quote(clip(one_line(fact.text), FACT_CHARS)),
        " — ",
        source,
        f", {stamp(fact.published, tz)}",
    )


def digest_lines(digest: Digest) -> list[Line]:
    tz, t = digest.timezone, digest.totals
    lines: list[Line] = [
        (
            f"Since {stamp(digest.since, tz)}: {plural(t.stories, 'story', 'stories')} from "
            f"{plural(t.outlets, 'outlet')}, {t.facts} new {'fact' if t.facts == 1 else 'facts'}"
            + (f", {t.held} held back from alerts" if t.held else "")
            + ".",
        )
    ]
    if not digest.sections and not digest.held and not digest.facts:
        return [*lines, ("Nothing new on your topics since the last digest.",)]
    for section in digest.sections:
        count = len(section.lines) + section.more
        trend = (" · ", Code(sparkline(section.trend)), " 7 days") if section.trend else ()
        lines += [
            ("",),
            (Strong(section.topic), f" ({plural(count, 'story', 'stories')})", *trend),
        ]
        lines += [story_line(item, tz) for item in section.lines]
        if section.more:
            lines.append((f"…and {section.more} more",))
    if digest.held:
        lines += [("",), (Strong("Held back from alerts"), f" ({len(digest.held)})")]
        lines += [(*story_line(item, tz), f" · {item.topic}") for item in digest.held]
    if digest.facts:
        lines += [("",), (Strong("New facts from these stories"), f" ({len(digest.facts)})")]
        lines += [fact_line(f, tz) for f in digest.facts]
    return lines


def preview(digest: Digest) -> Reply:
    return Reply(
        sections=(
            Section(
                # a run's period ends the second before it ran (bot.digest.render.digest_title)
                title=f"Daily digest — {stamp(digest.until + timedelta(seconds=1), digest.timezone)}",
                lines=tuple(digest_lines(digest)),
                spill=True,
            ),
        )
    )


def queued(parts: int | None, target: int | None) -> Reply:
    """``parts`` None: the same digest was queued a moment ago; 0: nothing new, nothing queued."""
    if parts is None:
        return say("That digest was just queued; it is on its way.")
    if parts == 0:
        return say("Nothing new on your topics since the last digest: nothing was posted.")
    return say(
        line(
            f"Digest queued ({plural(parts, 'part')})",
            " for " if target else None,
            ChannelRef(target) if target else None,
            ". The daily digest still runs at its time and covers what comes after this one.",
        )
    )


def scheduled(config: GuildConfig) -> Reply:
    target = config.digest_channel_id or config.alert_channel_id
    return say(
        line(
            f"Daily digest at {config.digest_time} {config.timezone}",
            " in " if target else " (no channel yet: set one here or with /alerts channel)",
            ChannelRef(target) if target else None,
            ".",
        )
    )
