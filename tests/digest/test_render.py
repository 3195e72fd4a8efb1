"""Digest text: ranked, cited, inert, and split to any limits without cutting a line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.alerts.compose import inert
from bot.digest.builder import build_digest
from bot.digest.render import render_digest, shorten, split_embeds, split_lines
from bot.models import Alert, DigestFact

T0 = datetime(2026, 2, 1, 6, 0, tzinfo=UTC)


def alert(i: int, topic: str, outlets: list[str], minutes: int, **kw: object) -> Alert:
    data: dict[str, object] = {
        "id": i,
        "guild_id": 42,
        "story_id": 100 + i,
        "topic": topic,
        "article_id": i,
        "title": f"Story {i}",
        "url": f"https://news.example/{i}",
        "publisher": outlets[0],
        "published": T0 + timedelta(minutes=minutes),
        "outlets": outlets,
        "status": "delivered",
        "created_at": T0,
        "updated_at": T0,
    }
    data.update(kw)
    return Alert.model_validate(data)


def test_stories_ranked_by_outlets_then_recency_and_cited() -> None:
    digest = build_digest(
        guild_id=42,
        timezone="Europe/Kyiv",
        since=T0 - timedelta(hours=24),
        until=T0 + timedelta(hours=2),
        moved=[
            alert(1, "Donbas", ["Reuters"], 10),
            alert(2, "Donbas", ["AP", "BBC", "DW"], 5),
            alert(3, "Donbas", ["AFP"], 50),
            alert(4, "Security guarantees", ["FT", "Reuters"], 0),
        ],
        facts=[DigestFact(text="Russia controls most of Luhansk.", publisher="FT", published=T0)],
    )
    donbas = digest.sections[0]
    assert donbas.topic == "Donbas"
    assert [ln.story_id for ln in donbas.lines] == [102, 103, 101]
    assert digest.totals.stories == 4 and digest.totals.facts == 1
    assert digest.totals.outlets == 6
    text = "\n".join(render_digest(digest))
    assert (
        "• [Story 2](https://news.example/2) — AP, 01 Feb 2026 08:05 EET · 3 outlets: AP, BBC, DW"
        in text
    )
    assert "**New facts from these stories** (1)" in text and "— FT, 01 Feb 2026 08:00 EET" in text


def test_empty_digest_says_so() -> None:
    digest = build_digest(guild_id=1, timezone="UTC", since=T0, until=T0, moved=[])
    lines = render_digest(digest)
    assert lines[-1] == "Nothing new on your topics since the last digest."


def test_feed_text_in_digest_cannot_ping() -> None:
    evil = alert(
        1,
        "Donbas",
        ["<@123> news"],
        0,
        title="@everyone look <@&456> <#789> @here [x](http://evil)",
    )
    digest = build_digest(guild_id=42, timezone="UTC", since=T0, until=T0, moved=[evil])
    text = "\n".join(render_digest(digest))
    for raw in ("@everyone", "@here", "<@123>", "<@&456>", "<#789>", "[x](http://evil)"):
        assert raw not in text
    assert "@\u200beveryone" in text


def test_inert_breaks_every_mention_form() -> None:
    for raw in ("@everyone", "@here", "<@1>", "<@!1>", "<@&2>", "<#3>"):
        assert raw not in inert(f"a {raw} b")


def test_split_never_cuts_a_line_and_respects_the_limit() -> None:
    lines = [f"line {i} " + "x" * (i * 37 % 300) for i in range(200)]
    chunks = split_lines(lines, 2000)
    assert all(len(c) <= 2000 for c in chunks)
    assert [ln for c in chunks for ln in c.split("\n")] == lines  # every line whole, in order


def test_single_over_long_line_is_shortened_with_ellipsis() -> None:
    long = "word " * 1000
    [chunk] = split_lines([long.strip()], 2000)
    assert len(chunk) <= 2000 and chunk.endswith("…")
    assert shorten("short", 10) == "short"


def test_embed_split_respects_description_total_and_count_limits() -> None:
    lines = ["y" * 900] * 100  # 90,000 characters
    messages = split_embeds(
        lines, description_limit=4096, message_total=6000, embeds_per_message=10
    )
    for embeds in messages:
        assert len(embeds) <= 10
        assert sum(len(d) for d in embeds) <= 6000
        assert all(len(d) <= 4096 for d in embeds)
    assert sum(d.count("y" * 900) for m in messages for d in m) == 100
    tiny = split_embeds(
        ["a"] * 30, description_limit=4096, message_total=6000, embeds_per_message=10
    )
    assert tiny == [["\n".join(["a"] * 30)]]


@given(
    st.lists(st.text(min_size=0, max_size=300).filter(lambda s: "\n" not in s), max_size=60),
    st.integers(min_value=20, max_value=2500),
)
def test_split_property(lines: list[str], limit: int) -> None:
    chunks = split_lines(lines, limit)
    assert all(len(c) <= limit for c in chunks)
    out = [ln for c in chunks for ln in c.split("\n")]
    assert len(out) == len(lines)
    for got, want in zip(out, lines, strict=True):
        assert got == want or (len(want) > limit and got.endswith("…"))


def test_muted_stories_never_lead_and_are_marked() -> None:
    digest = build_digest(
        guild_id=42,
        timezone="Europe/Kyiv",
        since=T0 - timedelta(hours=24),
        until=T0 + timedelta(hours=2),
        moved=[
            alert(1, "Donbas", ["AP", "BBC", "DW"], 5),  # the best covered, but muted
            alert(2, "Donbas", ["Reuters"], 10),
            alert(3, "Crimea", ["AFP", "FT", "DW", "AP"], 0),  # a topic of muted stories only
            alert(4, "Sanctions", ["FT"], 0),
        ],
        muted={101, 103},
    )
    assert [s.topic for s in digest.sections] == ["Donbas", "Sanctions", "Crimea"]
    assert [ln.story_id for ln in digest.sections[0].lines] == [102, 101]
    text = render_digest(digest)
    assert next(ln for ln in text if "Story 1]" in ln).endswith(" · muted")


def test_digest_title_shows_the_minute_it_ran() -> None:
    from bot.digest.render import digest_title

    digest = build_digest(
        guild_id=42,
        timezone="Europe/Kyiv",
        since=T0 - timedelta(hours=24),
        until=T0 - timedelta(seconds=1),  # a run at 08:00:00 Kyiv covers up to 07:59:59
        moved=[],
    )
    assert digest_title(digest) == "Daily digest — 01 Feb 2026 08:00 EET"


def test_a_notice_says_one_consecutive_error() -> None:
    from bot.alerts.compose import notice_message
    from bot.models import GuildConfig

    msg = notice_message(
        {
            "new_state": "failing",
            "old_state": "healthy",
            "reason": "1 consecutive errors; last: HTTP 500",
        },
        GuildConfig(guild_id=42, timezone="Europe/Kyiv"),
        outbox_id=1,
        version=1,
        channel_id=7,
    )
    assert "1 consecutive error;" in msg.as_text() and "errors" not in msg.as_text()


def test_a_seven_day_sparkline_per_beat() -> None:
    from bot.digest.builder import trends
    from bot.present.text import sparkline

    until = datetime(2026, 2, 7, 21, 30, tzinfo=UTC)  # 23:30 on 7 Feb in Kyiv
    times = [
        ("Donbas", datetime(2026, 2, 7, 21, 0, tzinfo=UTC)),
        ("Donbas", datetime(2026, 2, 7, 22, 30, tzinfo=UTC)),  # 8 Feb in Kyiv: after until's day
        ("Donbas", datetime(2026, 2, 1, 8, 0, tzinfo=UTC)),
        ("Donbas", datetime(2026, 2, 4, 8, 0, tzinfo=UTC)),
        ("Donbas", datetime(2026, 2, 4, 9, 0, tzinfo=UTC)),
        ("Crimea", datetime(2026, 1, 20, 8, 0, tzinfo=UTC)),  # older than the week
    ]
    week = trends(times, until, "Europe/Kyiv")
    assert week == {"Donbas": [1, 0, 0, 2, 0, 0, 1]}
    assert sparkline(week["Donbas"]) == "▅▁▁█▁▁▅"
    assert sparkline([0, 0]) == "▁▁" and sparkline([]) == ""
    digest = build_digest(
        guild_id=42,
        timezone="Europe/Kyiv",
        since=T0,
        until=until,
        moved=[alert(1, "Donbas", ["AP"], 5)],
        trend=week,
    )
    assert "**Donbas** (1 story) · `▅▁▁█▁▁▅` 7 days" in render_digest(digest)
