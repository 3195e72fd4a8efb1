"""``/timeline topic``: a topic's stories and dated facts, oldest first, each cited."""

from __future__ import annotations

from bot.models import Timeline, TimelineEntry
from bot.present.dates import as_given
from bot.present.reply import Line, Link, Reply, Section, Strong
from bot.present.text import clip, one_line

MAX_ENTRY_CHARS = 280


def entry_line(entry: TimelineEntry, tz: str) -> Line:
    extra = f" · {entry.outlets} outlets" if entry.kind == "story" and entry.outlets > 1 else ""
    icon = "📰" if entry.kind == "story" else "•"
    return (
        Strong(as_given(entry.when, entry.precision, tz)),
        f" {icon} {clip(one_line(entry.text), MAX_ENTRY_CHARS)} — ",
        Link(entry.publisher or "source", entry.url),
        extra,
    )


def timeline_reply(timeline: Timeline) -> Reply:
    lines = [entry_line(e, timeline.timezone) for e in timeline.entries]
    return Reply(
        sections=(
            Section(
                title=f"Timeline: {timeline.topic}",
                lines=tuple(lines) or (("Nothing dated on this topic in my sources yet.",),),
                spill=True,
            ),
        ),
        ephemeral=False,
    )
