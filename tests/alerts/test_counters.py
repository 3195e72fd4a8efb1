"""The alert and digest counters on /metrics move when a newsroom would notice something."""

from __future__ import annotations

from bot.alerts.transport import TransientDeliveryError
from bot.ops import counters
from tests.alerts.conftest import NEWSROOM, Newsroom
from tests.alerts.standins import article

HOLD = 20


def snapshot() -> dict[str, float]:
    return {
        "queued": counters.ALERTS_QUEUED.value(),
        "delivered": counters.ALERTS_DELIVERED.value(),
        "retried": counters.ALERTS_RETRIED.value(),
        "digests": counters.DIGEST_RUNS.value(),
    }


def moved(before: dict[str, float]) -> dict[str, float]:
    now = snapshot()
    return {k: now[k] - before[k] for k in now}


async def test_queued_delivered_retried_and_digest_counters(newsroom: Newsroom) -> None:
    before = snapshot()
    await newsroom.arrive(article("Donbas: shelling near Pokrovsk", "Reuters"))
    assert moved(before) == {"queued": 2, "delivered": 0, "retried": 0, "digests": 0}
    newsroom.transport.fail_next(TransientDeliveryError("503"), guild_id=NEWSROOM)
    await newsroom.deliver(HOLD)  # the console's alert goes out, the newsroom's is retried
    assert moved(before) == {"queued": 2, "delivered": 1, "retried": 1, "digests": 0}
    await newsroom.deliver(5)
    await newsroom.arrive(article("Donbas: shelling near Pokrovsk", "AP"))
    await newsroom.deliver(1)  # two edits (newsroom and console) are deliveries too
    assert moved(before) == {"queued": 2, "delivered": 4, "retried": 1, "digests": 0}
    assert await newsroom.services.digests.run_due_digest(NEWSROOM) is not None
    await newsroom.deliver()
    assert moved(before) == {"queued": 2, "delivered": 5, "retried": 1, "digests": 1}
    await newsroom.deliver(60)  # nothing more to send: nothing counted
    assert moved(before)["delivered"] == 5 and moved(before)["digests"] == 1
