"""Exactly once beyond Discord's nonce window: a post whose answer was lost is found, not re-posted.

Discord enforces a message nonce for a few minutes only (the fake forgets it after
``nonce_lifetime`` on the test's clock). When the answer to a post is lost (here a 503 after the
message was stored) and the retry comes after that window, the nonce no longer protects it; the
outbox row is 'in doubt', so the bot first looks through the channel's recent messages for the
row's dedupe key (it ends the embed footer) and records the message it finds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FixedClock
from bot.storage import outbox as outbox_store
from tests.e2e.conftest import StartBot, settle
from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.feed_server import FeedServer, Item
from tests.e2e.test_alerts_flow import STORY, _poll_and_deliver, _setup_newsroom


@pytest.fixture(autouse=True)
def early_morning(clock: FixedClock) -> None:
    clock.set(datetime(2026, 2, 1, 4, 0, tzinfo=UTC))  # before the 08:00 (Kyiv) digest


async def test_lost_answer_retried_after_the_nonce_window_posts_once(
    start_bot: StartBot, fake: FakeDiscord, feed_server: FeedServer, clock: FixedClock
) -> None:
    bot = await start_bot()
    await _setup_newsroom(fake, feed_server)
    newsroom = fake.channel("newsroom")
    feed_server.publish(
        "kyiv.xml",
        Item(
            STORY[0],
            description=STORY[1],
            published=clock.now() - timedelta(minutes=20),
            link="https://kyiv.example/kramatorsk",
        ),
    )
    fake.lose_next_answer("POST", rf"^/channels/{newsroom}/messages$")
    await _poll_and_deliver(bot, clock)
    posted = [m for m in fake.channel_messages(newsroom) if m["embeds"]]
    assert len(posted) == 1, "the post reached Discord; only its answer was lost"
    (row,) = [r for r in await bot.services.alerts.outbox(fake.guild.id) if r.kind == "alert"]
    assert row.status == "pending" and row.attempts == 1

    # Discord is away longer than it remembers a nonce; then the retry comes.
    clock.advance(fake.nonce_lifetime + timedelta(minutes=1))
    await settle(bot)
    await bot.scheduler.run_delivery()

    posted = [m for m in fake.channel_messages(newsroom) if m["embeds"]]
    assert len(posted) == 1, "posted twice: the retry was not recognised as already posted"
    (row,) = [r for r in await bot.services.alerts.outbox(fake.guild.id) if r.kind == "alert"]
    assert row.status == "sent" and row.message_ref == f"{newsroom}:{posted[0]['id']}"
    assert posted[0]["embeds"][0]["footer"]["text"].endswith(f"ref bw{row.id}v1")
    stored = await outbox_store.get_row(bot.services.db.reader, row.id)
    assert stored is not None and not stored.in_doubt and stored.claimed_by is None
    # later updates edit that one message
    alert = (await bot.services.alerts.alerts(fake.guild.id))[0]
    assert alert.message_ref == row.message_ref


async def test_post_refused_by_a_rate_limit_is_not_looked_for(
    start_bot: StartBot, fake: FakeDiscord, feed_server: FeedServer, clock: FixedClock
) -> None:
    """A 429 means "not posted": the retry posts straight away, without a history lookup."""
    bot = await start_bot(max_ratelimit_timeout=0.001)
    await _setup_newsroom(fake, feed_server)
    newsroom = fake.channel("newsroom")
    feed_server.publish(
        "kyiv.xml",
        Item(
            STORY[0],
            description=STORY[1],
            published=clock.now() - timedelta(minutes=20),
            link="https://kyiv.example/kramatorsk",
        ),
    )
    fake.rate_limit_next("POST", rf"^/channels/{newsroom}/messages$", retry_after=60.0)
    await _poll_and_deliver(bot, clock)
    assert not [m for m in fake.channel_messages(newsroom) if m["embeds"]]
    clock.advance(timedelta(minutes=2))
    await bot.scheduler.run_delivery()
    assert len([m for m in fake.channel_messages(newsroom) if m["embeds"]]) == 1
    lookups = [p for m, p, _ in fake.requests if m == "GET" and p.endswith(f"{newsroom}/messages")]
    assert lookups == []
