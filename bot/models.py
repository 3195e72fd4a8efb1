"""Frozen pydantic models that cross layers. Timestamps are aware UTC datetimes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from bot.clock import utc

CONSOLE_GUILD_ID = 0


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Article(Frozen):
    """One article: a seed or a feed entry after normalisation."""

    id: int | None = None
    entry_key: str
    url: str | None = None
    title: str
    summary: str = ""
    body: str = ""
    publisher: str
    published: datetime
    first_seen: datetime
    language: str | None = None
    source: Literal["seed", "feed", "manual"] = "feed"

    @field_validator("published", "first_seen")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return utc(value)

    @property
    def text(self) -> str:
        """Everything readable in the article, title excluded."""
        parts = [p for p in (self.summary, self.body) if p]
        if len(parts) == 2 and parts[1].startswith(parts[0][:200]):
            return parts[1]
        return "\n\n".join(parts)


class GuildConfig(Frozen):
    guild_id: int
    name: str = ""
    alert_channel_id: int | None = None
    digest_channel_id: int | None = None
    timezone: str = "Europe/Kyiv"
    digest_time: str = "08:00"
    quiet_start: str | None = None
    quiet_end: str | None = None
    alerts_paused: bool = False
    newsroom_role_id: int | None = None


# --- stories (bot/stories) ---


class StoryRef(Frozen):
    """One story (articles reporting the same news), as alerts and digests see it."""

    story_id: int
    is_new: bool = False  # True when the article just assigned created the story
    article_count: int
    outlets: list[str]  # distinct publishers, in the order they joined the story
    first_publisher: str
    first_published: datetime
    title: str  # the first article's headline

    @field_validator("first_published")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return utc(value)


class StoryDoc(Frozen):
    """One item for pure story grouping (``stories group FILE.jsonl``, tests, benchmarks)."""

    id: str
    title: str
    text: str = ""
    outlet: str = ""
    published: datetime
    url: str | None = None

    @field_validator("published")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return utc(value)


# --- feeds (owner: FEEDS) ---
FeedState = Literal["healthy", "failing", "disabled"]


class FeedRef(Frozen):
    """The feed a batch of new articles came from (passed to the NewArticlesHook)."""

    id: int
    url: str
    title: str


class FeedInfo(Frozen):
    """One feed as a server sees it (its subscription)."""

    id: int
    url: str
    title: str
    site_url: str | None = None
    guild_id: int
    channel_id: int | None = None
    state: FeedState = "healthy"
    added_at: datetime


class FeedStatus(Frozen):
    """Health of one feed, for `feeds status`."""

    id: int
    url: str
    title: str
    state: FeedState
    state_reason: str | None = None
    error_count: int = 0
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_success_at: datetime | None = None
    last_checked_at: datetime | None = None
    next_check_at: datetime
    bozo: bool = False
    entry_count: int = 0
    guild_ids: list[int] = []


class FeedHealthEvent(Frozen):
    """One health transition of a feed (healthy -> failing -> disabled, or recovery)."""

    id: int
    feed_id: int
    feed_url: str
    feed_title: str
    old_state: FeedState
    new_state: FeedState
    reason: str
    at: datetime


class FeedCheckEntry(Frozen):
    """One normalised entry as `feeds check` shows it, with its topic matches."""

    entry_key: str
    title: str
    url: str | None
    published: datetime
    date_missing: bool = False
    language: str | None = None
    summary: str = ""
    matches: list[dict[str, object]] = []


class FeedCheckReport(Frozen):
    """What `feeds check` found: entries, matches and problems; nothing is stored."""

    source: str
    feed_url: str | None = None
    title: str = ""
    http_status: int | None = None
    discovered_from: str | None = None
    entries: list[FeedCheckEntry] = []
    problems: list[str] = []
    matching: bool = False


class PollSummary(Frozen):
    """One poll cycle: what was polled and what came of it."""

    due: int = 0
    polled: int = 0
    changed: int = 0
    not_modified: int = 0
    unchanged_body: int = 0
    failed: int = 0
    new_articles: int = 0
    baseline_articles: int = 0
    errors: dict[str, str] = {}
    seconds: float = 0.0


# --- topics (owner: TOPICS; bot/topics) ---
MatchField = Literal["title", "summary", "body"]


class Topic(Frozen):
    """A tracked topic. ``guild_id`` None = shipped with beatwatch, applies to every server.

    ``any_of``: aliases (one must hit); ``all_of``: context groups (each must hit somewhere in
    the article); ``none_of``: exclusions (suppress alias hits in the same sentence).
    """

    id: int
    guild_id: int | None = None
    name: str
    any_of: tuple[str, ...]
    all_of: tuple[tuple[str, ...], ...] = ()
    none_of: tuple[str, ...] = ()
    ping_role_id: int | None = None

    @property
    def aliases(self) -> tuple[str, ...]:
        return self.any_of

    @property
    def shipped(self) -> bool:
        return self.guild_id is None


class Match(Frozen):
    """Why an article matched a topic: the alias that hit, where, and the hit in context.

    ``start``/``end`` are offsets of the hit in that field's text (NFC form); ``snippet`` is
    ~160 characters around it on word boundaries, the hit marked ``**like this**``.
    ``hits`` counts every surviving alias hit in the article.
    """

    topic_id: int
    topic: str
    alias: str
    field: MatchField
    snippet: str
    start: int
    end: int
    matched_text: str = ""
    hits: int = 1
    guild_id: int | None = None
    ping_role_id: int | None = None


class BacktestExample(Frozen):
    article_id: int
    headline: str
    publisher: str
    published: datetime
    url: str | None = None
    match: Match


class BacktestResult(Frozen):
    """How many stored articles published in the last ``days`` days would have matched."""

    topic: str
    topic_id: int
    days: int
    since: datetime
    scanned: int
    matched: int
    examples: list[BacktestExample] = []
