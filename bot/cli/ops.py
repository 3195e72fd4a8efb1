"""Operations commands: ``doctor``, ``health``, ``backup PATH``, ``prune``, ``config``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.cli import emit_json, fail
from bot.clock import SystemClock
from bot.errors import UserFacingError
from bot.ops import envfile
from bot.ops.backup import backup_database
from bot.ops.doctor import Check, run_checks
from bot.ops.health import check_health
from bot.ops.retention import prune_old
from bot.settings import Settings
from bot.storage import ops as ops_store
from bot.storage.database import Database


def register(sub: Any) -> None:
    p = sub.add_parser("doctor", help="check configuration, database, seeds and token")
    p.add_argument(
        "--connect",
        action="store_true",
        help="also log in to Discord and check the bot's permissions in each configured channel",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=handle_doctor)

    p = sub.add_parser("health", help="exit 0 if the running bot's heartbeat is fresh")
    p.set_defaults(handler=handle_health)

    p = sub.add_parser("backup", help="consistent online backup of the database to PATH")
    p.add_argument("path", type=Path, help="backup file, or a folder for a time-stamped file")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(handler=handle_backup)

    p = sub.add_parser("prune", help="apply retention now (old articles, delivered alerts)")
    p.add_argument("--dry-run", action="store_true", help="count only, delete nothing")
    p.set_defaults(handler=handle_prune)

    p = sub.add_parser("config", help="show the effective settings (secrets masked)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--env-example", action="store_true", help="print deploy/.env.example")
    g.add_argument("--settings-table", action="store_true", help="print the README table")
    g.add_argument(
        "--sync-docs",
        action="store_true",
        help="rewrite deploy/.env.example and the README settings table from Settings",
    )
    p.add_argument("--check", action="store_true", help="with --sync-docs: only check")
    p.set_defaults(handler=handle_config)


# --- doctor -----------------------------------------------------------------------------

_MARK = {"ok": "[ ok ]", "warn": "[warn]", "fail": "[FAIL]", "skip": "[skip]"}


async def handle_doctor(settings: Settings, args: argparse.Namespace) -> int:
    checks = await run_checks(settings)
    if args.connect:
        checks.extend(await _discord_checks(settings))
    failed = [c for c in checks if c.failed]
    if args.json:
        emit_json(
            {
                "ok": not failed,
                "checks": [
                    {"name": c.name, "status": c.status, "detail": c.detail} for c in checks
                ],
            }
        )
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            sys.stdout.write(f"{_MARK[c.status]} {c.name:<{width}}  {c.detail}\n")
        sys.stdout.write(
            f"doctor: {len(failed)} problem(s) found\n" if failed else "doctor: all checks passed\n"
        )
    return 1 if failed else 0


def _channels(path: Path) -> list[tuple[int, int, str]]:
    return ops_store.configured_channels(path) if path.exists() else []


async def _discord_checks(settings: Settings) -> list[Check]:
    """Log in with the token and check permissions in every configured channel."""
    if settings.discord_token is None:
        return [Check("discord", "skip", "no token: nothing to connect with")]
    if any(c.failed for c in [*(await run_checks(settings))] if c.name == "token"):
        return [Check("discord", "skip", "token has the wrong shape: not connecting")]
    channels = await asyncio.to_thread(_channels, settings.database_path)
    from bot.discord.doctor import discord_checks  # the Discord shell, loaded only when used

    return await discord_checks(settings, channels)


# --- health / backup / prune ------------------------------------------------------------


async def handle_health(settings: Settings, args: argparse.Namespace) -> int:
    report = await check_health(
        settings.database_path,
        SystemClock(),
        timedelta(minutes=settings.health_max_age_minutes),
    )
    sys.stdout.write(report.line + "\n")
    return 0 if report.healthy else 1


async def handle_backup(settings: Settings, args: argparse.Namespace) -> int:
    try:
        result = await backup_database(
            settings.database_path, args.path, SystemClock().now(), overwrite=args.force
        )
    except UserFacingError as exc:
        return fail(str(exc))
    sys.stdout.write(f"backup written to {result.path} ({result.bytes} bytes, integrity ok)\n")
    return 0


async def handle_prune(settings: Settings, args: argparse.Namespace) -> int:
    async with Database.open(settings.database_path) as db:
        counts = await prune_old(
            db,
            SystemClock(),
            settings.retention_days,
            settings.outbox_retention_days,
            dry_run=args.dry_run,
        )
    verb = "would delete" if args.dry_run else "deleted"
    sys.stdout.write(
        f"{verb} {counts.articles_deleted} article(s) older than {settings.retention_days} days "
        f"(kept {counts.articles_kept} still cited), {counts.outbox_deleted} delivered alert(s) "
        f"older than {settings.outbox_retention_days} days, {counts.alerts_deleted} old alert(s)\n"
    )
    return 0


# --- config -----------------------------------------------------------------------------


async def handle_config(settings: Settings, args: argparse.Namespace) -> int:
    if args.env_example:
        sys.stdout.write(envfile.render_env_example())
        return 0
    if args.settings_table:
        sys.stdout.write(envfile.render_settings_table())
        return 0
    if args.sync_docs:
        if args.check:
            stale = envfile.stale_docs()
            for path in stale:
                sys.stderr.write(f"{path} is out of step with bot/settings.py\n")
            return 1 if stale else 0
        for path in envfile.sync_docs():
            sys.stdout.write(f"rewrote {path}\n")
        return 0
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            shown = "(set, hidden)"
        elif value is None:
            shown = "(none)"
        else:
            shown = str(value)
        sys.stdout.write(f"{envfile.env_name(name)}={shown}\n")
    return 0
