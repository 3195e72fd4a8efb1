"""Delivery claims: a row is claimed (committed) before it is sent, so two deliverers on one
database never send it both; a claim whose holder is gone is taken over, and the row, whose
send may have gone out, is looked for before it is sent again."""

from __future__ import annotations

import asyncio
import socket
import subprocess
from collections import Counter
from datetime import timedelta

from bot.alerts import claims
from bot.alerts.service import AlertService
from bot.alerts.transport import RecordingTransport
from bot.clock import to_iso
from bot.models import OutgoingMessage
from bot.storage.database import Database
from tests.alerts.conftest import NEWSROOM, Newsroom
from tests.alerts.standins import article


class SlowTransport:
    """Posts into ``channel`` only once ``go`` is set (a send that takes a while)."""

    def __init__(self, channel: RecordingTransport) -> None:
        self.channel = channel
        self.sending = asyncio.Event()
        self.go = asyncio.Event()

    async def send(self, msg: OutgoingMessage) -> str:
        self.sending.set()
        await self.go.wait()
        return await self.channel.send(msg)

    async def edit(self, ref: str, msg: OutgoingMessage) -> None:
        await self.channel.edit(ref, msg)


async def test_two_deliverers_at_once_never_send_a_row_twice(newsroom: Newsroom) -> None:
    await newsroom.arrive(article("Donbas: new front line report"))
    newsroom.clock.advance(newsroom.services.settings.alert_hold_seconds * 2 * timedelta(seconds=1))
    channel = RecordingTransport(idempotent=False)  # past Discord's nonce window: no dedupe
    slow = SlowTransport(channel)
    first = asyncio.create_task(newsroom.alerts.deliver(slow))
    await asyncio.wait_for(slow.sending.wait(), 10)  # the first is mid-send of its first row
    async with Database.open(newsroom.services.db.path) as other_db:  # a second process
        other = AlertService(other_db, newsroom.services.settings, newsroom.clock)
        await other.deliver(channel)
    slow.go.set()
    await asyncio.wait_for(first, 10)
    keys = Counter(m.dedupe_key for m in channel.messages())
    assert len(keys) == 2 and set(keys.values()) == {1}, keys
    assert {r.status for r in await newsroom.alerts.outbox()} == {"sent"}


async def test_a_claim_of_a_process_that_is_gone_is_taken_over_and_looked_for(
    newsroom: Newsroom,
) -> None:
    await newsroom.arrive(article("Donbas: new front line report"))
    newsroom.clock.advance(newsroom.services.settings.alert_hold_seconds * 2 * timedelta(seconds=1))
    gone = _dead_pid()
    (row,) = [r for r in await newsroom.alerts.outbox() if r.guild_id == NEWSROOM]
    await _claimed(newsroom, row.id, f"{socket.gethostname()}:{gone}:dead")
    # the dead process had posted it (its answer was lost with it)
    posted = await newsroom.transport.send(_as_posted(newsroom, row.id))
    report = await newsroom.deliver()
    assert report.sent == 2
    assert newsroom.transport.lookups == 1  # only the row in doubt was looked for
    mine = newsroom.posts(NEWSROOM)
    assert len(mine) == 1
    (row,) = [r for r in await newsroom.alerts.outbox() if r.guild_id == NEWSROOM]
    assert row.status == "sent" and row.message_ref == posted


async def test_a_claim_held_elsewhere_is_waited_for_until_it_times_out(newsroom: Newsroom) -> None:
    await newsroom.arrive(article("Donbas: new front line report"))
    newsroom.clock.advance(newsroom.services.settings.alert_hold_seconds * 2 * timedelta(seconds=1))
    (row,) = [r for r in await newsroom.alerts.outbox() if r.guild_id == NEWSROOM]
    await _claimed(newsroom, row.id, "another-host:4242:beef")  # can't tell if it is alive
    await newsroom.deliver()
    assert newsroom.posts(NEWSROOM) == []  # the other deliverer may be sending it right now
    await newsroom.deliver(after_seconds=claims.CLAIM_TIMEOUT.total_seconds())
    assert len(newsroom.posts(NEWSROOM)) == 1
    assert newsroom.transport.lookups == 1  # in doubt: looked for first, then sent


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _as_posted(newsroom: Newsroom, outbox_id: int) -> OutgoingMessage:
    return OutgoingMessage(
        dedupe_key=f"bw{outbox_id}v1",
        outbox_id=outbox_id,
        guild_id=NEWSROOM,
        channel_id=4242,
        kind="alert",
        title="Donbas: new front line report",
    )


async def _claimed(newsroom: Newsroom, outbox_id: int, holder: str) -> None:
    async with newsroom.services.db.transaction() as tx:
        await tx.execute(
            "UPDATE outbox SET claimed_by = ?, claimed_at = ? WHERE id = ?",
            (holder, to_iso(newsroom.clock.now()), outbox_id),
        )


async def test_an_alert_in_doubt_is_not_folded_into_a_combined_message(newsroom: Newsroom) -> None:
    """It may be posted already: it is settled on its own (found, or posted once), the rest of
    the burst goes out combined."""
    titles = [f"Donetsk story number {i}" for i in range(5)]
    await newsroom.arrive(*[article(t, "Reuters", minutes=i) for i, t in enumerate(titles)])
    rows = sorted(
        (r for r in await newsroom.alerts.outbox() if r.guild_id == NEWSROOM), key=lambda r: r.id
    )
    async with newsroom.services.db.transaction() as tx:
        await tx.execute("UPDATE outbox SET in_doubt = 1 WHERE id = ?", (rows[0].id,))
    settings = newsroom.services.settings
    await newsroom.deliver(settings.alert_hold_seconds + 1)
    assert [p.kind for p in newsroom.posts(NEWSROOM)] == ["alert"]
    await newsroom.deliver(settings.coalesce_window_seconds)  # one message per window in a burst
    posts = newsroom.posts(NEWSROOM)
    assert [p.kind for p in posts] == ["alert", "combined"]
    (combined,) = [p for p in posts if p.kind == "combined"]
    assert combined.title == "4 new stories on Donbas"
    assert newsroom.transport.lookups == 1
