"""``/help`` in the console: the commands, the same as in Discord."""

from __future__ import annotations

from bot.present.reply import Code, Reply, Section

COMMANDS: tuple[tuple[str, str], ...] = (
    ("/ask QUESTION", "answer from the sources, with quotes and citations"),
    ("/topics list", "topics watched"),
    ("/topics test TEXT", "which topics TEXT matches, and why"),
    ('/topics add name:NAME aliases:"a, b" [exclude:"c, d"] [context:"e, f"]', "watch a topic"),
    ("/topics remove NAME", "stop watching one of your topics"),
    ("/topics backtest NAME [days:N]", "how many stored articles a topic would have matched"),
    ("/feeds list | /feeds status", "the feeds watched, and their health"),
    ("/feeds add URL | /feeds remove URL-or-ID", "watch a feed, or stop"),
    ("/alerts pause | /alerts resume | /alerts quiet-hours FROM TO", "when alerts are shown"),
    ("/alerts mutes | /alerts unmute ID", "muted stories and outlets; undo one"),
    ("/digest preview | /digest now | /digest schedule HH:MM TIMEZONE", "the daily digest"),
    ("/timeline TOPIC", "a topic's stories and dated facts, oldest first"),
    ("/status", "feeds, counts, next digest, problems"),
    ("/help | /quit", "this list, or leave"),
)


def help_reply() -> Reply:
    return Reply(
        sections=(
            Section(
                title='Commands (the same as in Discord; this console is the newsroom "console")',
                lines=tuple((Code(usage), f"\n    {what}") for usage, what in COMMANDS),
            ),
        )
    )
