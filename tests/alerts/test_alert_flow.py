"""What a newsroom sees: one alert per story, edits instead of reposts, bursts combined."""

from __future__ import annotations

from datetime import timedelta

from bot.alerts.transport import PermanentDeliveryError, TransientDeliveryError
from tests.alerts.conftest import CHANNEL, NEWSROOM, Newsroom
from tests.alerts.standins import article

HOLD = 20  # settings.alert_hold_seconds default


async def test_matching_article_is_posted_once_with_its_details(newsroom: Newsroom) -> None:
    await newsroom.arrive(
        article("Shelling in Donetsk overnight", "Reuters", url="https://reuters.example/a"),
        article("Weather in Lviv", "Reuters"),
    )
    assert (await newsroom.deliver()).sent == 0  # held briefly so a burst can be combined
    report = await newsroom.deliver(HOLD)
    posts = newsroom.posts()
    assert len(posts) == 1 and report.sent >= 1
    msg = posts[0]
    assert msg.channel_id == CHANNEL
    assert msg.title == "Shelling in Donetsk overnight" and msg.url == "https://reuters.example/a"
    fields = {f.name: f.value for f in msg.fields}
    assert fields["Outlet"] == "Reuters"
    assert fields["Published"] == "01 Feb 2026 11:00 EET"  # 09:00 UTC in Kyiv
    assert fields["Topic"] == "Donbas"
    assert fields["Story"].startswith("#") and "1 outlet" in fields["Story"]
    assert any("**Donetsk**" in line for line in msg.lines)
    assert msg.ping_role_id is None and msg.allowed_role_ids == []
    # nothing more to send: delivering again posts nothing
    await newsroom.deliver(600)
    assert len(newsroom.posts()) == 1


async def test_console_newsroom_always_gets_alerts(newsroom: Newsroom) -> None:
    await newsroom.arrive(article("Donbas talks resume", "AP"))
    await newsroom.deliver(HOLD)
    assert len(newsroom.posts(guild_id=0)) == 1


async def test_baseline_poll_stores_but_never_alerts(newsroom: Newsroom) -> None:
    stored = await newsroom.arrive(article("Donbas front line report", "BBC"), baseline=True)
    assert stored and stored[0].id is not None
    await newsroom.deliver(HOLD)
    assert newsroom.transport.posted == []


async def test_later_article_of_same_story_edits_the_alert(newsroom: Newsroom) -> None:
    await newsroom.arrive(article("Ukraine security guarantees draft agreed", "Reuters"))
    await newsroom.deliver(HOLD)
    assert len(newsroom.posts()) == 1
    await newsroom.arrive(article("Ukraine security guarantees draft agreed", "Kyiv Independent"))
    report = await newsroom.deliver(1)
    assert report.edited == 2  # the newsroom and the console
    await newsroom.arrive(article("Ukraine security guarantees draft agreed", "AFP"))
    await newsroom.deliver(1)
    posts = newsroom.posts()
    assert len(posts) == 1, "a later article of the story must not post again"
    text = posts[0].as_text()
    assert "Also reported by Kyiv Independent, AFP — 3 outlets" in text
    assert "#1 · 3 outlets" in text
    # the same outlet again changes nothing: no extra edit
    await newsroom.arrive(article("Ukraine security guarantees draft agreed", "AFP"))
    assert (await newsroom.deliver(1)).edited == 0


async def test_outlet_folded_into_alert_not_yet_sent(newsroom: Newsroom) -> None:
    await newsroom.arrive(article("Donbas ceasefire line proposed", "Reuters"))
    await newsroom.arrive(article("Donbas ceasefire line proposed", "BBC", minutes=1))
    await newsroom.deliver(HOLD)
    posts = newsroom.posts()
    assert len(posts) == 1
    assert "Also reported by BBC — 2 outlets" in posts[0].as_text()
    assert newsroom.transport.posted[0].edits == []


async def test_article_without_topic_words_still_updates_its_story(newsroom: Newsroom) -> None:
    first = article("Talks on Donbas", "Reuters", summary="Envoys met in Geneva.")
    await newsroom.arrive(first)
    await newsroom.deliver(HOLD)
    # same story (same headline in the stand-in), the topic word only in the first one's text
    await newsroom.arrive(article("Talks on Donbas", "DW"))
    await newsroom.deliver(1)
    assert "2 outlets" in newsroom.posts()[0].as_text()


async def test_burst_of_one_topic_becomes_one_combined_message(newsroom: Newsroom) -> None:
    titles = [f"Donetsk story number {i}" for i in range(5)]
    await newsroom.arrive(*[article(t, "Reuters", minutes=i) for i, t in enumerate(titles)])
    report = await newsroom.deliver(HOLD)
    posts = newsroom.posts()
    assert len(posts) == 1 and posts[0].kind == "combined"
    assert report.combined == 2  # the newsroom and the console
    assert posts[0].title == "5 new stories on Donbas"
    assert len(posts[0].lines) == 5 and all("story " in line for line in posts[0].lines)
    # two more a minute later: still in the burst window -> they wait, then go out together
    await newsroom.arrive(article("Donetsk story number 5", "AP"), article("Luhansk story", "AP"))
    await newsroom.deliver(60)
    assert len(newsroom.posts()) == 1
    await newsroom.deliver(newsroom.services.settings.coalesce_window_seconds)
    posts = newsroom.posts()
    assert len(posts) == 2 and posts[1].title == "2 new stories on Donbas"
    # a later outlet of a combined story edits the combined message, not a new post
    await newsroom.arrive(article("Donetsk story number 1", "BBC"))
    await newsroom.deliver(1)
    assert len(newsroom.posts()) == 2
    assert "Donetsk story number 1" in newsroom.posts()[0].lines[0]  # most outlets first
    assert "2 outlets" in newsroom.posts()[0].lines[0]


async def test_few_alerts_of_a_topic_are_sent_one_by_one(newsroom: Newsroom) -> None:
    await newsroom.arrive(
        article("Donbas one", "Reuters"), article("Security guarantees one", "AP")
    )
    await newsroom.deliver(HOLD)
    kinds = [m.kind for m in newsroom.posts()]
    assert kinds == ["alert", "alert"]


async def test_transient_error_retries_with_backoff(newsroom: Newsroom) -> None:
    await newsroom.arrive(article("Donbas shelling", "Reuters"))
    newsroom.transport.fail_next(TransientDeliveryError("429", retry_after=None), guild_id=NEWSROOM)
    report = await newsroom.deliver(HOLD)
    assert report.retried == 1 and newsroom.posts() == []
    [row] = [r for r in await newsroom.alerts.outbox(NEWSROOM) if r.kind == "alert"]
    assert row.attempts == 1 and row.status == "pending"
    assert row.next_attempt_at == newsroom.clock.now() + timedelta(seconds=5)
    newsroom.transport.fail_next(TransientDeliveryError("503", retry_after=30), guild_id=NEWSROOM)
    assert (await newsroom.deliver(5)).retried == 1  # second failure: server asked for 30 s
    assert (await newsroom.deliver(29)).sent == 0
    assert (await newsroom.deliver(1)).sent == 1
    assert len(newsroom.posts()) == 1
    [row] = [r for r in await newsroom.alerts.outbox(NEWSROOM) if r.kind == "alert"]
    assert row.status == "sent" and row.message_ref


async def test_permanent_error_is_recorded_and_not_retried(newsroom: Newsroom) -> None:
    await newsroom.arrive(article("Donbas shelling", "Reuters"))
    newsroom.transport.fail_next(
        PermanentDeliveryError("Missing Access: channel 4242"), guild_id=NEWSROOM
    )
    report = await newsroom.deliver(HOLD)
    assert report.failed == 1
    failed = await newsroom.alerts.outbox(NEWSROOM, status="failed")
    assert len(failed) == 1 and "Missing Access" in (failed[0].last_error or "")
    await newsroom.deliver(3600)
    assert newsroom.posts() == []
    assert [a.status for a in await newsroom.alerts.alerts(NEWSROOM)] == ["failed"]


async def test_quiet_hours_hold_alerts(newsroom: Newsroom) -> None:
    # 09:00 UTC is 11:00 in Kyiv
    await newsroom.set_guild(quiet_start="10:00", quiet_end="12:00")
    await newsroom.arrive(article("Donbas overnight", "Reuters"))
    report = await newsroom.deliver(HOLD)
    assert report.held == 1 and newsroom.posts() == []
    [alert] = await newsroom.alerts.alerts(NEWSROOM)
    assert alert.status == "held" and alert.hold_reason == "quiet hours"
    await newsroom.deliver(7200)  # after the quiet hours: one catch-up message
    [catch_up] = newsroom.posts()
    assert catch_up.kind == "combined" and catch_up.title.startswith("Catch-up: 1 story held")
    assert [title for _, title in catch_up.stories] == ["Donbas overnight — Reuters"]
    await newsroom.deliver(60)
    assert len(newsroom.posts()) == 1  # once


async def test_paused_alerts_are_held(newsroom: Newsroom) -> None:
    await newsroom.set_guild(alerts_paused=1)
    await newsroom.arrive(article("Donbas overnight", "Reuters"))
    await newsroom.deliver(HOLD)
    assert newsroom.posts() == []
    [alert] = await newsroom.alerts.alerts(NEWSROOM)
    assert alert.hold_reason == "alerts paused"


async def test_feed_health_transition_gives_one_notice_per_server(newsroom: Newsroom) -> None:
    async with newsroom.services.db.transaction() as tx:
        await tx.execute(
            """INSERT INTO feed_health_events (feed_id, old_state, new_state, reason, at)
               VALUES (?, 'healthy', 'failing', 'HTTP 503 three times', '2026-02-01T08:59:00Z')""",
            (newsroom.feed.id,),
        )
    report = await newsroom.deliver()
    assert report.notices_queued == 2  # the subscribed newsroom and the console
    await newsroom.deliver(60)
    notices = newsroom.posts(kind="notice")
    assert len(notices) == 1 and notices[0].title == "Feed failing: Test feed"
    assert notices[0].channel_id == CHANNEL
    assert "HTTP 503" in notices[0].as_text()
    assert len(newsroom.posts(guild_id=0, kind="notice")) == 1


async def test_muted_story_and_muted_source_raise_nothing(newsroom: Newsroom) -> None:
    await newsroom.arrive(article("Donbas: muted story", "Reuters"))
    await newsroom.deliver(HOLD)
    [alert] = await newsroom.alerts.alerts(NEWSROOM)
    async with newsroom.services.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO muted_stories (guild_id, story_id, user_id, at) VALUES (?, ?, 1, '2026-02-01T09:00:00Z')",
            (NEWSROOM, alert.story_id),
        )
        await tx.execute(
            "INSERT INTO muted_sources (guild_id, topic, publisher, user_id, at) VALUES (?, 'Donbas', 'Tabloid', 1, '2026-02-01T09:00:00Z')",
            (NEWSROOM,),
        )
    await newsroom.arrive(article("Donbas: muted story", "AFP"))
    await newsroom.arrive(article("Donbas: tabloid scoop", "Tabloid"))
    await newsroom.deliver(HOLD)
    posts = newsroom.posts()
    assert len(posts) == 1 and posts[0].title == "Donbas: muted story"
    assert (
        newsroom.transport.posted[
            [p.msg.guild_id for p in newsroom.transport.posted].index(NEWSROOM)
        ].edits
        == []
    )


async def test_huge_burst_lists_the_best_covered_stories_and_points_to_the_digest(
    newsroom: Newsroom,
) -> None:
    await newsroom.arrive(*[article(f"Donbas wave {i}", "Reuters", minutes=i) for i in range(20)])
    await newsroom.arrive(article("Donbas wave 3", "AP"))
    await newsroom.deliver(HOLD)
    [msg] = newsroom.posts()
    assert msg.title == "20 new stories on Donbas"
    assert len(msg.lines) == 16 and msg.lines[-1].startswith("…and 5 more")
    assert "Donbas wave 3" in msg.lines[0]


async def test_one_batch_with_three_articles_of_a_story_gives_one_alert(
    newsroom: Newsroom,
) -> None:
    # One feed poll brings them together (alerts and mutes are read once for the batch; the
    # alert written for the first article is read again for the next ones).
    await newsroom.arrive(
        article("Donbas ceasefire line proposed", "Reuters"),
        article("Donbas ceasefire line proposed", "BBC", minutes=1),
        article("Donbas ceasefire line proposed", "AFP", minutes=2),
    )
    await newsroom.deliver(HOLD)
    posts = newsroom.posts()
    assert len(posts) == 1
    assert "Also reported by BBC, AFP — 3 outlets" in posts[0].as_text()
