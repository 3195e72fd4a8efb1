"""Small real stand-ins for the neighbours of the alerts area (stories, topics), for tests.

Stories: articles with the same headline (case-folded) are one story. Topics: a topic matches
when one of its aliases occurs in the title, summary or body (case-insensitive).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import aiosqlite

from bot.models import Article, StoryRef
from bot.services import Services

BASE = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


@dataclass
class StandInStories:
    stories: dict[str, StoryRef] = field(default_factory=dict)
    ids: Any = field(default_factory=lambda: count(1))

    async def assign(self, tx: aiosqlite.Connection, article: Article) -> StoryRef:
        key = article.title.casefold().strip()
        old = self.stories.get(key)
        if old is None:
            ref = StoryRef(
                story_id=next(self.ids),
                is_new=True,
                article_count=1,
                outlets=[article.publisher],
                first_publisher=article.publisher,
                first_published=article.published,
                title=article.title,
            )
        else:
            outlets = list(dict.fromkeys([*old.outlets, article.publisher]))
            ref = old.model_copy(
                update={"is_new": False, "article_count": old.article_count + 1, "outlets": outlets}
            )
        self.stories[key] = ref
        return ref


@dataclass(frozen=True)
class StandInMatch:
    topic_id: int
    topic: str
    alias: str
    field: str
    snippet: str
    ping_role_id: int | None = None


@dataclass
class StandInMatcher:
    topics: dict[str, list[str]]
    ping: dict[str, int] = field(default_factory=dict)

    def match(self, title: str, summary: str = "", body: str = "") -> list[StandInMatch]:
        found = []
        for tid, (name, aliases) in enumerate(self.topics.items(), start=1):
            hit = None
            for fname, text in (("title", title), ("summary", summary), ("body", body)):
                for alias in aliases:
                    at = text.casefold().find(alias.casefold())
                    if at >= 0:
                        snippet = (
                            text[:at]
                            + "**"
                            + text[at : at + len(alias)]
                            + "**"
                            + text[at + len(alias) :]
                        )
                        hit = StandInMatch(
                            tid, name, alias, fname, snippet[:200], self.ping.get(name)
                        )
                        break
                if hit:
                    break
            if hit:
                found.append(hit)
        return found


@dataclass
class StandInTopics:
    by_guild: dict[int, StandInMatcher] = field(default_factory=dict)
    default: StandInMatcher = field(
        default_factory=lambda: StandInMatcher(
            {
                "Donbas": ["Donbas", "Donetsk", "Luhansk"],
                "Security guarantees": ["security guarantees"],
            }
        )
    )

    async def matcher_for(self, guild_id: int | None) -> StandInMatcher:
        return self.by_guild.get(guild_id or 0, self.default)


_serial = count(1)


def article(
    title: str,
    publisher: str = "Reuters",
    *,
    minutes: int = 0,
    summary: str = "",
    url: str | None = None,
) -> Article:
    n = next(_serial)
    when = BASE + timedelta(minutes=minutes)
    return Article(
        entry_key=f"test:{n}",
        url=url or f"https://example.org/{n}",
        title=title,
        summary=summary,
        publisher=publisher,
        published=when,
        first_seen=when,
    )


async def add_feed(services: Services, url: str = "https://example.org/feed.xml") -> int:
    async with services.db.transaction() as tx:
        cur = await tx.execute(
            "INSERT INTO feeds (url, title, next_check_at, created_at) VALUES (?, 'Test feed', ?, ?)",
            (url, "2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z"),
        )
        assert cur.lastrowid is not None
        return int(cur.lastrowid)


async def subscribe(
    services: Services, guild_id: int, feed_id: int, channel_id: int | None = None
) -> None:
    async with services.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO guild_feeds (guild_id, feed_id, channel_id, added_at) VALUES (?, ?, ?, ?)",
            (guild_id, feed_id, channel_id, "2026-02-01T00:00:00Z"),
        )
