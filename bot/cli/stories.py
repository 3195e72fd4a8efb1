"""``beatwatch stories group FILE.jsonl`` and ``beatwatch stories list``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.cli import emit_json, fail
from bot.clock import SystemClock, to_iso
from bot.models import StoryDoc
from bot.settings import Settings
from bot.storage import stories as store
from bot.storage.database import Database
from bot.stories.grouper import group_articles


def register(sub: Any) -> None:
    p = sub.add_parser("stories", help="group articles into stories; list recent stories")
    ssub = p.add_subparsers(dest="stories_command", metavar="SUBCOMMAND", required=True)

    g = ssub.add_parser(
        "group",
        help="group a JSONL file of articles into stories (no database)",
        description="Each line: a JSON object with id, title, text, outlet, published (ISO 8601 "
        "or RFC 822 as feeds write it; missing = first seen, the time the file is read) and "
        "optionally url. Prints each id with its story.",
    )
    g.add_argument("file", type=Path, help="JSONL file ('-' for standard input)")
    g.add_argument("--json", action="store_true", help="print JSON instead of a table")
    g.add_argument(
        "--window-hours",
        type=float,
        default=None,
        help="articles further apart are never one story (default: BEATWATCH_STORY_WINDOW_HOURS)",
    )
    g.set_defaults(handler=handle_group)

    ls = ssub.add_parser("list", help="stories stored in the database, most recent activity")
    ls.add_argument("--days", type=float, default=1.0, help="stories active in the last N days")
    ls.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ls.set_defaults(handler=handle_list)


def _published(raw: dict[str, Any], first_seen: datetime) -> None:
    """Accept RFC 822 dates ("Tue, 08 Dec 2026 09:30:00 GMT") and a missing date (first seen)."""
    value = raw.get("published")
    if value is None or (isinstance(value, str) and not value.strip()):
        raw["published"] = first_seen
        return
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            try:
                raw["published"] = parsedate_to_datetime(value.strip())
            except (TypeError, ValueError, IndexError):
                pass  # left as written: validation names the line


def read_docs(
    lines: list[str], first_seen: datetime | None = None
) -> tuple[list[StoryDoc], list[str]]:
    """Parse JSONL lines; bad lines become messages naming the line, the rest are kept.

    ``first_seen``: the date of a line without one (default: now)."""
    seen_at = first_seen or SystemClock().now()
    docs: list[StoryDoc] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if not isinstance(raw, dict):
                raise ValueError("not a JSON object")
            if "id" in raw and not isinstance(raw["id"], str):
                raw["id"] = str(raw["id"])
            _published(raw, seen_at)
            doc = StoryDoc.model_validate(raw)
        except json.JSONDecodeError as exc:
            errors.append(f"line {number}: not valid JSON ({exc.msg})")
            continue
        except ValidationError as exc:
            fields = ", ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()
            )
            errors.append(f"line {number}: {fields}")
            continue
        except ValueError as exc:
            errors.append(f"line {number}: {exc}")
            continue
        if doc.id in seen:
            errors.append(f"line {number}: duplicate id {doc.id!r} (skipped)")
            continue
        seen.add(doc.id)
        docs.append(doc)
    return docs, errors


def grouping_report(docs: list[StoryDoc], assignments: dict[str, str]) -> dict[str, Any]:
    """The ``--json`` shape: stories numbered 1.. in order of their first article."""
    by_id = {d.id: d for d in docs}
    members: dict[str, list[str]] = {}
    for doc in sorted(docs, key=lambda d: d.published):
        members.setdefault(assignments[doc.id], []).append(doc.id)
    keys = sorted(members, key=lambda k: (by_id[k].published, k))
    numbers = {key: n for n, key in enumerate(keys, start=1)}
    stories = []
    for key in keys:
        outlets: list[str] = []
        for item in members[key]:
            outlet = by_id[item].outlet
            if outlet and outlet.casefold() not in {o.casefold() for o in outlets}:
                outlets.append(outlet)
        stories.append(
            {"story_id": numbers[key], "ids": members[key], "outlets": outlets, "first": key}
        )
    return {
        "stories": stories,
        "assignments": {d.id: numbers[assignments[d.id]] for d in docs},
    }


async def handle_group(settings: Settings, args: argparse.Namespace) -> int:
    try:
        if str(args.file) == "-":
            lines = sys.stdin.read().splitlines()
        else:
            lines = args.file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return fail(f"cannot read {args.file}: {exc}")
    docs, errors = read_docs(lines)
    for message in errors:
        sys.stderr.write(f"beatwatch: {args.file}: {message}\n")
    window = args.window_hours if args.window_hours is not None else settings.story_window_hours
    report = grouping_report(docs, group_articles(docs, window_hours=window))
    if args.json:
        emit_json(report)
    else:
        numbers = report["assignments"]
        width = max([len(d.id) for d in docs] + [2])
        sys.stdout.write(f"{'id':<{width}}  story  outlet / title\n")
        for doc in sorted(docs, key=lambda d: (numbers[d.id], d.published)):
            sys.stdout.write(
                f"{doc.id:<{width}}  {numbers[doc.id]:>5}  {doc.outlet}: {doc.title}\n"
            )
        multi = sum(1 for s in report["stories"] if len(s["ids"]) > 1)
        count = len(report["stories"])
        sys.stdout.write(
            f"{len(docs)} articles, {count} {'story' if count == 1 else 'stories'}"
            f" ({multi} with more than one article)"
            + (f", {len(errors)} bad lines skipped" if errors else "")
            + "\n"
        )
    return 1 if errors and not docs else 0


async def handle_list(settings: Settings, args: argparse.Namespace) -> int:
    since = SystemClock().now() - timedelta(days=args.days)
    if not settings.database_path.exists():
        return fail(f"no database at {settings.database_path} (nothing stored yet)")
    async with Database.open(settings.database_path) as db:
        refs = await store.stories_since(db.reader, since)
    if args.json:
        emit_json({"since": to_iso(since), "stories": [r.model_dump(mode="json") for r in refs]})
        return 0
    if not refs:
        sys.stdout.write(f"no stories since {to_iso(since)}\n")
        return 0
    for ref in refs:
        outlets = ", ".join(ref.outlets)
        sys.stdout.write(
            f"#{ref.story_id}  {to_iso(ref.first_published)}  {ref.title}\n"
            f"      first: {ref.first_publisher}; {ref.article_count} articles, "
            f"{len(ref.outlets)} outlets: {outlets}\n"
        )
    return 0
