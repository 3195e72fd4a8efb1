"""``beatwatch feeds add|remove|list|status|check|import|export|poll``."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.cli import emit_json, fail
from bot.cli.render import as_text
from bot.clock import to_iso
from bot.models import CONSOLE_GUILD_ID, FeedCheckReport
from bot.present import feeds as present
from bot.services import open_services
from bot.settings import Settings


def register(sub: Any) -> None:
    p = sub.add_parser("feeds", help="manage and inspect watched RSS/Atom feeds")
    fsub = p.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)

    def guild_arg(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--guild", type=int, default=CONSOLE_GUILD_ID, help="server id (0 = console newsroom)"
        )

    add = fsub.add_parser(
        "add", help="subscribe to a feed (validated; web pages are autodiscovered)"
    )
    add.add_argument("url")
    add.add_argument("--channel", type=int, default=None, help="alert channel id for this feed")
    guild_arg(add)
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=handle_add)

    rm = fsub.add_parser("remove", help="unsubscribe from a feed (by URL or id)")
    rm.add_argument("feed", help="feed URL or id from `feeds list`")
    guild_arg(rm)
    rm.set_defaults(handler=handle_remove)

    ls = fsub.add_parser("list", help="the feeds a server subscribes to")
    guild_arg(ls)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=handle_list)

    st = fsub.add_parser("status", help="last success, last error, error count, next check, state")
    st.add_argument("--guild", type=int, default=None, help="only this server's feeds")
    st.add_argument("--json", action="store_true")
    st.set_defaults(handler=handle_status)

    ck = fsub.add_parser(
        "check",
        help="fetch (or read) one feed, show its entries, matches and problems; stores nothing",
    )
    ck.add_argument("source", metavar="URL_OR_FILE")
    guild_arg(ck)
    ck.add_argument("--json", action="store_true")
    ck.set_defaults(handler=handle_check)

    imp = fsub.add_parser(
        "import", help="subscribe to the feeds of an OPML file (each checked; all or nothing)"
    )
    imp.add_argument("file", type=Path, metavar="FILE.opml")
    guild_arg(imp)
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=handle_import)

    exp = fsub.add_parser("export", help="the feed list as an OPML 2.0 file (stdout or -o FILE)")
    exp.add_argument("-o", "--output", type=Path, default=None, help="write it to this file")
    guild_arg(exp)
    exp.set_defaults(handler=handle_export)

    poll = fsub.add_parser("poll", help="run one poll cycle now (every due feed)")
    poll.add_argument("--all", action="store_true", help="treat every subscribed feed as due")
    poll.add_argument("--json", action="store_true")
    poll.set_defaults(handler=handle_poll)


def _when(value: datetime | None) -> str:
    return to_iso(value) if value else "-"


async def handle_add(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        info = await services.feeds.add(args.url, args.guild, args.channel)
    if args.json:
        emit_json(info.model_dump(mode="json"))
    else:
        print(as_text(present.added_reply(info, args.channel)))  # as /feeds add
    return 0


async def handle_import(settings: Settings, args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        return fail(f"cannot read {args.file}: {exc.strerror or exc}")
    async with open_services(settings) as services:
        results = await services.feeds.import_opml(data, args.guild)
    if args.json:
        emit_json([dataclasses.asdict(r) for r in results])
    else:
        print(as_text(present.import_reply(results)))  # as /feeds import
    return 0


async def handle_export(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        data, count = await services.feeds.export_opml(args.guild)
    if args.output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    args.output.write_bytes(data)
    print(f"{count} {'feed' if count == 1 else 'feeds'} written to {args.output} (OPML 2.0)")
    return 0


async def handle_remove(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        info = await services.feeds.remove(args.feed, args.guild)
    print(as_text(present.removed_reply(info)))  # as /feeds remove
    return 0


async def handle_list(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        infos = await services.feeds.list(args.guild)
    if args.json:
        emit_json([i.model_dump(mode="json") for i in infos])
    else:
        print(as_text(present.list_reply(infos)))
    return 0


async def handle_status(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        statuses = await services.feeds.status(args.guild)
    if args.json:
        emit_json([s.model_dump(mode="json") for s in statuses])
    else:
        print(as_text(present.status_reply(statuses, detail=True)))
    return 0


def _print_report(report: FeedCheckReport) -> None:
    print(f"source: {report.source}")
    if report.discovered_from:
        print(f"feed found on the page: {report.feed_url}")
    if report.http_status is not None:
        print(f"HTTP {report.http_status}")
    print(f"title: {report.title or '-'}   entries: {len(report.entries)}")
    if not report.matching:
        print("(topic matching unavailable: entries shown without matches)")
    for entry in report.entries:
        date = to_iso(entry.published) + (" (no date: first seen)" if entry.date_missing else "")
        print(f"\n- {entry.title}\n  {entry.url or '(no link)'}  {date}")
        for match in entry.matches:
            print(
                f"  MATCH {match.get('topic', '?')}: alias {match.get('alias', '?')!r}"
                f" in {match.get('field', '?')}: {match.get('snippet', '')}"
            )
        if report.matching and not entry.matches:
            print("  no topic match")
    if report.problems:
        print("\nproblems:")
        for problem in report.problems:
            print(f"  - {problem}")
    else:
        print("\nno problems found")


async def handle_check(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        report = await services.feeds.check(args.source, args.guild)
    if args.json:
        emit_json(report.model_dump(mode="json"))
    else:
        _print_report(report)
    fetched = report.entries or report.title
    return 0 if fetched else 1


async def handle_poll(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        if args.all:
            await services.feeds.make_all_due()
        summary = await services.feeds.poll_due()
    if args.json:
        emit_json(summary.model_dump(mode="json"))
        return 0
    print(
        f"polled {summary.polled} feeds in {summary.seconds:.1f}s: {summary.changed} changed, "
        f"{summary.not_modified} not modified, {summary.unchanged_body} unchanged, "
        f"{summary.failed} failed; {summary.new_articles} new articles"
        f" ({summary.baseline_articles} recorded as baseline)"
    )
    for url, error in sorted(summary.errors.items()):
        print(f"  FAILED {url}: {error}")
    sys.stdout.flush()
    return 0
