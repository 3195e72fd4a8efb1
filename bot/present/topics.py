"""``/topics list|test|backtest|add|remove``: the beats watched and why a text matches one."""

from __future__ import annotations

from bot.models import BacktestResult, Match, Topic
from bot.present.dates import day
from bot.present.reply import Field, Ident, Line, Link, Reply, RoleRef, Section, Strong, marked, say

MAX_SHOWN_TERMS = 12


def split_terms(text: str | None) -> list[str]:
    """Comma- or semicolon-separated terms, as typed in a slash-command option."""
    if not text:
        return []
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


def _terms(items: tuple[str, ...] | list[str]) -> str:
    shown = ", ".join(items[:MAX_SHOWN_TERMS])
    more = len(items) - MAX_SHOWN_TERMS
    return shown + (f" … (+{more})" if more > 0 else "")


def topic_field(topic: Topic) -> Field:
    lines: list[Line] = [(f"Aliases: {_terms(topic.any_of)}",)]
    lines += [(f"Needs one of: {_terms(group)}",) for group in topic.all_of]
    if topic.none_of:
        lines.append((f"Except near: {_terms(topic.none_of)}",))
    if topic.ping_role_id:
        lines.append(("Pings: ", RoleRef(topic.ping_role_id)))
    return Field(topic.name + (" (shipped)" if topic.shipped else ""), tuple(lines))


def list_reply(topics: list[Topic]) -> Reply:
    return Reply(
        sections=(
            Section(
                title=f"Topics watched ({len(topics)})",
                lines=() if topics else (("No topics yet. Add one with /topics add.",),),
                fields=tuple(topic_field(t) for t in topics),
            ),
        )
    )


def matches_reply(matches: list[Match]) -> Reply:
    if not matches:
        return say("No topic matches that text.")
    return Reply(
        sections=(
            Section(
                title=f"Matches {len(matches)} topic(s)",
                fields=tuple(
                    Field(f"{m.topic} — “{m.alias}” in the {m.field}", (marked(m.snippet),))
                    for m in matches
                ),
                tone="ok",
            ),
        )
    )


def backtest_reply(result: BacktestResult, *, detail: bool = False) -> Reply:
    """How many stored articles matched, and the latest examples; ``detail`` adds each
    example's hit in context."""
    lines: list[Line] = [
        (
            Strong(str(result.matched)),
            f" of {result.scanned} stored articles from the last {result.days} days "
            "would have matched.",
        ),
        ("",),
    ]
    for ex in result.examples:
        lines.append(
            (
                f"{day(ex.published)} · {ex.publisher} · ",
                Ident(f"article {ex.article_id}: "),
                Link(ex.headline, ex.url),
            )
        )
        if detail:
            lines.append((f"    {ex.match.field}: ", *marked(ex.match.snippet)))
    return Reply(sections=(Section(title=f"Backtest: {result.topic}", lines=tuple(lines)),))


def added_reply(topic: Topic) -> Reply:
    return Reply(
        sections=(
            Section(title=f"Topic added: {topic.name}", fields=(topic_field(topic),), tone="ok"),
        )
    )


def removed_reply(topic: Topic) -> Reply:
    return say(f"Topic removed: {topic.name}. Alerts already posted stay.")


def choices(topics: list[Topic], current: str, *, own_only: bool = False) -> list[tuple[str, str]]:
    needle = current.casefold().strip()
    return [
        (t.name, t.name)
        for t in topics
        if (not own_only or not t.shipped) and needle in t.name.casefold()
    ]
