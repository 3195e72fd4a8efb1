"""The transports: the contract every one follows, as the outbox relies on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.alerts.transport import (
    ConsoleTransport,
    PermanentDeliveryError,
    RecordingTransport,
    RoutingTransport,
)
from bot.models import OutgoingMessage


def msg(key: str = "bw1v1", guild: int = 0, title: str = "Headline") -> OutgoingMessage:
    return OutgoingMessage(dedupe_key=key, outbox_id=1, guild_id=guild, kind="alert", title=title)


async def test_recording_transport_dedupes_a_resend_by_key_like_discord(tmp_path: Path) -> None:
    record = tmp_path / "sent.jsonl"
    first = RecordingTransport(record)
    ref = await first.send(msg())
    again = RecordingTransport(record)  # a new process reading the same durable record
    assert await again.send(msg()) == ref
    assert len(again.posted) == 1
    assert await again.send(msg("bw2v1")) != ref
    await again.edit(ref, msg(title="Updated"))
    assert RecordingTransport(record).messages()[0].title == "Updated"
    with pytest.raises(PermanentDeliveryError):
        await again.edit("nope", msg())


async def test_non_idempotent_recording_posts_twice() -> None:
    t = RecordingTransport(idempotent=False)
    await t.send(msg())
    await t.send(msg())
    assert len(t.posted) == 2


async def test_console_writes_through_the_injected_writer_and_routing_picks_by_guild() -> None:
    lines: list[str] = []
    console = ConsoleTransport(lines.append)
    discord_like = RecordingTransport()
    routed = RoutingTransport(discord_like, {0: console})
    ref = await routed.send(msg(guild=0))
    await routed.edit(ref, msg(guild=0, title="Changed"))
    await routed.send(msg(key="bw9v1", guild=42))
    assert ref.startswith("console:") and "Headline" in lines[0] and "Changed" in lines[1]
    assert [m.guild_id for m in discord_like.messages()] == [42]
