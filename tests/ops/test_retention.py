"""Retention: old, uncited articles and long-delivered outbox rows go; cited ones stay."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.models import Article
from bot.ops.retention import prune_old
from bot.services import Services
from bot.storage import articles

pytest.importorskip("bot.storage.alerts", reason="needs ALERTS' storage (alerts/outbox tables)")
pytest.importorskip("bot.storage.feeds", reason="needs FEEDS' storage (feed_entries)")
pytest.importorskip("bot.storage.facts", reason="needs FACTS' storage (facts table)")

from bot.storage import alerts as alert_store
from bot.storage import facts as fact_store  # noqa: E402
from bot.storage import feeds as feed_store  # noqa: E402
from bot.storage import outbox as outbox_store  # noqa: E402

DAY = timedelta(days=1)
# start_services stores the shipped seed articles (entry keys 'seed:...'); count the rest.
KEYS = "SELECT entry_key FROM articles WHERE entry_key NOT LIKE 'seed:%'"
FEED_ARTICLES = "SELECT count(*) FROM articles WHERE entry_key NOT LIKE 'seed:%'"


async def _article(tx: Any, key: str, when: datetime, source: str = "feed") -> int:
    art = Article(
        entry_key=key,
        title=f"Title {key}",
        body=f"Body of {key}.",
        publisher="Outlet",
        published=when,
        first_seen=when,
        source=source,  # type: ignore[arg-type]
    )
    article_id, _ = await articles.insert_article(tx, art)
    await fact_store.insert_facts(
        tx,
        [
            (
                article_id,
                0,
                "title",
                art.title,
                "",
                "[]",
                "[]",
                "[]",
                "[]",
                None,
                None,
                art.published.isoformat(),
                art.first_seen.isoformat(),
                f"title k_{key}",
            ),
            (
                article_id,
                1,
                "sentence",
                art.body,
                "",
                "[]",
                "[]",
                "[]",
                "[]",
                None,
                None,
                art.published.isoformat(),
                art.first_seen.isoformat(),
                f"body k_{key}",
            ),
        ],
    )
    return article_id


async def _alert(tx: Any, article_id: int, story: int, when: datetime) -> int:
    return await alert_store.insert_alert(
        tx,
        guild_id=0,
        story_id=story,
        topic="Donbas",
        topics=["Donbas"],
        topic_id=None,
        article_id=article_id,
        title="t",
        url=None,
        publisher="Outlet",
        published=when,
        alias="Donbas",
        snippet="",
        outlets=["Outlet"],
        article_count=1,
        channel_id=None,
        ping_role_id=None,
        now=when,
    )


async def test_prune_keeps_what_is_cited(services: Services, clock: FixedClock) -> None:
    db, now = services.db, clock.now()
    old, recent = now - 200 * DAY, now - 10 * DAY
    async with db.transaction() as tx:
        feed_id, _ = await feed_store.ensure_feed(tx, "http://127.0.0.1/feed", old)
        ids = {
            "old_plain": await _article(tx, "old_plain", old),
            "old_seed": await _article(tx, "old_seed", old, source="seed"),
            "recent": await _article(tx, "recent", recent),
            "old_pending_alert": await _article(tx, "old_pending_alert", old),
            "old_delivered_alert": await _article(tx, "old_delivered_alert", old),
            "old_alert_recent_edit": await _article(tx, "old_alert_recent_edit", old),
        }
        await feed_store.record_entries(tx, feed_id, [("old_plain", ids["old_plain"])], old)
        # An alert that never went out (pending): its article must survive any retention.
        pending = await _alert(tx, ids["old_pending_alert"], 1, old)
        await outbox_store.enqueue(tx, guild_id=0, kind="alert", now=old, alert_id=pending)
        # A delivered alert from long ago, its outbox row sent long ago: all of it can go.
        done = await _alert(tx, ids["old_delivered_alert"], 2, old)
        row = await outbox_store.enqueue(tx, guild_id=0, kind="alert", now=old, alert_id=done)
        assert row is not None
        await outbox_store.mark_sent(tx, row, 1, "msg-1", old)
        await alert_store.mark_alert_delivered(
            tx, done, message_ref="msg-1", shown_version=1, now=old
        )
        # A delivered alert whose message was edited recently: the outbox row still cites it.
        edited = await _alert(tx, ids["old_alert_recent_edit"], 3, old)
        row2 = await outbox_store.enqueue(tx, guild_id=0, kind="alert", now=recent, alert_id=edited)
        assert row2 is not None
        await outbox_store.mark_sent(tx, row2, 1, "msg-2", recent)
        await alert_store.mark_alert_delivered(
            tx, edited, message_ref="msg-2", shown_version=1, now=old
        )
        # Notices: one sent long ago (prunable), one never delivered (kept however old).
        n1 = await outbox_store.enqueue(tx, guild_id=0, kind="notice", now=old, source_key="n1")
        assert n1 is not None
        await outbox_store.mark_sent(tx, n1, 1, "msg-3", old)
        await outbox_store.enqueue(tx, guild_id=0, kind="notice", now=old, source_key="n2")

    dry = await prune_old(db, clock, 180, 30, dry_run=True)
    assert dry.articles_deleted == 2
    assert await db.fetchval(FEED_ARTICLES) == 6  # dry run changed nothing

    counts = await prune_old(db, clock, retention_days=180, outbox_retention_days=30)
    assert (counts.articles_deleted, counts.articles_kept) == (2, 2)
    assert (counts.outbox_deleted, counts.alerts_deleted) == (2, 1)

    left = {r[0] for r in await db.fetchall(KEYS)}
    assert left == {"old_seed", "recent", "old_pending_alert", "old_alert_recent_edit"}
    # Facts went with their articles, and the search index with them.
    assert (
        await db.fetchval(
            "SELECT count(*) FROM facts WHERE article_id NOT IN (SELECT id FROM articles)"
        )
        == 0
    )
    assert (
        await db.fetchval(
            "SELECT count(*) FROM facts WHERE article_id IN (SELECT id FROM articles WHERE entry_key NOT LIKE 'seed:%')"
        )
        == 8
    )
    assert (
        await db.fetchval("SELECT count(*) FROM facts_fts WHERE facts_fts MATCH 'k_old_plain'") == 0
    )
    assert await db.fetchval("SELECT count(*) FROM facts_fts WHERE facts_fts MATCH 'k_recent'") == 2
    # The feed still remembers the entry, so it is never stored (and alerted) again.
    assert await feed_store.known_entry_keys(db.reader, feed_id, ["old_plain"]) == {"old_plain"}
    statuses = sorted(r[0] for r in await db.fetchall("SELECT status FROM outbox"))
    assert statuses == ["pending", "pending", "sent"]
    assert await db.fetchval("SELECT count(*) FROM ops_retention_runs") == 1

    again = await prune_old(db, clock, 180, 30)
    assert (again.articles_deleted, again.outbox_deleted, again.alerts_deleted) == (0, 0, 0)


async def test_stories_keep_their_articles_while_active(
    services: Services, clock: FixedClock
) -> None:
    stories = pytest.importorskip("bot.storage.stories", reason="needs STORIES' storage")
    db, now = services.db, clock.now()
    old, recent = now - 200 * DAY, now - 2 * DAY
    async with db.transaction() as tx:
        ids = {k: await _article(tx, k, old) for k in ("a_old", "b_old", "c_old", "d_old")}
        arts = await articles.get_articles(tx, list(ids.values()))
        # Story 1 went quiet 200 days ago: it and its two articles can go.
        s1 = await stories.create_story(tx, arts[ids["a_old"]], old)
        await stories.add_to_story(tx, s1, arts[ids["b_old"]], "similar", 0.9, old)
        # Story 2 started with an old article but an article joined two days ago: keep all.
        s2 = await stories.create_story(tx, arts[ids["c_old"]], old)
        fresh_id = await _article(tx, "fresh", recent)
        fresh = await articles.get_article(tx, fresh_id)
        assert fresh is not None
        await stories.add_to_story(tx, s2, fresh, "similar", 0.9, recent)
        # Story 3 is old but a pending alert still points at it (no foreign key): keep.
        s3 = await stories.create_story(tx, arts[ids["d_old"]], old)
        await _alert(tx, ids["d_old"], s3, old)

    counts = await prune_old(db, clock, retention_days=180, outbox_retention_days=30)
    assert counts.stories_deleted == 1 and counts.articles_deleted == 2
    left = {r[0] for r in await db.fetchall(KEYS)}
    assert left == {"c_old", "fresh", "d_old"}
    remaining = {r[0] for r in await db.fetchall("SELECT id FROM stories")}
    assert s1 not in remaining and {s2, s3} <= remaining
    assert (
        await db.fetchval("SELECT count(*) FROM story_articles WHERE story_id IN (?, ?)", (s2, s3))
        == 3
    )


async def test_scheduler_hook_uses_the_settings(services: Services, clock: FixedClock) -> None:
    from bot.ops.retention import retention_hook

    async with services.db.transaction() as tx:
        await _article(tx, "ancient", clock.now() - 400 * DAY)
        await _article(tx, "newish", clock.now() - 100 * DAY)
    settings = services.settings.model_copy(update={"retention_days": 365})
    counts = await retention_hook(services.db, clock, settings)()
    assert counts.articles_deleted == 1
    assert {r[0] for r in await services.db.fetchall(KEYS)} == {"newish"}
