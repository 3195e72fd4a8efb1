"""``beatwatch digest``, ``beatwatch timeline``, ``beatwatch alerts list|deliver|mutes|unmute``
(console newsroom)."""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from datetime import datetime, timedelta
from typing import Any

from bot.alerts import actions
from bot.alerts.compose import local_time
from bot.alerts.transport import ConsoleTransport
from bot.cli import emit_json, fail
from bot.cli.render import as_text
from bot.clock import from_iso
from bot.errors import UserFacingError
from bot.models import CONSOLE_GUILD_ID
from bot.present.alerts import mutes_reply, unmuted
from bot.present.digest import preview
from bot.present.timeline import timeline_reply
from bot.services import open_services
from bot.settings import Settings

_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime) -> datetime:
    """``24h``, ``90m``, ``2d``, ``1w`` back from now, or an ISO date/time (UTC if no zone)."""
    match = _SPAN.match(text)
    if match:
        return now - timedelta(**{_UNITS[match.group(2).lower()]: float(match.group(1))})
    try:
        return from_iso(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"--since takes a span like 24h, 90m, 2d or an ISO date, not {text!r}"
        ) from exc


def register(sub: Any) -> None:
    d = sub.add_parser("digest", help="print the digest (what the daily digest would say now)")
    d.add_argument("--print", action="store_true", dest="print_", help="print it (the default)")
    d.add_argument(
        "--since", help="period start: 24h, 90m, 2d or an ISO date (default: last digest)"
    )
    d.add_argument("--guild", type=int, default=CONSOLE_GUILD_ID, help="server id (0 = console)")
    d.add_argument("--json", action="store_true", help="print the digest as JSON")
    d.set_defaults(handler=handle_digest)

    t = sub.add_parser("timeline", help="a topic's stories and dated facts, oldest first")
    t.add_argument("topic", help="topic name, e.g. Donbas")
    t.add_argument("--guild", type=int, default=CONSOLE_GUILD_ID, help="server id (0 = console)")
    t.add_argument("--json", action="store_true", help="print JSON")
    t.set_defaults(handler=handle_timeline)

    a = sub.add_parser("alerts", help="the alert outbox: list it, deliver it to the console")
    asub = a.add_subparsers(dest="alerts_command", metavar="SUBCOMMAND", required=True)
    lst = asub.add_parser("list", help="recent outbox rows (alerts, edits, notices, digests)")
    lst.add_argument("--guild", type=int, default=None, help="only this server")
    lst.add_argument(
        "--status",
        choices=["pending", "sent", "held", "merged", "failed", "waiting_channel"],
        help="only this status (waiting_channel: the server has no channel set yet)",
    )
    lst.add_argument("--limit", type=int, default=30)
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(handler=handle_list)
    dlv = asub.add_parser(
        "deliver", help="deliver what is due for the console newsroom (guild 0) to this terminal"
    )
    dlv.add_argument("--json", action="store_true", help="print the delivery report as JSON")
    dlv.set_defaults(handler=handle_deliver)
    mts = asub.add_parser("mutes", help="muted stories and outlets, who muted them and when")
    mts.add_argument("--guild", type=int, default=None, help="only this server")
    mts.add_argument("--json", action="store_true", help="print JSON")
    mts.set_defaults(handler=handle_mutes)
    unm = asub.add_parser("unmute", help="undo one mute (its id from `alerts mutes`)")
    unm.add_argument("id", help="the mute's id, e.g. story-3 or source-2")
    unm.add_argument("--guild", type=int, default=None, help="only this server")
    unm.set_defaults(handler=handle_unmute)


def _write(text: str) -> None:
    sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))


async def handle_digest(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        now = services.clock.now()
        since = parse_since(args.since, now) if args.since else None
        digest, lines = await services.digests.preview(args.guild, since, now)
    if args.json:
        emit_json({"digest": digest.model_dump(mode="json"), "lines": lines})
    else:
        _write(as_text(preview(digest)))  # the same reply as /digest preview
    return 0


async def handle_timeline(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        timeline = await services.digests.timeline(args.guild, args.topic)
    if args.json:
        emit_json(timeline.model_dump(mode="json"))
    else:
        _write(as_text(timeline_reply(timeline)))  # the same reply as /timeline
    return 0


async def handle_list(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        rows = await services.alerts.outbox(args.guild, args.status, args.limit)
        tz = settings.default_timezone
    if args.json:
        emit_json([r.model_dump(mode="json") for r in rows])
        return 0
    if not rows:
        _write("outbox is empty")
        return 0
    for r in rows:
        when = local_time(r.sent_at or r.next_attempt_at, tz)
        error = f"  error: {r.last_error}" if r.last_error and r.status != "sent" else ""
        _write(
            f"#{r.id:<5} guild {r.guild_id:<20} {r.kind:<8} {r.status:<15} "
            f"tries {r.attempts:<2} {when}  {r.summary[:70]}{error}"
        )
    return 0


async def handle_deliver(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        report = await services.alerts.deliver(ConsoleTransport(_write), guild_id=CONSOLE_GUILD_ID)
    if args.json:
        emit_json(report.model_dump(mode="json"))
    else:
        _write(
            f"delivered {report.sent} (combined {report.combined}, edited {report.edited}); "
            f"held {report.held}, waiting {report.waiting}, retrying {report.retried}, failed {report.failed}"
        )
    return (
        0
        if report.failed == 0
        else fail("some messages failed; see `beatwatch alerts list --status failed`")
    )


async def handle_mutes(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        found = await actions.mutes(services.db, args.guild)
    if args.json:
        emit_json([dataclasses.asdict(m) | {"at": m.at.isoformat()} for m in found])
    else:
        _write(as_text(mutes_reply(found)))  # the same reply as /alerts mutes
    return 0


async def handle_unmute(settings: Settings, args: argparse.Namespace) -> int:
    async with open_services(settings) as services:
        try:
            undone = await actions.unmute(services.db, args.id, args.guild)
        except UserFacingError as exc:
            return fail(str(exc))
    _write(as_text(unmuted(undone)))
    return 0
