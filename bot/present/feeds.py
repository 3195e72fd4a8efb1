"""``/feeds list|status|add|remove|import|export``: the feeds a server watches and how they are
doing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from bot.feeds.opml import ImportResult
from bot.models import FeedInfo, FeedStatus
from bot.present.reply import (
    BLANK,
    Attachment,
    ChannelRef,
    Ident,
    Line,
    Link,
    Moment,
    Reply,
    Section,
    Strong,
    line,
    say,
)
from bot.present.text import clip, singular_counts

STATE_ICON = {"healthy": "🟢", "not checked yet": "⚪", "failing": "🟠", "disabled": "🔴"}
HEALTH_ORDER = {"disabled": 0, "failing": 1, "not checked yet": 2, "healthy": 3}


def label(feed: FeedInfo | FeedStatus) -> str:
    return feed.title.strip() or feed.url


def _by_label(feeds: Iterable[FeedInfo]) -> list[FeedInfo]:
    return sorted(feeds, key=lambda f: label(f).casefold())


def list_reply(feeds: list[FeedInfo]) -> Reply:
    lines: list[Line] = [
        line(
            f"{STATE_ICON.get(f.state, '')} ",
            Ident(f"feed {f.id}: "),
            Link(label(f), f.url),
            " → " if f.channel_id else None,
            ChannelRef(f.channel_id) if f.channel_id else None,
        )
        for f in _by_label(feeds)
    ]
    return Reply(
        sections=(
            Section(
                title=f"Feeds watched ({len(feeds)})",
                lines=tuple(lines) or (("No feeds yet. Add one with /feeds add.",),),
            ),
        )
    )


def detail_line(st: FeedStatus) -> Line:
    """The operator's second line: last success, error count, entries, malformed."""
    return line(
        "      last success ",
        Moment(st.last_success_at, relative=False) if st.last_success_at else "never",
        f" · errors {st.error_count} · entries {st.entry_count}",
        " · malformed" if st.bozo else None,
    )


def status_line(st: FeedStatus) -> Line:
    parts: list[object] = [
        f"{STATE_ICON.get(st.health, '')} ",
        Ident(f"feed {st.id}: "),
        Strong(clip(label(st), 80)),
        f" — {st.health}",
    ]
    if st.state != "healthy":
        if st.last_error:
            parts.append(f": {clip(st.last_error, 160)}")
        if st.last_error_at:
            parts += [" (", Moment(st.last_error_at), ")"]
    if st.state != "disabled":
        parts += [" · next check ", Moment(st.next_check_at)]
    elif st.state_reason:
        parts.append(f" · {clip(singular_counts(st.state_reason), 120)}")
    return line(*parts)  # type: ignore[arg-type]


def status_reply(statuses: list[FeedStatus], *, detail: bool = False) -> Reply:
    """Worst first, with a count per state; ``detail`` adds each feed's operator line."""
    ordered = sorted(statuses, key=lambda s: (HEALTH_ORDER.get(s.health, 4), label(s).casefold()))
    counts = Counter(s.health for s in ordered)
    summary = " · ".join(
        f"{STATE_ICON.get(k, '')} {n} {k}"
        for k, n in sorted(counts.items(), key=lambda kv: HEALTH_ORDER.get(kv[0], 4))
    )
    troubled = counts.get("failing") or counts.get("disabled")
    return Reply(
        sections=(
            Section(
                title="Feed health",
                lines=(
                    (summary or "No feeds yet.",),
                    BLANK,
                    *(x for s in ordered for x in (status_line(s), detail_line(s))[: 1 + detail]),
                ),
                tone="warn" if troubled else "ok",
            ),
        )
    )


def added_reply(feed: FeedInfo, channel_id: int | None = None) -> Reply:
    where = line(" Alerts from it go to ", ChannelRef(channel_id), ".") if channel_id else ()
    if feed.already_subscribed:
        return Reply(
            sections=(
                Section(
                    title=f"Already watched: {label(feed)}",
                    lines=(
                        (Ident(f"feed {feed.id}: "), Link(feed.url, feed.url)),
                        ("This server already watches this feed; nothing was added.", *where),
                    ),
                    tone="info",
                ),
            )
        )
    return Reply(
        sections=(
            Section(
                title=f"Feed added: {label(feed)}",
                lines=(
                    (Ident(f"feed {feed.id}: "), Link(feed.url, feed.url)),
                    (
                        "What it holds now is recorded as a baseline; "
                        "only newer stories raise alerts.",
                        *where,
                    ),
                ),
                tone="ok",
            ),
        )
    )


def removed_reply(feed: FeedInfo) -> Reply:
    return say(f"Feed removed: {label(feed)} ({feed.url}).")


def choices(feeds: list[FeedInfo], current: str) -> list[tuple[str, str]]:
    """(name, value) pairs for autocomplete: feeds whose name or URL holds what was typed."""
    needle = current.casefold().strip()
    return [
        (f"{label(f)} — {f.url}", str(f.id))
        for f in _by_label(feeds)
        if needle in label(f).casefold() or needle in f.url.casefold()
    ]


_OUTCOME = {"added": "✅ added", "already": "➖ already there", "refused": "⛔ refused"}


def import_reply(results: list[ImportResult]) -> Reply:
    """``/feeds import``: one line per feed of the file (added, already there, refused and why)."""
    counts = {k: sum(r.outcome == k for r in results) for k in _OUTCOME}
    lines = tuple(
        line(
            f"{_OUTCOME[r.outcome]}: ",
            Link(r.title or r.url, r.url),
            f" — {r.reason}" if r.reason else None,
        )
        for r in results
    )
    summary = (
        f"{counts['added']} added, {counts['already']} already there, {counts['refused']} refused"
    )
    return Reply(
        sections=(
            Section(
                title=f"OPML import: {summary}",
                lines=lines,
                footer="New feeds start from a baseline: only newer stories raise alerts.",
                tone="warn" if counts["refused"] else "ok",
                spill=True,
            ),
        )
    )


def export_reply(data: bytes, count: int) -> Reply:
    """``/feeds export``: the feed list as an OPML 2.0 file."""
    return Reply(
        text=(
            (f"{count} {'feed' if count == 1 else 'feeds'} as OPML 2.0 (beatwatch-feeds.opml).",),
        ),
        files=(Attachment("beatwatch-feeds.opml", data),),
    )
