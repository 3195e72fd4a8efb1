"""Frozen pydantic models that cross layers. Timestamps are aware UTC datetimes."""

from __future__ import annotations

from datetime import date, datetime
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
    # set by FeedService.add when the server already watched this feed
    already_subscribed: bool = False


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

    @property
    def health(self) -> str:
        """The state to show: "not checked yet" until the first fetch, not "healthy"."""
        if self.state == "healthy" and self.last_checked_at is None:
            return "not checked yet"
        return self.state


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


# --- alerts & digests (owner: ALERTS; bot/alerts, bot/digest) ---
MessageKind = Literal["alert", "combined", "notice", "digest"]


class MessageField(Frozen):
    name: str
    value: str


class OutgoingMessage(Frozen):
    """One message for a transport (Discord, console, tests). Discord-free.

    Every text in it is already rendered and made inert: feed text can never ping. The only
    mention a transport may allow is ``ping_role_id`` (a topic's role, off by default): the
    Discord shell sends ``<@&ping_role_id>`` as content with allowed_mentions limited to that
    role, and ``AllowedMentions.none()`` otherwise. ``dedupe_key`` is stable across retries and
    restarts (outbox row id + version): a transport that can (Discord: ``nonce`` with
    ``enforce_nonce``) must not post twice for the same key.
    """

    dedupe_key: str
    outbox_id: int
    version: int = 1
    guild_id: int
    channel_id: int | None = None
    kind: MessageKind
    title: str = ""
    url: str | None = None
    lines: list[str] = []
    fields: list[MessageField] = []
    footer: str = ""
    ping_role_id: int | None = None
    alert_id: int | None = None
    story_id: int | None = None
    # a combined message's stories for the desk (alert id, what to call it), in order shown
    stories: list[tuple[int, str]] = []

    @property
    def allowed_role_ids(self) -> list[int]:
        """Roles this message may ping (never users, never @everyone/@here)."""
        return [self.ping_role_id] if self.ping_role_id else []

    def as_text(self) -> str:
        """Plain-text form (console, and the Discord content fallback)."""
        out: list[str] = []
        if self.title:
            out.append(f"{self.title} <{self.url}>" if self.url else self.title)
        if self.fields:
            out.append(" · ".join(f"{f.name}: {f.value}" for f in self.fields))
        out.extend(self.lines)
        if self.footer:
            out.append(self.footer)
        return "\n".join(out)


AlertStatus = Literal["pending", "delivered", "held", "digested", "failed"]


class Alert(Frozen):
    """One alert: one story in one server (later articles of the story update it)."""

    id: int
    guild_id: int
    story_id: int
    topic: str
    topics: list[str] = []
    article_id: int
    title: str
    url: str | None = None
    publisher: str
    published: datetime
    alias: str = ""
    snippet: str = ""
    outlets: list[str] = []
    article_count: int = 1
    status: AlertStatus
    hold_reason: str | None = None
    channel_id: int | None = None
    message_ref: str | None = None
    combined_id: int | None = None  # outbox id of the combined message it went out in
    ping_role_id: int | None = None
    version: int = 1
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None = None


class OutboxEntry(Frozen):
    """One row of the outbox (what `alerts list` shows)."""

    id: int
    guild_id: int
    kind: Literal["alert", "edit", "combined", "notice", "digest"]
    alert_id: int | None = None
    status: Literal["pending", "sent", "held", "merged", "failed", "waiting_channel"]
    version: int = 1
    attempts: int = 0
    next_attempt_at: datetime
    last_error: str | None = None
    message_ref: str | None = None
    created_at: datetime
    sent_at: datetime | None = None
    summary: str = ""


class DeliveryReport(Frozen):
    """What one delivery pass did."""

    sent: int = 0
    edited: int = 0
    combined: int = 0
    held: int = 0
    waiting: int = 0
    retried: int = 0
    failed: int = 0
    notices_queued: int = 0


class DigestLine(Frozen):
    """One story in a digest, cited: outlet, time, link."""

    story_id: int
    topic: str
    title: str
    url: str | None = None
    publisher: str
    published: datetime
    outlets: list[str] = []
    article_count: int = 1
    muted: bool = False  # an editor muted the story: listed after the others, never first


class DigestFact(Frozen):
    text: str
    headline: str = ""
    publisher: str
    published: datetime
    url: str | None = None


class DigestSection(Frozen):
    topic: str
    lines: list[DigestLine] = []
    more: int = 0  # stories left out of this section (over the per-topic cap)
    trend: list[int] = []  # new stories per local day over the last seven days, oldest first


class DigestTotals(Frozen):
    stories: int = 0
    articles: int = 0
    outlets: int = 0
    facts: int = 0
    held: int = 0


class Digest(Frozen):
    guild_id: int
    timezone: str
    since: datetime
    until: datetime
    sections: list[DigestSection] = []
    held: list[DigestLine] = []
    facts: list[DigestFact] = []
    totals: DigestTotals = DigestTotals()


DatePrecision = Literal["time", "day", "week", "weekend", "month", "year"]


class TimelineEntry(Frozen):
    """``precision``: how exactly the source dated it ("time": a story's publication; a fact's
    date as its text gave it, e.g. "year" for "since 2014"). Shown at that precision."""

    when: datetime
    precision: DatePrecision = "time"
    kind: Literal["story", "fact"]
    text: str
    publisher: str = ""
    url: str | None = None
    story_id: int | None = None
    outlets: int = 0


class Timeline(Frozen):
    guild_id: int
    topic: str
    timezone: str
    entries: list[TimelineEntry] = []


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


# --- facts & answers (owner: facts) -------------------------------------------------------
class Citation(Frozen):
    """One quoted sentence and where it comes from. ``published`` is YYYY-MM-DD."""

    article_id: int
    headline: str
    publisher: str
    published: str
    quote: str
    url: str | None = None


class ConflictClaim(Frozen):
    value: str
    quote: str
    publisher: str
    published: str  # YYYY-MM-DD
    article_id: int
    headline: str = ""


class Conflict(Frozen):
    """Sources that give differing figures/claims about one subject; claims newest first."""

    subject: str
    claims: list[ConflictClaim]


class Answer(Frozen):
    """What ``ask`` returns; ``model_dump(mode="json")`` is the ``ask --json`` object."""

    question: str
    answer: str
    abstained: bool
    confidence: float
    citations: list[Citation] = []
    conflicts: list[Conflict] = []


class FactView(Frozen):
    """A stored fact with its article's citation fields (for digests and timelines)."""

    fact_id: int
    article_id: int
    text: str
    headline: str
    publisher: str
    published: datetime
    url: str | None = None
    dates: list[date] = []
    date_precisions: list[str] = []  # per date: day | week | weekend | month | year
    added_at: datetime
