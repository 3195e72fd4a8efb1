"""Kill the process after the transport confirmed a send but before the outbox row is marked.

What happens on restart: the row is still 'pending', so it is sent again with the SAME
dedupe_key (outbox id + version). An idempotent transport (Discord with nonce+enforce_nonce,
the recording transport) recognises the key and returns the first message: exactly once.
A transport that cannot dedupe (the console) shows the message a second time: at-least-once,
never lost.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from bot.clock import to_iso
from bot.settings import PROJECT_ROOT
from tests.alerts.conftest import NEWSROOM, Newsroom
from tests.alerts.standins import article


def _worker(newsroom: Newsroom, record: Path, mode: str, *, idempotent: bool) -> int:
    now = newsroom.clock.now() + timedelta(minutes=5)
    env = {**os.environ, "IDEMPOTENT": "1" if idempotent else "0"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.alerts.crash_worker",
            str(newsroom.services.db.path),
            str(record),
            to_iso(now),
            mode,
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode


def _sends(record: Path) -> list[dict[str, object]]:
    lines = record.read_text(encoding="utf-8").splitlines() if record.exists() else []
    return [json.loads(line)["msg"] for line in lines if json.loads(line)["op"] == "send"]


async def _two_alerts(newsroom: Newsroom) -> None:
    await newsroom.arrive(article("Donbas: new front line report", "Reuters"))
    outbox = await newsroom.alerts.outbox()
    assert {(r.guild_id, r.status) for r in outbox} == {(0, "pending"), (NEWSROOM, "pending")}


async def test_crash_after_send_before_mark_is_exactly_once_with_idempotent_transport(
    newsroom: Newsroom, tmp_path: Path
) -> None:
    await _two_alerts(newsroom)
    record = tmp_path / "transport.jsonl"

    assert _worker(newsroom, record, "crash", idempotent=True) == 9
    assert len(_sends(record)) == 1, "the first message went out, then the process died"
    states = {r.guild_id: r.status for r in await newsroom.alerts.outbox()}
    assert set(states.values()) == {"pending"}, "nothing was marked: the crash came first"

    assert _worker(newsroom, record, "normal", idempotent=True) == 0
    sends = _sends(record)
    assert len(sends) == 2, "one message per server: the resend was recognised by its key"
    assert len({s["dedupe_key"] for s in sends}) == 2
    outbox = await newsroom.alerts.outbox()
    assert {r.status for r in outbox} == {"sent"}
    assert all(r.message_ref for r in outbox)

    # a third start finds nothing to send
    assert _worker(newsroom, record, "normal", idempotent=True) == 0
    assert len(_sends(record)) == 2


async def test_crash_with_non_idempotent_transport_is_at_least_once(
    newsroom: Newsroom, tmp_path: Path
) -> None:
    await _two_alerts(newsroom)
    record = tmp_path / "console.jsonl"
    assert _worker(newsroom, record, "crash", idempotent=False) == 9
    assert _worker(newsroom, record, "normal", idempotent=False) == 0
    sends = _sends(record)
    # the message shown just before the crash is shown again: a duplicate, but nothing lost
    assert len(sends) == 3
    keys = [s["dedupe_key"] for s in sends]
    assert keys[0] == keys[1] and len(set(keys)) == 2
    assert {r.status for r in await newsroom.alerts.outbox()} == {"sent"}
