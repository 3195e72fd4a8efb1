"""TopicService: shipped and per-server topics, validated, stored, compiled once per change."""

from __future__ import annotations

import asyncio
import builtins
import json
import logging
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.clock import Clock, from_iso
from bot.errors import UserFacingError
from bot.models import BacktestExample, BacktestResult, Match, Topic
from bot.storage import topics as store
from bot.storage.database import Database
from bot.topics.confusables import differing_chars, lookalike_key
from bot.topics.matcher import Matcher
from bot.topics.rules import TopicRule, name_key, validate_rule

log = logging.getLogger(__name__)

MAX_TOPICS_PER_GUILD = 100
MAX_BACKTEST_DAYS = 3650
BACKTEST_SCAN_LIMIT = 100_000
BACKTEST_EXAMPLES = 5


def read_seed_topics(path: Path) -> list[TopicRule]:
    """The shipped topics in ``seeds/topics.json``, every rule validated (raises on a bad one)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rules: list[TopicRule] = []
    seen: set[str] = set()
    for item in data["topics"]:
        rule = validate_rule(
            item["name"], item["any_of"], item.get("all_of", ()), item.get("none_of", ())
        )
        key = name_key(rule.name)
        if key in seen:
            raise UserFacingError(f"{path}: topic {rule.name!r} is listed twice")
        seen.add(key)
        rules.append(rule)
    return rules


class TopicService:
    """Built as ``TopicService(db, clock)``; exposed as ``services.topics``."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._version: int | None = None
        self._cache: dict[int | None, Matcher] = {}
        self._lock = asyncio.Lock()

    # --- shipped topics ---
    async def load_seeds(self, path: Path) -> int:
        """Make the shipped topics in the database equal ``path``; idempotent.

        Returns how many topics were inserted or updated (0 when nothing changed).
        """
        if not await asyncio.to_thread(path.exists):
            log.warning("event=topic_seeds_missing path=%s", path)
            return 0
        rules = await asyncio.to_thread(read_seed_topics, path)
        changed = 0
        now = self._clock.now()
        async with self._db.transaction() as tx:
            for rule in rules:
                key = name_key(rule.name)
                current = await store.topic_by_name_any_guild(tx, key)
                shipped = next((t for t in current if t.guild_id is None), None)
                if shipped is None:
                    await store.insert_topic(
                        tx,
                        guild_id=None,
                        name=rule.name,
                        name_key=key,
                        any_of=rule.any_of,
                        all_of=rule.all_of,
                        none_of=rule.none_of,
                        ping_role_id=None,
                        now=now,
                    )
                    changed += 1
                elif (shipped.name, shipped.any_of, shipped.all_of, shipped.none_of) != (
                    rule.name,
                    rule.any_of,
                    rule.all_of,
                    rule.none_of,
                ):
                    await store.update_topic_rule(
                        tx,
                        shipped.id,
                        name=rule.name,
                        any_of=rule.any_of,
                        all_of=rule.all_of,
                        none_of=rule.none_of,
                        now=now,
                    )
                    changed += 1
                clashes = [t for t in current if t.guild_id is not None]
                for t in clashes:
                    log.warning("event=topic_shadows_shipped guild=%s topic=%s", t.guild_id, t.name)
        if changed:
            log.info("event=topic_seeds_loaded changed=%s path=%s", changed, path)
        return changed

    # --- queries ---
    async def list(self, guild_id: int | None) -> builtins.list[Topic]:
        """Shipped topics, then the server's own."""
        return await store.topics_for(self._db.reader, guild_id)

    async def get(self, guild_id: int | None, name: str) -> Topic:
        topic = await store.find_topic(self._db.reader, guild_id, name_key(name))
        if topic is None:
            names = ", ".join(t.name for t in await self.list(guild_id)) or "none"
            raise UserFacingError(f"no topic named {name!r} (topics: {names})")
        return topic

    async def matcher_for(self, guild_id: int | None) -> Matcher:
        """The compiled matcher for a server (shipped + its own topics; None = shipped only).

        Compiled once per change of the topics table (its version counter), then cached.
        """
        version = await store.topics_version(self._db.reader)
        async with self._lock:
            if version != self._version:
                self._cache.clear()
                self._version = version
            matcher = self._cache.get(guild_id)
            if matcher is None:
                topics = await store.topics_for(self._db.reader, guild_id)
                matcher = Matcher(topics, version)
                self._cache[guild_id] = matcher
                log.debug(
                    "event=topic_matcher_compiled guild=%s topics=%s version=%s",
                    guild_id,
                    len(topics),
                    version,
                )
            return matcher

    async def test(self, guild_id: int | None, text: str, title: str = "") -> builtins.list[Match]:
        """Which topics ``text`` (an article body, with an optional title) would match, and why."""
        matcher = await self.matcher_for(guild_id)
        return matcher.match(title, "", text)

    # --- changes ---
    async def add(
        self,
        guild_id: int,
        name: str,
        aliases: Sequence[str],
        all_of: Sequence[Sequence[str]] = (),
        exclude: Sequence[str] = (),
        ping_role_id: int | None = None,
    ) -> Topic:
        """Validate and store a server's topic; ``UserFacingError`` explains a bad rule."""
        rule = validate_rule(name, aliases, all_of, exclude)
        key = name_key(rule.name)
        async with self._db.transaction() as tx:
            for existing in await store.topic_by_name_any_guild(tx, key):
                if existing.guild_id is None:
                    raise UserFacingError(
                        f"{existing.name!r} is a topic shipped with beatwatch; choose another name"
                    )
                if existing.guild_id == guild_id:
                    raise UserFacingError(
                        f"this server already has a topic named {existing.name!r}; "
                        "remove it first to change its rule"
                    )
            visible = await store.topics_for(tx, guild_id)
            _refuse_lookalike(rule.name, visible)
            own = [t for t in visible if t.guild_id is not None]
            if len(own) >= MAX_TOPICS_PER_GUILD:
                raise UserFacingError(
                    f"this server already has {len(own)} topics (at most {MAX_TOPICS_PER_GUILD})"
                )
            topic_id = await store.insert_topic(
                tx,
                guild_id=guild_id,
                name=rule.name,
                name_key=key,
                any_of=rule.any_of,
                all_of=rule.all_of,
                none_of=rule.none_of,
                ping_role_id=ping_role_id,
                now=self._clock.now(),
            )
        self._invalidate()
        log.info("event=topic_added guild=%s topic=%s id=%s", guild_id, rule.name, topic_id)
        return Topic(
            id=topic_id,
            guild_id=guild_id,
            name=rule.name,
            any_of=rule.any_of,
            all_of=rule.all_of,
            none_of=rule.none_of,
            ping_role_id=ping_role_id,
        )

    async def remove(self, guild_id: int, name: str) -> Topic:
        """Remove a server's own topic (shipped topics cannot be removed)."""
        key = name_key(name)
        async with self._db.transaction() as tx:
            topic = await store.find_topic(tx, guild_id, key)
            if topic is None:
                raise UserFacingError(f"no topic named {name!r} on this server")
            if topic.guild_id is None:
                raise UserFacingError(f"{topic.name!r} ships with beatwatch and cannot be removed")
            await store.delete_topic(tx, topic.id)
        self._invalidate()
        log.info("event=topic_removed guild=%s topic=%s id=%s", guild_id, topic.name, topic.id)
        return topic

    def _invalidate(self) -> None:
        # The version counter also moves (a trigger), so other processes notice too; this
        # just makes the change visible here without waiting for the next version read.
        self._cache.clear()
        self._version = None

    # --- backtest ---
    async def backtest(self, guild_id: int | None, name: str, days: int) -> BacktestResult:
        """How many stored articles published within ``days`` of now would have matched."""
        if not 1 <= days <= MAX_BACKTEST_DAYS:
            raise UserFacingError(f"--days must be between 1 and {MAX_BACKTEST_DAYS}")
        topic = await self.get(guild_id, name)
        since = self._clock.now() - timedelta(days=days)
        rows = await store.articles_published_since(self._db.reader, since, BACKTEST_SCAN_LIMIT)
        matcher = Matcher([topic])
        found = await asyncio.to_thread(_scan, matcher, rows)
        examples = [
            BacktestExample(
                article_id=int(row["id"]),
                headline=row["title"],
                publisher=row["publisher"],
                published=from_iso(row["published"]),
                url=row["url"],
                match=match,
            )
            for row, match in found[:BACKTEST_EXAMPLES]
        ]
        return BacktestResult(
            topic=topic.name,
            topic_id=topic.id,
            days=days,
            since=since,
            scanned=len(rows),
            matched=len(found),
            examples=examples,
        )


def _scan(matcher: Matcher, rows: Sequence[Any]) -> list[tuple[Any, Match]]:
    found = []
    for row in rows:
        matches = matcher.match(row["title"], row["summary"], row["body"])
        if matches:
            found.append((row, matches[0]))
    return found


def _refuse_lookalike(name: str, topics: Sequence[Topic]) -> None:
    """Refuse a name a reader cannot tell from a topic the server sees (``Donbаs``, Cyrillic а)."""
    key = lookalike_key(name)
    for topic in topics:
        if lookalike_key(topic.name) == key:
            whose = "shipped with beatwatch" if topic.guild_id is None else "of this server"
            chars = ", ".join(differing_chars(name, topic.name)) or "look-alike characters"
            raise UserFacingError(
                f"{name!r} looks like the topic {topic.name!r} ({whose}): it differs only in "
                f"characters that look the same ({chars}); choose another name"
            )
