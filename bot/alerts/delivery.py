"""Delivering the outbox: exactly once with an idempotent transport, never lost.

A row is marked 'sent' only after the transport confirmed (and its message ref is stored).
Errors: ``TransientDeliveryError`` (and any unexpected exception, logged) -> retry with
exponential backoff (5 s, 10 s, 20 s ... capped at 1 h, or the server's ``retry_after`` if
longer), up to ``settings.delivery_max_attempts``; ``PermanentDeliveryError`` -> 'failed' at
once, with the error kept on the row (``alerts list --failed``). A restart simply resumes the
pending rows: each message carries ``dedupe_key`` = ``bw<outbox id>v<version>``, so a resend of
a message whose confirmation was lost is recognised by an idempotent transport.

Claims (``bot.alerts.claims``): a row is claimed in a committed transaction right before it is
handed to the transport, and the claim is dropped with the outcome; another deliverer (a second
process on the database) leaves a claimed row, and the later posts to its channel, alone. A
claim still there when a deliverer comes back to the row means a send of unknown outcome (its
holder died mid-send), as does a lost answer (``TransientDeliveryError.maybe_sent``): the row is
'in doubt', and before it is sent again the transport's ``find_sent`` looks for the message
already posted with its key (Discord forgets a nonce after a few minutes). A row in doubt is
never folded into a combined message.

Coalescing (bursts): a new alert waits ``alert_hold_seconds`` (default 20 s) so alerts that
arrive together are seen together. Then, per server and topic: if the topic fired at least
``coalesce_threshold`` times (alerts created) within ``coalesce_window_seconds`` before the
oldest pending alert up to now, the topic is in a burst: all its pending alerts go out as ONE
combined message (a list of stories), and while the burst lasts at most one message per topic
per window (later alerts wait until a window has passed since the last message, then go out
combined again). Outside a burst each alert goes out on its own.

Order: messages to one channel go out in queue order. While the head of a channel's queue
waits for a retry (a transient error, in backoff), the later posts to that channel wait too
(other channels are not blocked); when the head fails for good it is marked 'failed' and the
next one proceeds. A combined message takes the place of the first alert it replaces. Edits of
a posted message go out independently (an edit only exists once its post is confirmed: an alert
not yet posted is simply posted with its latest content). Deliberate waits (the burst hold and
window, quiet hours) are not backoff: they do not hold up other topics.

No channel yet: a post for a server with no channel for it (and none on the row) is not failed
but parked as 'waiting_channel' (``alerts list``). Once a channel is set, the waiting rows are
released in queue order; alerts older than ``LATE_ALERT_MAX_AGE`` (24 h) are not posted late
but held for the next digest (as are notices that old, which are dropped), and when more than
``CATCH_UP_FOLD`` fresh alerts wait they go out as one combined catch-up message.

Quiet hours / paused: at delivery time, an alert for a server in its quiet hours (or with alerts
paused) is held (not sent); notices wait for the quiet hours to end; edits (silent on Discord)
and digests go out. When the hold ends (the quiet hours are over, alerts resumed), the first
pass releases what was held as ONE catch-up message, oldest first (alerts older than
``LATE_ALERT_MAX_AGE`` and muted stories are left to the digest); the digest lists them too.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.alerts import claims, compose
from bot.alerts.transport import PermanentDeliveryError, TransientDeliveryError, Transport
from bot.clock import Clock
from bot.models import CONSOLE_GUILD_ID, Alert, DeliveryReport, GuildConfig, OutgoingMessage
from bot.ops import counters
from bot.settings import Settings
from bot.storage import alerts as store
from bot.storage import digests as digest_store
from bot.storage import guilds as guild_store
from bot.storage import outbox as outbox_store
from bot.storage.database import Database, is_database_locked
from bot.storage.outbox import OutboxRow

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 5.0
# Capped low: a channel waits behind its head message, so after an outage the queue
# must move again within minutes of Discord recovering.
BACKOFF_CAP_SECONDS = 300.0
LATE_ALERT_MAX_AGE = timedelta(hours=24)  # waiting longer than this: digest only, not posted
CATCH_UP_FOLD = 3  # more fresh alerts than this waiting for a channel: one combined message
HOLD_REASONS = ("quiet hours", "alerts paused")  # holds that end and release what they held
NO_CHANNEL = "no channel set for this server's alerts yet (/alerts channel): waiting"

# A channel's queue: (server, channel); None = the server has no channel for it.
Lane = tuple[int, int | None]


def _catch_up(value: object) -> compose.CatchUp:
    """A combined row's kind of catch-up: 'held' (quiet hours, a pause), 'channel' (waited
    for an alert channel; stored as ``True``), or None (a burst)."""
    if value == "held":
        return "held"
    return "channel" if value else None


def backoff_seconds(attempts: int, retry_after: float | None = None) -> float:
    """Delay before attempt ``attempts + 1``: 5 s doubling to 5 min, at least ``retry_after``."""
    delay = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return max(delay, retry_after or 0.0)


@dataclass
class _Tally:
    sent: int = 0
    edited: int = 0
    combined: int = 0
    held: int = 0
    waiting: int = 0
    retried: int = 0
    failed: int = 0
    backing_off: list[OutboxRow] = field(default_factory=list)  # retried in this pass

    def report(self, notices: int) -> DeliveryReport:
        return DeliveryReport(
            sent=self.sent,
            edited=self.edited,
            combined=self.combined,
            held=self.held,
            waiting=self.waiting,
            retried=self.retried,
            failed=self.failed,
            notices_queued=notices,
        )


class OutboxDelivery:
    """One delivery pass at a time (the scheduler job has max_instances=1)."""

    def __init__(self, db: Database, settings: Settings, clock: Clock) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self._owner = claims.new_owner()  # who holds this deliverer's claims on outbox rows

    async def _guild(self, guild_id: int, cache: dict[int, GuildConfig]) -> GuildConfig:
        if guild_id not in cache:
            found = await guild_store.get_guild(self._db.reader, guild_id)
            cache[guild_id] = found or GuildConfig(
                guild_id=guild_id, timezone=self._settings.default_timezone
            )
        return cache[guild_id]

    async def deliver_due(
        self, transport: Transport, notices_queued: int = 0, *, guild_id: int | None = None
    ) -> DeliveryReport:
        """Send every due row (of one server only, if ``guild_id`` is given)."""
        tally = _Tally()
        guilds: dict[int, GuildConfig] = {}
        now = self._clock.now()
        await self._release_waiting(now, guild_id, guilds)
        await self._release_held(now, guild_id, guilds)
        # Channels whose head is in retry backoff: their later posts wait (queue order).
        blocked: dict[Lane, int] = {}
        for r in await outbox_store.backing_off_rows(self._db.reader, now, guild_id):
            blocked.setdefault(self._lane(r, await self._guild(r.guild_id, guilds)), r.position)
        for due in await outbox_store.due_rows(self._db.reader, now, guild_id=guild_id):
            row = await outbox_store.get_row(self._db.reader, due.id)
            if row is None or row.status != "pending" or row.next_attempt_at > now:
                continue
            guild = await self._guild(row.guild_id, guilds)
            if row.kind != "edit":
                head = blocked.get(self._lane(row, guild))
                if head is not None and head < row.position:
                    continue  # an earlier message to the channel is waiting for its retry
            try:
                await self._deliver_row(row, guild, transport, tally)
            except sqlite3.OperationalError as exc:
                if is_database_locked(exc):
                    raise  # nothing can be recorded now: end the pass, the job reports it
                log.exception("event=delivery_row_failed outbox=%s kind=%s", row.id, row.kind)
                await self._retry(row, None, "internal error (see log)", tally, in_doubt=True)
            except Exception:
                # One bad row must not stop the others; it is retried like a transient error.
                log.exception("event=delivery_row_failed outbox=%s kind=%s", row.id, row.kind)
                await self._retry(row, None, "internal error (see log)", tally, in_doubt=True)
            while tally.backing_off:
                r = tally.backing_off.pop()
                if r.kind == "edit":
                    continue  # edits do not hold up posts
                lane = self._lane(r, await self._guild(r.guild_id, guilds))
                blocked[lane] = min(blocked.get(lane, r.position), r.position)
        report = tally.report(notices_queued)
        if any(report.model_dump().values()):
            log.info(
                "event=delivery_pass sent=%s edited=%s combined=%s held=%s waiting=%s retried=%s failed=%s",
                report.sent,
                report.edited,
                report.combined,
                report.held,
                report.waiting,
                report.retried,
                report.failed,
            )
        return report

    # --- per kind ---
    async def _deliver_row(
        self, row: OutboxRow, guild: GuildConfig, transport: Transport, tally: _Tally
    ) -> None:
        now = self._clock.now()
        if row.kind == "alert":
            await self._alert_row(row, guild, transport, tally, now)
        elif row.kind == "combined":
            await self._combined_row(row, guild, transport, tally)
        elif row.kind == "edit":
            await self._edit_row(row, guild, transport, tally)
        elif row.kind == "notice":
            if compose.in_quiet_hours(guild, now):
                async with self._db.transaction() as tx:
                    await outbox_store.postpone(tx, row.id, compose.quiet_ends_at(guild, now))
                tally.waiting += 1
                return
            msg = compose.notice_message(
                row.payload,
                guild,
                outbox_id=row.id,
                version=row.version,
                channel_id=self._channel(row, None, guild),
            )
            await self._send(row, msg, transport, tally)
        elif row.kind == "digest":
            if await outbox_store.earlier_unsent_in_group(self._db.reader, row):
                return  # parts of one digest go out in order
            msg = compose.digest_message(
                row.payload,
                guild,
                outbox_id=row.id,
                version=row.version,
                channel_id=self._target(row, guild),
            )
            await self._send(row, msg, transport, tally)

    def _channel(self, row: OutboxRow, alert: Alert | None, guild: GuildConfig) -> int | None:
        return row.channel_id or (alert.channel_id if alert else None) or guild.alert_channel_id

    @staticmethod
    def _target(row: OutboxRow, guild: GuildConfig) -> int | None:
        """The channel a post of this row goes to (an alert's row carries its channel)."""
        if row.kind == "digest":
            return row.channel_id or guild.digest_channel_id or guild.alert_channel_id
        return row.channel_id or guild.alert_channel_id

    def _lane(self, row: OutboxRow, guild: GuildConfig) -> Lane:
        return (row.guild_id, self._target(row, guild))

    def _hold_reason(self, guild: GuildConfig, now: datetime) -> str | None:
        if guild.alerts_paused:
            return "alerts paused"
        if compose.in_quiet_hours(guild, now):
            return "quiet hours"
        return None

    async def _alert_row(
        self, row: OutboxRow, guild: GuildConfig, transport: Transport, tally: _Tally, now: datetime
    ) -> None:
        assert row.alert_id is not None
        alert = await store.get_alert(self._db.reader, row.alert_id)
        if alert is None:
            return
        reason = self._hold_reason(guild, now)
        if reason is not None:
            async with self._db.transaction() as tx:
                await outbox_store.set_row_status(tx, [row.id], "held")
                await store.set_alert_status(tx, [alert.id], "held", reason)
            tally.held += 1
            log.info(
                "event=alert_held guild=%s alert=%s reason=%s", guild.guild_id, alert.id, reason
            )
            return
        pending = await outbox_store.pending_alert_rows(
            self._db.reader, guild.guild_id, alert.topic
        )
        hold = timedelta(seconds=self._settings.alert_hold_seconds)
        oldest = min((r.created_at for r in pending), default=row.created_at)
        if oldest + hold > now:
            await self._wait([row], oldest + hold, tally)
            return
        window = timedelta(seconds=self._settings.coalesce_window_seconds)
        fired, last_at = await store.topic_activity(
            self._db.reader, guild.guild_id, alert.topic, oldest - window
        )
        burst = fired >= self._settings.coalesce_threshold and window > timedelta(0)
        if burst and last_at is not None and last_at + window > now:
            await self._wait(pending, last_at + window, tally)
            return
        if row.in_doubt or row.claimed_by is not None or not burst or len(pending) <= 1:
            # (a row in doubt, or claimed, may be posted already: it is settled on its own)
            msg = compose.alert_message(
                alert,
                guild,
                outbox_id=row.id,
                version=row.version,
                channel_id=self._channel(row, alert, guild),
            )
            ref = await self._send(row, msg, transport, tally)
            if ref is not None:
                await self._after_alert_sent([(alert, alert.version)], ref, row.id, combined=False)
            return
        combined_id = await self._make_combined(guild, alert.topic, pending, now)
        if combined_id is None:
            return  # another deliverer is sending these alerts
        combined = await outbox_store.get_row(self._db.reader, combined_id)
        assert combined is not None
        await self._combined_row(combined, guild, transport, tally)

    async def _wait(self, rows: list[OutboxRow], until: datetime, tally: _Tally) -> None:
        async with self._db.transaction() as tx:
            for r in rows:
                if r.next_attempt_at < until:
                    await outbox_store.postpone(tx, r.id, until)
        tally.waiting += 1

    async def _make_combined(
        self, guild: GuildConfig, topic: str, pending: list[OutboxRow], now: datetime
    ) -> int | None:
        """One combined row in place of the pending alerts no other deliverer is sending."""
        async with self._db.transaction() as tx:
            merged = set(await outbox_store.merge_rows(tx, [r.id for r in pending], "pending"))
            pending = [r for r in pending if r.id in merged]
            if not pending:
                return None
            alert_ids = [r.alert_id for r in pending if r.alert_id is not None]
            channel = next((r.channel_id for r in pending if r.channel_id), None)
            combined_id = await outbox_store.enqueue(
                tx,
                guild_id=guild.guild_id,
                kind="combined",
                now=now,
                channel_id=channel,
                payload={"alert_ids": alert_ids, "topic": topic},
                position=min(r.position for r in pending),
            )
            assert combined_id is not None
        log.info(
            "event=alerts_combined guild=%s topic=%s alerts=%s outbox=%s",
            guild.guild_id,
            topic,
            len(alert_ids),
            combined_id,
        )
        return combined_id

    async def _combined_row(
        self, row: OutboxRow, guild: GuildConfig, transport: Transport, tally: _Tally
    ) -> None:
        ids = [int(i) for i in row.payload.get("alert_ids", [])]
        members = await store.alerts_by_ids(self._db.reader, ids)
        if not members:
            async with self._db.transaction() as tx:
                await outbox_store.set_row_status(tx, [row.id], "merged")
            return
        reason = self._hold_reason(guild, self._clock.now())
        if reason is not None:  # e.g. retried into the quiet hours: the digest gets them
            async with self._db.transaction() as tx:
                await outbox_store.set_row_status(tx, [row.id], "held")
                await store.set_alert_status(tx, [a.id for a in members], "held", reason)
            tally.held += len(members)
            return
        channel = row.channel_id or next((a.channel_id for a in members if a.channel_id), None)
        msg = compose.combined_message(
            members,
            guild,
            outbox_id=row.id,
            version=row.version,
            channel_id=channel or guild.alert_channel_id,
            catch_up=_catch_up(row.payload.get("catch_up")),
        )
        ref = await self._send(row, msg, transport, tally)
        if ref is not None:
            tally.combined += 1
            await self._after_alert_sent(
                [(a, a.version) for a in members], ref, row.id, combined=True
            )

    async def _after_alert_sent(
        self, shown: list[tuple[Alert, int]], ref: str, outbox_id: int, *, combined: bool
    ) -> None:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            for alert, version in shown:
                await store.mark_alert_delivered(
                    tx,
                    alert.id,
                    message_ref=ref,
                    shown_version=version,
                    now=now,
                    combined_id=outbox_id if combined else None,
                )
                current = await store.get_alert(tx, alert.id)
                if current is not None and current.version > version:
                    # folded while the message was on its way: bring it up to date
                    await outbox_store.enqueue_edit(
                        tx, guild_id=alert.guild_id, alert_id=alert.id, now=now
                    )

    async def _edit_row(
        self, row: OutboxRow, guild: GuildConfig, transport: Transport, tally: _Tally
    ) -> None:
        assert row.alert_id is not None
        alert = await store.get_alert(self._db.reader, row.alert_id)
        if alert is None or alert.message_ref is None:
            async with self._db.transaction() as tx:
                await outbox_store.set_row_status(tx, [row.id], "merged")
            return
        msg: OutgoingMessage
        if alert.combined_id is not None:
            members = await store.alerts_in_message(self._db.reader, alert.combined_id)
            combined = await outbox_store.get_row(self._db.reader, alert.combined_id)
            msg = compose.combined_message(
                members,
                guild,
                outbox_id=alert.combined_id,
                version=row.version,
                channel_id=self._channel(row, alert, guild),
                catch_up=_catch_up(combined.payload.get("catch_up") if combined else None),
            )
        else:
            msg = compose.alert_message(
                alert,
                guild,
                outbox_id=row.id,
                version=row.version,
                channel_id=self._channel(row, alert, guild),
            )
        try:
            await transport.edit(alert.message_ref, msg)
        except TransientDeliveryError as exc:
            await self._retry(row, exc.retry_after, str(exc), tally)
            return
        except PermanentDeliveryError as exc:
            await self._fail(row, str(exc), tally)
            return
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await outbox_store.mark_sent(tx, row.id, row.version, alert.message_ref, now)
            await store.set_alert_shown(tx, alert.id, alert.version)
        tally.edited += 1
        counters.ALERTS_DELIVERED.inc()
        log.info(
            "event=alert_edited guild=%s alert=%s ref=%s",
            guild.guild_id,
            alert.id,
            alert.message_ref,
        )

    # --- sending and its outcomes ---
    async def _send(
        self, row: OutboxRow, msg: OutgoingMessage, transport: Transport, tally: _Tally
    ) -> str | None:
        if msg.channel_id is None and msg.guild_id != CONSOLE_GUILD_ID:
            await self._wait_for_channel(row, tally)
            return None
        in_doubt = await self._claim(row)
        if in_doubt is None:
            tally.backing_off.append(row)  # later posts to its channel wait (queue order)
            return None
        try:
            ref = await self._find_earlier_post(row, msg, transport) if in_doubt else None
            if ref is None:
                ref = await transport.send(msg)
        except TransientDeliveryError as exc:
            await self._retry(
                row, exc.retry_after, str(exc), tally, in_doubt=in_doubt or exc.maybe_sent
            )
            return None
        except PermanentDeliveryError as exc:
            await self._fail(row, str(exc), tally)
            return None
        now = self._clock.now()
        digest_done = False
        async with self._db.transaction() as tx:
            await outbox_store.mark_sent(tx, row.id, row.version, ref, now)
            if row.kind == "digest" and row.group_key:
                period = str(row.payload.get("period", ""))
                digest_done = await digest_store.mark_sent_if_complete(
                    tx, row.guild_id, period, row.group_key, now
                )
        counters.ALERTS_DELIVERED.inc()
        if digest_done:
            counters.DIGEST_RUNS.inc()
        if row.kind in ("alert", "notice", "digest"):
            tally.sent += 1
        log.info(
            "event=message_sent guild=%s kind=%s outbox=%s ref=%s",
            row.guild_id,
            row.kind,
            row.id,
            ref,
        )
        return ref

    async def _claim(self, row: OutboxRow) -> bool | None:
        """Claim the row for sending (committed before the send). None: another deliverer is
        sending it. Else whether it is in doubt: an earlier send's outcome was never recorded
        (its holder died or lost the answer), so the message may be posted already."""
        holder = row.claimed_by
        now = self._clock.now()
        if (
            holder is not None
            and holder != self._owner
            and not claims.released(holder, row.claimed_at, now)
        ):
            log.info("event=delivery_claimed_elsewhere outbox=%s holder=%s", row.id, holder)
            return None
        in_doubt = row.in_doubt or holder is not None
        async with self._db.transaction() as tx:
            claimed = await outbox_store.claim(
                tx, row.id, owner=self._owner, holder=holder, now=now, in_doubt=in_doubt
            )
        return in_doubt if claimed else None

    async def _find_earlier_post(
        self, row: OutboxRow, msg: OutgoingMessage, transport: Transport
    ) -> str | None:
        """The message already posted for this row, if the transport can look (Discord: the
        channel's recent messages carry their dedupe key), so it is not posted twice."""
        find = getattr(transport, "find_sent", None)
        if find is None:
            return None
        ref: str | None = await find(msg)
        log.info("event=delivery_in_doubt outbox=%s key=%s found=%s", row.id, msg.dedupe_key, ref)
        return ref

    async def _retry(
        self,
        row: OutboxRow,
        retry_after: float | None,
        error: str,
        tally: _Tally,
        *,
        in_doubt: bool = False,
    ) -> None:
        attempts = row.attempts + 1
        if attempts >= self._settings.delivery_max_attempts:
            await self._fail(row, f"gave up after {attempts} attempts: {error}", tally)
            return
        next_at = self._clock.now() + timedelta(seconds=backoff_seconds(attempts, retry_after))
        async with self._db.transaction() as tx:
            await outbox_store.record_retry(
                tx, row.id, attempts=attempts, next_at=next_at, error=error, in_doubt=in_doubt
            )
        tally.retried += 1
        tally.backing_off.append(row)
        counters.ALERTS_RETRIED.inc()
        log.warning(
            "event=delivery_retry outbox=%s kind=%s attempts=%s next_at=%s error=%s",
            row.id,
            row.kind,
            attempts,
            next_at.isoformat(),
            error,
        )

    async def _wait_for_channel(self, row: OutboxRow, tally: _Tally) -> None:
        async with self._db.transaction() as tx:
            await outbox_store.set_row_status(tx, [row.id], "waiting_channel", error=NO_CHANNEL)
            if row.kind == "alert" and row.alert_id is not None:
                await store.set_alert_status(tx, [row.alert_id], "pending", "no channel set")
        tally.waiting += 1
        log.info(
            "event=waiting_for_channel outbox=%s kind=%s guild=%s", row.id, row.kind, row.guild_id
        )

    async def _release_waiting(
        self, now: datetime, guild_id: int | None, guilds: dict[int, GuildConfig]
    ) -> None:
        """Release the rows parked for want of a channel, for servers that now have one."""
        by_guild: dict[int, list[OutboxRow]] = {}
        for row in await outbox_store.waiting_channel_rows(self._db.reader, guild_id):
            by_guild.setdefault(row.guild_id, []).append(row)
        for gid, rows in by_guild.items():
            guild = await self._guild(gid, guilds)
            ready = [r for r in rows if self._target(r, guild) is not None]
            if ready:
                await self._release(guild, ready, now)

    async def _release(self, guild: GuildConfig, rows: list[OutboxRow], now: datetime) -> None:
        too_old = now - LATE_ALERT_MAX_AGE
        alert_ids = [r.alert_id for r in rows if r.kind == "alert" and r.alert_id is not None]
        alerts = {a.id: a for a in await store.alerts_by_ids(self._db.reader, alert_ids)}
        release: list[OutboxRow] = []
        fresh_alerts: list[OutboxRow] = []
        stale: list[OutboxRow] = []
        stale_alerts: list[int] = []
        for r in rows:
            if r.kind == "alert":
                alert = alerts.get(r.alert_id or 0)
                if alert is None or alert.created_at < too_old:
                    stale.append(r)
                    stale_alerts += [alert.id] if alert else []
                else:
                    fresh_alerts.append(r)
            elif r.kind == "combined":
                ids = [int(i) for i in r.payload.get("alert_ids", [])]
                members = await store.alerts_by_ids(self._db.reader, ids)
                if all(a.created_at < too_old for a in members):
                    stale.append(r)
                    stale_alerts += [a.id for a in members]
                else:
                    release.append(r)
            elif r.kind == "notice" and r.created_at < too_old:
                stale.append(r)
            else:
                release.append(r)
        async with self._db.transaction() as tx:
            if len(fresh_alerts) > CATCH_UP_FOLD:
                merged = set(
                    await outbox_store.merge_rows(
                        tx, [r.id for r in fresh_alerts], "waiting_channel"
                    )
                )
                # (none merged: another deliverer released them first)
                ids = [r.alert_id for r in fresh_alerts if r.id in merged and r.alert_id]
                topics = dict.fromkeys(alerts[i].topic for i in ids)
                if ids:
                    await outbox_store.enqueue(
                        tx,
                        guild_id=guild.guild_id,
                        kind="combined",
                        now=now,
                        payload={"alert_ids": ids, "topic": ", ".join(topics), "catch_up": True},
                        position=min(r.position for r in fresh_alerts),
                    )
            else:
                release += fresh_alerts
            await outbox_store.release_rows(tx, [r.id for r in release], now)
            await outbox_store.set_row_status(
                tx, [r.id for r in stale], "held", error="too old to post"
            )
            await store.set_alert_status(
                tx, stale_alerts, "held", "no channel set: too old to post"
            )
        log.info(
            "event=channel_waiting_released guild=%s released=%s folded=%s too_old=%s",
            guild.guild_id,
            len(release),
            len(fresh_alerts) if len(fresh_alerts) > CATCH_UP_FOLD else 0,
            len(stale),
        )

    async def _release_held(
        self, now: datetime, guild_id: int | None, guilds: dict[int, GuildConfig]
    ) -> None:
        """Servers whose quiet hours ended (or that resumed alerts): what was held goes out as
        one catch-up message, oldest first."""
        by_guild: dict[int, list[OutboxRow]] = {}
        for row in await outbox_store.held_rows(self._db.reader, guild_id):
            by_guild.setdefault(row.guild_id, []).append(row)
        for gid, rows in by_guild.items():
            guild = await self._guild(gid, guilds)
            if self._hold_reason(guild, now) is not None:
                continue
            await self._release_hold(guild, rows, now)

    async def _release_hold(self, guild: GuildConfig, rows: list[OutboxRow], now: datetime) -> None:
        ids_by_row: dict[int, list[int]] = {}
        for r in rows:
            if r.kind == "alert" and r.alert_id is not None:
                ids_by_row[r.id] = [r.alert_id]
            elif r.kind == "combined":
                ids_by_row[r.id] = [int(i) for i in r.payload.get("alert_ids", [])]
        every = [i for ids in ids_by_row.values() for i in ids]
        alerts = {a.id: a for a in await store.alerts_by_ids(self._db.reader, every)}
        muted = await store.stories_muted_in(
            self._db.reader, list({a.story_id for a in alerts.values()})
        )
        too_old = now - LATE_ALERT_MAX_AGE
        mine = [
            r
            for r in rows
            if any(
                alerts[i].hold_reason in HOLD_REASONS
                for i in ids_by_row.get(r.id, [])
                if i in alerts
            )
        ]
        if not mine:
            return
        async with self._db.transaction() as tx:
            merged = set(await outbox_store.merge_rows(tx, [r.id for r in mine], "held"))
            released = [
                alerts[i]
                for r in mine
                if r.id in merged
                for i in ids_by_row[r.id]
                if i in alerts
                and alerts[i].hold_reason in HOLD_REASONS
                and alerts[i].status in ("held", "digested")
                and alerts[i].created_at >= too_old
                and guild.guild_id not in muted.get(alerts[i].story_id, set())
            ]
            released.sort(key=lambda a: (a.published, a.id))
            if released:
                await store.set_alert_status(tx, [a.id for a in released], "pending", None)
                await outbox_store.enqueue(
                    tx,
                    guild_id=guild.guild_id,
                    kind="combined",
                    now=now,
                    channel_id=next((r.channel_id for r in mine if r.channel_id), None),
                    payload={
                        "alert_ids": [a.id for a in released],
                        "topic": ", ".join(dict.fromkeys(a.topic for a in released)),
                        "catch_up": "held",
                    },
                    position=min(r.position for r in mine if r.id in merged),
                )
        log.info(
            "event=held_released guild=%s rows=%s alerts=%s",
            guild.guild_id,
            len(merged),
            len(released),
        )

    async def _fail(self, row: OutboxRow, error: str, tally: _Tally) -> None:
        async with self._db.transaction() as tx:
            await outbox_store.set_row_status(
                tx, [row.id], "failed", error=error, attempts=row.attempts + 1
            )
            if row.kind == "alert" and row.alert_id is not None:
                await store.set_alert_status(tx, [row.alert_id], "failed", error[:200])
            if row.kind == "combined":
                ids = [int(i) for i in row.payload.get("alert_ids", [])]
                await store.set_alert_status(tx, ids, "failed", error[:200])
        tally.failed += 1
        log.warning(
            "event=delivery_failed outbox=%s kind=%s guild=%s error=%s",
            row.id,
            row.kind,
            row.guild_id,
            error,
        )
