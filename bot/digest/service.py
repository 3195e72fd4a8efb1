"""``services.digests``: build, run (once per server per local day), preview, timeline.

A run is claimed in the ``digest_runs`` table (guild, local date) in the same transaction that
queues its message parts in the outbox: a restart or a second trigger finds the row and does
nothing (never twice); a trigger that is late (misfire, restart after the time) still runs it
as long as the day's row is missing (never skipped), and the period always starts where the
last digest ended, so nothing falls between two digests.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol, cast, get_args

import aiosqlite

from bot.alerts.compose import zone
from bot.clock import Clock, to_iso
from bot.digest.builder import TREND_DAYS, build_digest, build_timeline, trends
from bot.digest.render import digest_title, render_digest, split_lines
from bot.errors import UserFacingError
from bot.models import (
    CONSOLE_GUILD_ID,
    Alert,
    DatePrecision,
    Digest,
    DigestFact,
    GuildConfig,
    Timeline,
)
from bot.settings import Settings
from bot.storage import alerts as alert_store
from bot.storage import digests as store
from bot.storage import guilds as guild_store
from bot.storage import outbox as outbox_store
from bot.storage.database import Database, is_database_locked

log = logging.getLogger(__name__)

DATE_PRECISIONS = frozenset(get_args(DatePrecision))

DEFAULT_PERIOD = timedelta(hours=24)
FACTS_SCAN = 5000  # new facts looked at per digest (to count them and pick the relevant ones)
FACTS_PER_ARTICLE = 2
CHUNK_CHARS = 3800  # one part fits an embed description (4,096) with its title and footer


class FactLike(Protocol):
    @property
    def article_id(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def headline(self) -> str: ...
    @property
    def publisher(self) -> str: ...
    @property
    def published(self) -> datetime: ...
    @property
    def url(self) -> str | None: ...
    @property
    def dates(self) -> list[date]: ...
    @property
    def date_precisions(self) -> list[str]: ...


class FactSource(Protocol):
    async def facts_since(self, since: datetime, limit: int = 50) -> Sequence[FactLike]: ...

    async def dated_facts(self, terms: list[str], limit: int = 100) -> Sequence[FactLike]: ...


class ArticleLike(Protocol):
    @property
    def id(self) -> int | None: ...


class StorySource(Protocol):
    async def articles_of(self, story_id: int) -> Sequence[ArticleLike]: ...


class TopicLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def any_of(self) -> tuple[str, ...]: ...


class TopicLister(Protocol):
    async def list(self, guild_id: int | None) -> Sequence[TopicLike]: ...


def _fact(f: FactLike) -> DigestFact:
    return DigestFact(
        text=f.text, headline=f.headline, publisher=f.publisher, published=f.published, url=f.url
    )


def scheduled_at(guild: GuildConfig, day: date) -> datetime:
    """The server's digest time on local date ``day``, as an aware datetime."""
    hours, _, minutes = guild.digest_time.partition(":")
    return datetime.combine(day, time(int(hours), int(minutes or 0)), tzinfo=zone(guild.timezone))


class DigestService:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        clock: Clock,
        *,
        facts: FactSource | None = None,
        topics: TopicLister | None = None,
        stories: StorySource | None = None,
        chunk_chars: int = CHUNK_CHARS,
        facts_limit: int = 15,
    ) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self.facts = facts
        self.topics = topics
        self.stories = stories
        self._chunk_chars = chunk_chars
        self._facts_limit = facts_limit
        self._making = asyncio.Lock()

    async def _guild(self, guild_id: int) -> GuildConfig:
        found = await guild_store.get_guild(self._db.reader, guild_id)
        return found or GuildConfig(guild_id=guild_id, timezone=self._settings.default_timezone)

    async def build(self, guild_id: int, since: datetime, now: datetime | None = None) -> Digest:
        """The digest of [since, now) for a server (no side effects)."""
        now = now or self._clock.now()
        guild = await self._guild(guild_id)
        moved = await alert_store.alerts_updated_between(self._db.reader, guild_id, since, now)
        held = await alert_store.held_alerts(self._db.reader, guild_id)
        facts, facts_total = await self._story_facts(since, [*moved, *held])
        story_ids = list({a.story_id for a in [*moved, *held]})
        muted = {
            story
            for story, servers in (
                await alert_store.stories_muted_in(self._db.reader, story_ids)
            ).items()
            if guild_id in servers
        }
        week = await alert_store.topic_alert_times(
            self._db.reader, guild_id, now - timedelta(days=TREND_DAYS + 1), now
        )
        return build_digest(
            trend=trends(week, now, guild.timezone),
            muted=muted,
            facts_total=facts_total,
            guild_id=guild_id,
            timezone=guild.timezone,
            since=since,
            until=now,
            moved=moved,
            held=held,
            facts=facts,
        )

    async def _story_facts(
        self, since: datetime, alerts: Sequence[Alert]
    ) -> tuple[list[DigestFact], int]:
        """New facts from the articles of the digest's stories (most-covered stories first,
        ``FACTS_PER_ARTICLE`` per article, ``facts_limit`` in all), and how many facts are new."""
        if self.facts is None:
            return [], 0
        new = await self.facts.facts_since(since, FACTS_SCAN)
        rank: dict[int, int] = {}
        ordered = sorted(alerts, key=lambda a: (-len(set(a.outlets)), -a.published.timestamp()))
        for i, alert in enumerate(ordered):
            rank.setdefault(alert.article_id, i)
            if self.stories is not None:
                for art in await self.stories.articles_of(alert.story_id):
                    if art.id is not None:
                        rank.setdefault(art.id, i)
        per_article: dict[int, int] = {}
        picked = []
        for f in sorted((f for f in new if f.article_id in rank), key=lambda f: rank[f.article_id]):
            if per_article.get(f.article_id, 0) >= FACTS_PER_ARTICLE:
                continue
            per_article[f.article_id] = per_article.get(f.article_id, 0) + 1
            picked.append(_fact(f))
            if len(picked) >= self._facts_limit:
                break
        return picked, len(new)

    async def preview(
        self, guild_id: int, since: datetime | None = None, now: datetime | None = None
    ) -> tuple[Digest, list[str]]:
        """What the digest would say now (for ``digest --print``): the digest and its lines."""
        now = now or self._clock.now()
        if since is None:
            last = await store.last_run(self._db.reader, guild_id)
            since = last.until if last else now - DEFAULT_PERIOD
        digest = await self.build(guild_id, since, now)
        return digest, [digest_title(digest), *render_digest(digest)]

    async def run_due_digest(self, guild_id: int, now: datetime | None = None) -> Digest | None:
        """See ``_run_due_digest``; one digest (scheduled or on request) is made at a time,
        so each starts where the one before it ended."""
        async with self._making:
            return await self._run_due_digest(guild_id, now)

    async def _run_due_digest(self, guild_id: int, now: datetime | None = None) -> Digest | None:
        """Queue today's digest for the server if its time has come and it has not run today.

        No channel for the digest (and not the console): the run is claimed but held
        ('waiting_channel', nothing built, held alerts stay held); it is built and queued when
        a channel is set (covering everything up to then), and a held run not yet released
        when the next day's digest is due is taken over by it (that one starts where the held
        one started), so nothing is lost and nothing is posted twice.

        Returns the digest queued, or None (not yet time / already done / held). Idempotent.
        """
        now = now or self._clock.now()
        guild = await self._guild(guild_id)
        local_day = now.astimezone(zone(guild.timezone)).date()
        period = local_day.isoformat()
        due = scheduled_at(guild, local_day)
        has_channel = self._has_channel(guild)
        waiting = await store.waiting_run(self._db.reader, guild_id)
        if waiting is not None and has_channel and (now < due or waiting.period == period):
            return await self._release(guild, waiting, now)
        if now < due:
            return None
        if await store.get_run(self._db.reader, guild_id, period) is not None:
            return None
        last = await store.last_run(self._db.reader, guild_id)
        # Timestamps have one-second precision: the period ends just before the current second,
        # so whatever is written during it belongs to the next digest, never to none.
        until = now.replace(microsecond=0) - timedelta(seconds=1)
        if waiting is not None:
            since = waiting.since
        else:
            since = last.until if last else until - DEFAULT_PERIOD
        if now - since > DEFAULT_PERIOD + timedelta(hours=6) and waiting is None:
            log.warning(
                "event=digest_gap guild=%s since=%s period=%s", guild_id, since.isoformat(), period
            )
        if not has_channel:
            async with self._db.transaction() as tx:
                if waiting is not None:
                    await store.delete_waiting_run(tx, guild_id, waiting.period)
                await store.insert_run(
                    tx,
                    guild_id=guild_id,
                    period=period,
                    since=since,
                    until=until,
                    chunks=0,
                    now=now,
                    status="waiting_channel",
                )
            log.info("event=digest_waiting_channel guild=%s period=%s", guild_id, period)
            return None
        digest = await self.build(guild_id, since, until)
        title, chunks = self._parts(digest)
        async with self._db.transaction() as tx:
            if waiting is not None:
                await store.delete_waiting_run(tx, guild_id, waiting.period)
            claimed = await store.insert_run(
                tx,
                guild_id=guild_id,
                period=period,
                since=since,
                until=until,
                chunks=len(chunks),
                now=now,
            )
            if not claimed:
                return None
            await self._queue(tx, guild, digest, period, title, chunks, now)
        self._log_queued(guild_id, period, digest, len(chunks))
        return digest

    async def post_now(
        self, guild_id: int, now: datetime | None = None, *, channel_id: int | None = None
    ) -> tuple[Digest, int] | None:
        """An extra digest on request (``/digest now``): what happened since the last digest,
        queued in the outbox (delivery guarantees apply) and recorded as a run of its own
        (period ``manual:<time>``), so the next digest covers only what came after it. It does
        not replace the day's scheduled digest, which still runs at its time.

        ``channel_id``: where to post when the server has no digest/alert channel (the
        channel the command was typed in). Returns the digest and its part count (0: nothing
        new since the last digest, nothing queued), or None when an identical request in the
        same second already queued it.
        """
        async with self._making:
            return await self._post_now(guild_id, now or self._clock.now(), channel_id)

    async def _post_now(
        self, guild_id: int, now: datetime, channel_id: int | None
    ) -> tuple[Digest, int] | None:
        guild = await self._guild(guild_id)
        target = guild.digest_channel_id or guild.alert_channel_id or channel_id
        if target is None and guild_id != CONSOLE_GUILD_ID:
            raise UserFacingError(
                "This server has no digest or alert channel yet: set one with /digest schedule "
                "or /alerts channel."
            )
        until = now.replace(microsecond=0) - timedelta(seconds=1)
        waiting = await store.waiting_run(self._db.reader, guild_id)
        last = await store.last_run(self._db.reader, guild_id)
        if waiting is not None:
            since = waiting.since
        else:
            since = last.until if last else until - DEFAULT_PERIOD
        since = min(since, until)
        period = f"manual:{to_iso(now)}"
        digest = await self.build(guild_id, since, until)
        if not digest.sections and not digest.held and not digest.facts:
            # nothing new: the asker is told so privately; nothing is posted or recorded
            log.info("event=digest_now_empty guild=%s since=%s", guild_id, to_iso(since))
            return digest, 0
        title, chunks = self._parts(digest)
        async with self._db.transaction() as tx:
            claimed = await store.insert_run(
                tx,
                guild_id=guild_id,
                period=period,
                since=since,
                until=until,
                chunks=len(chunks),
                now=now,
            )
            if not claimed:
                return None
            if waiting is not None:
                # This one covers the held run's period so far: the held run (still the day's
                # digest, posted once a channel is set) now starts where this one ends.
                await store.delete_waiting_run(tx, guild_id, waiting.period)
                await store.insert_run(
                    tx,
                    guild_id=guild_id,
                    period=waiting.period,
                    since=until,
                    until=until,
                    chunks=0,
                    now=waiting.started_at,
                    status="waiting_channel",
                )
            await self._queue(
                tx, guild, digest, period, title, chunks, now, channel_id=target, manual=True
            )
        self._log_queued(guild_id, period, digest, len(chunks))
        return digest, len(chunks)

    @staticmethod
    def _has_channel(guild: GuildConfig) -> bool:
        return bool(
            guild.guild_id == CONSOLE_GUILD_ID or guild.digest_channel_id or guild.alert_channel_id
        )

    def _parts(self, digest: Digest) -> tuple[str, list[str]]:
        return digest_title(digest), split_lines(render_digest(digest), self._chunk_chars)

    async def _release(
        self, guild: GuildConfig, run: store.DigestRun, now: datetime
    ) -> Digest | None:
        """A held run, now that the server has a channel: built up to now and queued."""
        until = now.replace(microsecond=0) - timedelta(seconds=1)
        digest = await self.build(guild.guild_id, run.since, until)
        title, chunks = self._parts(digest)
        async with self._db.transaction() as tx:
            if not await store.release_run(
                tx, guild.guild_id, run.period, until=until, chunks=len(chunks)
            ):
                return None
            await self._queue(tx, guild, digest, run.period, title, chunks, now)
        self._log_queued(guild.guild_id, run.period, digest, len(chunks))
        return digest

    async def _queue(
        self,
        tx: aiosqlite.Connection,
        guild: GuildConfig,
        digest: Digest,
        period: str,
        title: str,
        chunks: list[str],
        now: datetime,
        *,
        channel_id: int | None = None,
        manual: bool = False,
    ) -> None:
        """The run's message parts into the outbox; the held alerts it shows become 'digested'."""
        group = f"digest:{period}"
        notes = ["posted on request"] if manual else []
        for i, chunk in enumerate(chunks, start=1):
            footer = [*notes, f"part {i} of {len(chunks)}"] if len(chunks) > 1 else notes
            await outbox_store.enqueue(
                tx,
                guild_id=guild.guild_id,
                kind="digest",
                now=now,
                channel_id=channel_id or guild.digest_channel_id or guild.alert_channel_id,
                source_key=f"{group}:{i}",
                group_key=group,
                payload={
                    "title": title if i == 1 else f"{title} ({i}/{len(chunks)})",
                    "lines": chunk.split("\n"),
                    "footer": " · ".join(footer),
                    "period": period,
                },
            )
        held_ids = [a.id for a in await alert_store.held_alerts(tx, guild.guild_id)]
        included = {ln.story_id for ln in digest.held}
        await alert_store.set_alert_status(
            tx,
            [a.id for a in await alert_store.alerts_by_ids(tx, held_ids) if a.story_id in included],
            "digested",
        )

    @staticmethod
    def _log_queued(guild_id: int, period: str, digest: Digest, parts: int) -> None:
        log.info(
            "event=digest_queued guild=%s period=%s parts=%s stories=%s",
            guild_id,
            period,
            parts,
            digest.totals.stories,
        )

    async def release_waiting(self, now: datetime | None = None) -> list[int]:
        """Queue every held run whose server has a channel now (cheap when none is held)."""
        runs = await store.waiting_runs(self._db.reader)
        return await self._run_each([run.guild_id for run in runs], now or self._clock.now())

    async def run_overdue(self, now: datetime | None = None) -> list[int]:
        """Catch-up: run every server's digest whose time today has passed and is not done."""
        guilds = await guild_store.list_guilds(self._db.reader)
        return await self._run_each([g.guild_id for g in guilds], now or self._clock.now())

    async def _run_each(self, guild_ids: list[int], now: datetime) -> list[int]:
        """``run_due_digest`` for each server; returns those whose digest was queued."""
        ran = []
        for guild_id in guild_ids:
            try:
                if await self.run_due_digest(guild_id, now) is not None:
                    ran.append(guild_id)
            except Exception as exc:  # boundary: one server's digest must not stop the others
                if is_database_locked(exc):
                    raise  # the database, not the server: the job reports it
                log.exception("event=digest_failed guild=%s", guild_id)
        return ran

    async def runs(self, guild_id: int) -> list[store.DigestRun]:
        return await store.list_runs(self._db.reader, guild_id)

    async def timeline(self, guild_id: int, topic_name: str) -> Timeline:
        """That topic's stories and dated facts, oldest first (what /timeline shows)."""
        guild = await self._guild(guild_id)
        terms: list[str] = []
        name = topic_name.strip()
        if self.topics is not None:
            topics = await self.topics.list(guild_id)
            found = next((t for t in topics if t.name.casefold() == name.casefold()), None)
            if found is None:
                known = ", ".join(t.name for t in topics) or "none"
                raise UserFacingError(f"No topic named {topic_name!r}. Topics: {known}.")
            name, terms = found.name, list(found.any_of)
        alerts = await alert_store.alerts_of_topic(self._db.reader, guild_id, name)
        dated: list[tuple[datetime, DatePrecision, DigestFact]] = []
        if self.facts is not None and terms:
            for f in await self.facts.dated_facts(terms):
                if f.dates:  # the earliest date the fact names, as exactly as its text gave it
                    precisions = f.date_precisions or ["day"] * len(f.dates)
                    day, given = min(zip(f.dates, precisions, strict=False))
                    precision = given if given in DATE_PRECISIONS else "day"
                    when = datetime.combine(day, time(12), tzinfo=UTC)
                else:  # undated: the day its article was published
                    when, precision = f.published, "day"
                dated.append((when, cast(DatePrecision, precision), _fact(f)))
        return build_timeline(
            guild_id=guild_id, topic=name, timezone=guild.timezone, alerts=alerts, facts=dated
        )
