"""The posted digest as text lines (Discord-flavoured markdown, no discord import) + splitters.

The splitters take the limits as parameters (the Discord shell passes 2,000 characters per
message content, 4,096 per embed description, 6,000 per message across embeds, 10 embeds per
message). They never cut a line in half: lines are packed whole; a single line longer than the
limit is shortened with an ellipsis.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.alerts.compose import local_time, md_link, md_text
from bot.models import Digest, DigestFact, DigestLine
from bot.present.text import chunks, clip, sparkline

FACT_CHARS = 300


shorten = clip  # a line cut at a word boundary with an ellipsis (bot.present.text)


def split_lines(lines: Sequence[str], max_chars: int) -> list[str]:
    """Pack whole lines into chunks of at most ``max_chars`` characters (joined by newlines)."""
    return chunks(lines, max_chars)


def split_embeds(
    lines: Sequence[str],
    *,
    description_limit: int = 4096,
    message_total: int = 6000,
    embeds_per_message: int = 10,
) -> list[list[str]]:
    """Messages -> embed descriptions: each description within ``description_limit``, each
    message's descriptions together within ``message_total`` and at most ``embeds_per_message``."""
    per_embed = min(description_limit, message_total)
    messages: list[list[str]] = []
    current: list[str] = []
    total = 0
    for desc in split_lines(lines, per_embed):
        if current and (total + len(desc) > message_total or len(current) >= embeds_per_message):
            messages.append(current)
            current, total = [], 0
        current.append(desc)
        total += len(desc)
    if current:
        messages.append(current)
    return messages


def _outlets(line: DigestLine) -> str:
    count = len(line.outlets)
    if count <= 1:
        return "1 outlet"
    shown = ", ".join(md_text(o) for o in line.outlets[:4])
    more = f" +{count - 4}" if count > 4 else ""
    return f"{count} outlets: {shown}{more}"


def story_line(line: DigestLine, tz: str) -> str:
    return (
        f"• {md_link(line.title, line.url)} — {md_text(line.publisher)}, "
        f"{local_time(line.published, tz)} · {_outlets(line)}" + (" · muted" if line.muted else "")
    )


def fact_line(fact: DigestFact, tz: str) -> str:
    text = shorten(" ".join(fact.text.split()), FACT_CHARS)
    source = md_link(fact.publisher, fact.url) if fact.url else md_text(fact.publisher)
    return f"• “{md_text(text)}” — {source}, {local_time(fact.published, tz)}"


def digest_title(digest: Digest) -> str:
    """The title names the minute the digest ran: a period ends one second before its run
    (08:00:00 -> until 07:59:59), so that second is added back before the time is shown."""
    shown = digest.until + timedelta(seconds=1)
    return f"Daily digest — {local_time(shown, digest.timezone)}"


def render_digest(digest: Digest) -> list[str]:
    """The digest as lines (headings, one cited line per story/fact, totals)."""
    tz = digest.timezone
    t = digest.totals
    lines = [
        f"Since {local_time(digest.since, tz)}: {t.stories} "
        f"{'story' if t.stories == 1 else 'stories'} from {t.outlets} "
        f"{'outlet' if t.outlets == 1 else 'outlets'}, "
        f"{t.facts} new {'fact' if t.facts == 1 else 'facts'}"
        + (f", {t.held} held back from alerts" if t.held else "")
        + "."
    ]
    if not digest.sections and not digest.held and not digest.facts:
        lines.append("Nothing new on your topics since the last digest.")
        return lines
    for section in digest.sections:
        count = len(section.lines) + section.more
        lines.append("")
        lines.append(
            f"**{md_text(section.topic)}** ({count} {'story' if count == 1 else 'stories'})"
            + (f" · `{sparkline(section.trend)}` 7 days" if section.trend else "")
        )
        lines.extend(story_line(line, tz) for line in section.lines)
        if section.more:
            lines.append(f"…and {section.more} more")
    if digest.held:
        lines.append("")
        # quiet hours, paused alerts, or no alert channel until too late to post them
        lines.append(f"**Held back from alerts** ({len(digest.held)})")
        lines.extend(f"{story_line(line, tz)} · {md_text(line.topic)}" for line in digest.held)
    if digest.facts:
        lines.append("")
        lines.append(f"**New facts from these stories** ({len(digest.facts)})")
        lines.extend(fact_line(f, tz) for f in digest.facts)
    return lines
