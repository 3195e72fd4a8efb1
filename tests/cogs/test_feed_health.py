"""`/feeds status`, `/status` and `beatwatch feeds status`: a feed never fetched is "not
checked yet", not healthy."""

from __future__ import annotations

from datetime import timedelta

from bot import newsroom
from bot.cli.render import as_text
from bot.clock import FixedClock
from bot.discord.render import to_discord
from bot.present.feeds import status_reply
from bot.present.reply import Reply
from bot.present.status import status_reply as overall
from bot.services import Services
from bot.storage import feeds as store


async def feeds_status(services: Services, gid: int) -> Reply:
    return status_reply(await services.feeds.status(gid))


async def build_status(services: Services, gid: int, *, mode: str = "discord") -> Reply:
    return overall(await newsroom.snapshot(services, gid), mode=mode)


async def test_a_feed_never_fetched_is_not_checked_yet(services: Services, clock: FixedClock):
    now = clock.now()
    async with services.db.transaction() as tx:
        feed_id, _ = await store.ensure_feed(tx, "https://wire.example/rss", now, title="Wire")
        await store.subscribe(tx, 7, feed_id, now)

    def text(reply: Reply) -> str:
        embed = to_discord(reply).embeds[0]
        return (embed.description or "") + "".join(f.value for f in embed.fields)

    listing = text(await feeds_status(services, 7))
    assert "⚪ 1 not checked yet" in listing and "healthy" not in listing
    assert "Feeds" in [f.name for f in to_discord(await build_status(services, 7)).embeds[0].fields]
    assert "1 not checked yet" in text(await build_status(services, 7, mode="console"))
    (status,) = await services.feeds.status(7)
    assert status.health == "not checked yet"
    assert "not checked yet" in as_text(await feeds_status(services, 7))

    clock.advance(timedelta(minutes=1))
    async with services.db.transaction() as tx:
        await store.record_success(
            tx, feed_id, now=clock.now(), next_check=clock.now(), etag=None, last_modified=None
        )
    after = text(await feeds_status(services, 7))
    assert "🟢 1 healthy" in after and "not checked yet" not in after
    assert "1 healthy" in text(await build_status(services, 7, mode="console"))
