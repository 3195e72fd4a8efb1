"""Dates are shown at the precision the source gave: "since 2014" is 2014, not 01 Jan 2014."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.cli.render import as_text
from bot.discord.render import to_discord
from bot.models import Timeline, TimelineEntry
from bot.present.dates import as_given
from bot.present.timeline import timeline_reply
from bot.services import Services

NOON = datetime(2025, 8, 16, 12, tzinfo=UTC)


def test_each_precision_reads_as_given() -> None:
    assert as_given(datetime(2014, 1, 1, 12, tzinfo=UTC), "year") == "2014"
    assert as_given(datetime(2025, 8, 1, 12, tzinfo=UTC), "month") == "August 2025"
    assert as_given(NOON, "day") == "16 Aug 2025"
    assert as_given(NOON, "weekend") == "weekend of 16 Aug 2025"
    assert as_given(datetime(2025, 8, 11, 12, tzinfo=UTC), "week") == "week of 11 Aug 2025"
    # a named day stays that day in any timezone; a publication time is shown in the server's
    assert as_given(NOON, "day", "Pacific/Kiritimati") == "16 Aug 2025"
    late = datetime(2025, 8, 16, 22, tzinfo=UTC)
    assert as_given(late, "time", "Europe/Kyiv") == "17 Aug 2025"


def test_timeline_reply_invents_no_day() -> None:
    timeline = Timeline(
        guild_id=1,
        topic="Donbas",
        timezone="Europe/Kyiv",
        entries=[
            TimelineEntry(
                when=datetime(2014, 1, 1, 12, tzinfo=UTC),
                precision="year",
                kind="fact",
                text="The Donbas has been a defensive bulwark since 2014.",
                publisher="FT",
            ),
            TimelineEntry(
                when=NOON, kind="story", text="Talks end in Alaska", publisher="Wire", outlets=2
            ),
        ],
    )
    reply = timeline_reply(timeline)
    text = as_text(reply)
    assert "2014 •" in text and "01 Jan 2014" not in text
    assert "16 Aug 2025 📰 Talks end in Alaska" in text
    description = to_discord(reply).embeds[0].description or ""
    assert description.startswith("**2014** • ") and "01 Jan" not in description


async def test_the_seed_timeline_keeps_the_years_and_months_of_its_sources(
    services: Services,
) -> None:
    timeline = await services.digests.timeline(0, "Donbas")
    facts = [e for e in timeline.entries if e.kind == "fact"]
    assert {e.precision for e in facts} >= {"year", "month"}
    text = as_text(timeline_reply(timeline))
    assert "\n2014 • " in text and "01 Jan 2014" not in text and "August 2025 • " in text
