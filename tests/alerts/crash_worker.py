"""Runs one outbox delivery pass in its own process (for the crash test).

python -m tests.alerts.crash_worker DB RECORD NOW_ISO MODE
MODE: 'crash' = os._exit(9) right after the transport confirmed the first send (before the
outbox row is marked); 'normal' = a plain pass. RECORD is the transport's durable record
(JSON lines); ``IDEMPOTENT=0`` in the environment makes the transport ignore dedupe keys.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.alerts.service import AlertService
from bot.alerts.transport import RecordingTransport
from bot.clock import FixedClock, from_iso
from bot.models import OutgoingMessage
from bot.settings import Settings
from bot.storage.database import Database


class CrashAfterSend:
    def __init__(self, inner: RecordingTransport) -> None:
        self.inner = inner

    async def send(self, msg: OutgoingMessage) -> str:
        ref = await self.inner.send(msg)
        os._exit(9)  # the send is confirmed, the outbox row is not marked yet
        return ref  # pragma: no cover

    async def edit(self, ref: str, msg: OutgoingMessage) -> None:
        await self.inner.edit(ref, msg)


async def main(db_path: str, record: str, now: str, mode: str) -> None:
    settings = Settings(_env_file=None, database_path=Path(db_path))  # type: ignore[call-arg]
    recorder = RecordingTransport(Path(record), idempotent=os.environ.get("IDEMPOTENT", "1") == "1")
    transport = CrashAfterSend(recorder) if mode == "crash" else recorder
    async with Database.open(db_path) as db:
        service = AlertService(db, settings, FixedClock(from_iso(now)))
        report = await service.deliver(transport)
    sys.stdout.write(report.model_dump_json() + "\n")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
