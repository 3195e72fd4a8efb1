"""``beatwatch topics list|add|remove|test|backtest``: the tracked topics from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli import emit_json, fail
from bot.cli.render import as_text
from bot.models import CONSOLE_GUILD_ID, Match, Topic
from bot.present import topics as present
from bot.services import open_services
from bot.settings import Settings


def register(sub: Any) -> None:
    p = sub.add_parser("topics", help="tracked topics: list, add, remove, test, backtest")
    tsub = p.add_subparsers(dest="topics_command", metavar="ACTION", required=True)

    def guild_opt(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--guild",
            type=int,
            default=CONSOLE_GUILD_ID,
            help="server id (default 0, the console newsroom)",
        )

    q = tsub.add_parser("list", help="shipped topics and this server's own")
    guild_opt(q)
    q.add_argument("--json", action="store_true", help="machine-readable output")
    q.set_defaults(handler=handle_list)

    q = tsub.add_parser(
        "add",
        help="add a server topic",
        description="Aliases are plain words matched as whole words, case-insensitively; a "
        "trailing * matches any word ending (Донеччин*). Capitalised short acronyms (US, TCG) "
        "match case-sensitively.",
    )
    q.add_argument("name", help="topic name")
    q.add_argument("aliases", nargs="+", help="aliases (any one must appear)")
    q.add_argument(
        "--all-of",
        action="append",
        default=[],
        metavar="T1,T2,...",
        help="a context group: one of these terms must appear somewhere (repeatable)",
    )
    q.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="PHRASE",
        help="exclusion: drops alias hits in the same sentence (repeatable)",
    )
    q.add_argument("--ping-role", type=int, default=None, help="role id to ping on alerts")
    guild_opt(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=handle_add)

    q = tsub.add_parser("remove", help="remove a server topic")
    q.add_argument("name")
    guild_opt(q)
    q.set_defaults(handler=handle_remove)

    q = tsub.add_parser(
        "test",
        help="which topics a text matches, and why",
        description="One text, or with --file a JSONL file of articles (id, title, text per "
        "line; '-' for standard input): one result per line, in one process.",
    )
    q.add_argument("text", nargs="?", default=None, help="article text (body)")
    q.add_argument("--title", default="", help="headline")
    q.add_argument(
        "--file", type=Path, default=None, metavar="FILE.jsonl", help="test many articles"
    )
    guild_opt(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=handle_test)

    q = tsub.add_parser("backtest", help="how many stored articles a topic would have matched")
    q.add_argument("topic")
    q.add_argument("--days", type=int, required=True, help="articles published in the last N days")
    guild_opt(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=handle_backtest)


def _topic_json(t: Topic) -> dict[str, Any]:
    data = t.model_dump(mode="json")
    data["shipped"] = t.shipped
    return data


def _describe(t: Topic) -> list[str]:
    scope = "shipped" if t.shipped else f"server {t.guild_id}"
    lines = [f"{t.name}  [{scope}, id {t.id}]"]
    shown = ", ".join(t.any_of[:12]) + (
        f", … (+{len(t.any_of) - 12})" if len(t.any_of) > 12 else ""
    )
    lines.append(f"  any of:  {shown}")
    for i, group in enumerate(t.all_of, 1):
        g = ", ".join(group[:8]) + (f", … (+{len(group) - 8})" if len(group) > 8 else "")
        lines.append(f"  all of #{i}: {g}")
    if t.none_of:
        ex = ", ".join(t.none_of[:8]) + (
            f", … (+{len(t.none_of) - 8})" if len(t.none_of) > 8 else ""
        )
        lines.append(f"  none of: {ex}")
    if t.ping_role_id:
        lines.append(f"  pings role {t.ping_role_id}")
    return lines


def _match_lines(m: Match) -> list[str]:
    return [
        f"{m.topic}: alias {m.alias!r} in {m.field} [{m.start}:{m.end}] ({m.hits} hit(s))",
        f"  {m.snippet}",
    ]


async def handle_list(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        topics = await services.topics.list(args.guild)
    if args.json:
        emit_json([_topic_json(t) for t in topics])
        return 0
    for t in topics:
        print("\n".join(_describe(t)))
    return 0


async def handle_add(settings: Settings, args: argparse.Namespace) -> int:
    groups = [[term.strip() for term in g.split(",") if term.strip()] for g in args.all_of]
    async with open_services(settings) as services:
        topic = await services.topics.add(
            args.guild,
            args.name,
            args.aliases,
            all_of=groups,
            exclude=args.exclude,
            ping_role_id=args.ping_role,
        )
    if args.json:
        emit_json(_topic_json(topic))
    else:
        print("added " + "\n".join(_describe(topic)))
    return 0


async def handle_remove(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        topic = await services.topics.remove(args.guild, args.name)
    print(f"removed {topic.name}")
    return 0


def _short(alias: str, width: int = 60) -> str:
    """A concept's text can be long: its start names it well enough on one line."""
    return alias if len(alias) <= width else alias[: width - 1].rstrip() + "…"


def _batch_line(item_id: str, matches: list[Match], as_json: bool) -> str:
    if as_json:
        return json.dumps(
            {"id": item_id, "matches": [m.model_dump(mode="json") for m in matches]},
            ensure_ascii=False,
        )
    if not matches:
        return f"{item_id}\t-"
    found = "; ".join(f"{m.topic} ({_short(m.alias)!r} in {m.field}: {m.snippet})" for m in matches)
    return f"{item_id}\t{found}"


async def _handle_batch(settings: Settings, args: argparse.Namespace) -> int:
    try:
        if str(args.file) == "-":
            lines = sys.stdin.read().splitlines()
        else:
            lines = args.file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return fail(f"cannot read {args.file}: {exc}")
    bad = 0
    async with open_services(settings) as services:
        matcher = await services.topics.matcher_for(args.guild)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("not a JSON object")
            title = item.get("title") or ""
            text = item.get("text") or ""
            if not isinstance(title, str) or not isinstance(text, str):
                raise ValueError("title and text must be strings")
        except ValueError as exc:  # JSONDecodeError is a ValueError
            sys.stderr.write(f"beatwatch: {args.file}: line {number}: {exc}\n")
            bad += 1
            continue
        item_id = str(item.get("id", number))
        sys.stdout.write(_batch_line(item_id, matcher.match(title, "", text), args.json) + "\n")
    return 1 if bad and bad == sum(1 for line in lines if line.strip()) else 0


async def handle_test(settings: Settings, args: argparse.Namespace) -> int:
    if args.file is not None:
        return await _handle_batch(settings, args)
    if args.text is None:
        return fail("give a TEXT to test, or --file FILE.jsonl")
    async with open_services(settings) as services:
        matches = await services.topics.test(args.guild, args.text, title=args.title)
    if args.json:
        emit_json({"matches": [m.model_dump(mode="json") for m in matches]})
        return 0
    if not matches:
        print("no topic matched")
        return 0
    for m in matches:
        print("\n".join(_match_lines(m)))
    return 0


async def handle_backtest(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        result = await services.topics.backtest(args.guild, args.topic, args.days)
    if args.json:
        emit_json(result.model_dump(mode="json"))
        return 0
    print(as_text(present.backtest_reply(result, detail=True)))  # as /topics backtest
    return 0
