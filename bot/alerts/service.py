"""``services.alerts``: deliver the outbox, turn feed health transitions into notices, list."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from bot.alerts.delivery import OutboxDelivery
from bot.alerts.transport import Transport
from bot.clock import Clock, to_iso
from bot.feeds.guard import redact_url
from bot.models import CONSOLE_GUILD_ID, Alert, DeliveryReport, OutboxEntry
from bot.settings import Settings
from bot.storage import alerts as store
from bot.storage import outbox as outbox_store
from bot.storage.database import Database

log = logging.getLogger(__name__)

HEALTH_CURSOR = "feed_health_events"
# Transitions older than this when first seen (e.g. a database from before alerts existed)
# advance the cursor without a notice, so a first start does not post a backlog of old news.
STALE_NOTICE = timedelta(hours=24)
BACKLOG_CAP = 1000  # failed rows looked at for /status
FAILED_RECENT = timedelta(days=7)  # /status counts the failures of the last week


class AlertService:
    def __init__(self, db: Database, settings: Settings, clock: Clock) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self._delivery = OutboxDelivery(db, settings, clock)
        # One pass at a time in this process: the delivery job, a digest job's pass and a
        # command's kick must not send the same row twice (the console cannot dedupe).
        self._delivering = asyncio.Lock()

    async def deliver(self, transport: Transport, *, guild_id: int | None = None) -> DeliveryReport:
        """One delivery pass: queue new feed-health notices, then send what is due
        (only one server's messages if ``guild_id`` is given: the CLI delivers guild 0)."""
        async with self._delivering:
            notices = await self.queue_health_notices()
            return await self._delivery.deliver_due(
                transport, notices_queued=notices, guild_id=guild_id
            )

    async def queue_health_notices(self) -> int:
        """One 'notice' outbox row per feed health transition per subscribed server (+ console)."""
        now = self._clock.now()
        queued = 0
        seen = await outbox_store.get_cursor(self._db.reader, HEALTH_CURSOR) or 0
        if await outbox_store.max_health_event_id(self._db.reader) <= seen:
            return 0  # nothing new: no write transaction
        async with self._db.transaction() as tx:
            cursor = await outbox_store.get_cursor(tx, HEALTH_CURSOR) or 0
            events = await outbox_store.health_events_after(tx, cursor)
            for event in events:
                cursor = max(cursor, event.id)
                if now - event.at > STALE_NOTICE:
                    continue
                targets = await store.feed_subscribers(tx, event.feed_id)
                if all(g != CONSOLE_GUILD_ID for g, _ in targets):
                    targets.insert(0, (CONSOLE_GUILD_ID, None))
                for guild_id, channel_id in targets:
                    row = await outbox_store.enqueue(
                        tx,
                        guild_id=guild_id,
                        kind="notice",
                        now=now,
                        channel_id=channel_id,
                        source_key=f"health:{event.id}",
                        payload={
                            "feed_id": event.feed_id,
                            "feed_url": redact_url(event.feed_url),
                            "feed_title": event.feed_title,
                            "old_state": event.old_state,
                            "new_state": event.new_state,
                            "reason": event.reason,
                            "at": to_iso(event.at),
                        },
                    )
                    queued += row is not None
            if events:
                await outbox_store.set_cursor(tx, HEALTH_CURSOR, cursor)
        if queued:
            log.info("event=health_notices_queued count=%s", queued)
        return queued

    async def alerts(self, guild_id: int | None = None, limit: int = 50) -> list[Alert]:
        return await store.list_alerts(self._db.reader, guild_id, limit)

    async def outbox(
        self, guild_id: int | None = None, status: str | None = None, limit: int = 50
    ) -> list[OutboxEntry]:
        rows = await outbox_store.list_outbox(
            self._db.reader, guild_id=guild_id, status=status, limit=limit
        )
        entries = []
        for row in rows:
            summary = ""
            if row.alert_id is not None:
                alert = await store.get_alert(self._db.reader, row.alert_id)
                summary = alert.title if alert else ""
            elif row.kind == "notice":
                summary = f"{row.payload.get('feed_title', '')}: {row.payload.get('new_state', '')}"
            elif row.kind == "digest":
                summary = str(row.payload.get("title", ""))
            elif row.kind == "combined":
                summary = f"{len(row.payload.get('alert_ids', []))} stories on {row.payload.get('topic', '')}"
            entries.append(row.entry(summary))
        return entries

    async def counts(self) -> dict[str, int]:
        """Outbox rows per status (for health/metrics: 'failed' and 'pending' matter)."""
        return await outbox_store.count_outbox(self._db.reader)

    async def backlog(self, guild_id: int) -> dict[str, int]:
        """What is stuck for one server (for /status): outbox rows waiting for a channel,
        deliveries failed in the last ``FAILED_RECENT`` (up to ``BACKLOG_CAP``), and alerts
        held for the digest."""
        reader = self._db.reader
        waiting = await outbox_store.waiting_channel_rows(reader, guild_id)
        failed = await outbox_store.list_outbox(
            reader, guild_id=guild_id, status="failed", limit=BACKLOG_CAP
        )
        recent = self._clock.now() - FAILED_RECENT
        return {
            "waiting_channel": len(waiting),
            "waiting_alerts": sum(r.kind in ("alert", "combined") for r in waiting),
            "failed": sum(r.created_at >= recent for r in failed),
            "held": len(await store.held_alerts(reader, guild_id)),
        }

    async def prune(self, now: datetime | None = None) -> int:
        """Delete sent outbox rows older than ``outbox_retention_days``."""
        now = now or self._clock.now()
        before = now - timedelta(days=self._settings.outbox_retention_days)
        async with self._db.transaction() as tx:
            removed = await outbox_store.prune_outbox(tx, before)
        log.info("event=outbox_pruned removed=%s", removed)
        return removed
