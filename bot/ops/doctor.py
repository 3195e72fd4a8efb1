"""``beatwatch doctor``: checks an operator can run before (or while) the bot runs.

Each check returns a :class:`Check` (ok / warn / fail / skip + one line of detail). Nothing here
prints or touches Discord; the CLI renders the list and adds the ``--connect`` checks.
The token is only ever described by its shape, never echoed.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.seeds import SeedError, load_seed_articles
from bot.settings import Settings
from bot.storage import ops as ops_store
from bot.storage.database import migration_files

Status = Literal["ok", "warn", "fail", "skip"]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str

    @property
    def failed(self) -> bool:
        return self.status == "fail"


def _b64url(part: str) -> bytes | None:
    if not part or any(
        c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in part
    ):
        return None
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        return None


def token_shape(token: str) -> str | None:
    """None if ``token`` looks like a Discord bot token, else what is wrong (never the token).

    A bot token is three dot-separated base64url parts; the first decodes to the bot's
    numeric user id.
    """
    if token != token.strip():
        return "has leading/trailing whitespace"
    if token.lower().startswith("bot "):
        return "starts with 'Bot ' - give the token alone"
    parts = token.split(".")
    if len(parts) != 3:
        return f"has {len(parts)} dot-separated parts, expected 3"
    decoded = [_b64url(p) for p in parts]
    if any(d is None for d in decoded):
        return "a part is not base64url"
    first = decoded[0] or b""
    if not first.isdigit():
        return "first part does not decode to a numeric user id"
    return None


def check_config(settings: Settings) -> list[Check]:
    checks = [Check("config", "ok", "settings loaded and valid")]
    if settings.disable_after_errors < settings.failing_after_errors:
        checks.append(
            Check(
                "config.feeds",
                "fail",
                "BEATWATCH_DISABLE_AFTER_ERRORS is below BEATWATCH_FAILING_AFTER_ERRORS",
            )
        )
    if settings.metrics_port is not None and settings.metrics_host not in {
        "127.0.0.1",
        "::1",
        "localhost",
    }:
        checks.append(
            Check(
                "config.metrics",
                "warn",
                f"metrics bound to {settings.metrics_host}: reachable beyond this machine",
            )
        )
    if settings.allow_private_hosts:
        checks.append(
            Check(
                "config.feeds",
                "warn",
                "BEATWATCH_ALLOW_PRIVATE_HOSTS=true: feeds may reach the LAN",
            )
        )
    return checks


def check_token(settings: Settings) -> Check:
    if settings.discord_token is None:
        return Check(
            "token", "warn", "no BEATWATCH_DISCORD_TOKEN: `beatwatch run` starts console mode"
        )
    problem = token_shape(settings.discord_token.get_secret_value())
    if problem:
        return Check("token", "fail", f"BEATWATCH_DISCORD_TOKEN {problem}")
    return Check("token", "ok", "BEATWATCH_DISCORD_TOKEN has the shape of a bot token")


def check_database(path: Path) -> list[Check]:
    latest = migration_files()[-1][0]
    if not path.exists():
        parent = path.parent if path.parent != Path("") else Path(".")
        existing = parent
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if os.access(existing, os.W_OK):
            return [Check("database", "warn", f"{path} does not exist yet; created on first run")]
        return [Check("database", "fail", f"{path} does not exist and {existing} is not writable")]
    checks = []
    try:
        status = ops_store.peek(path)
    except sqlite3.Error as exc:
        return [Check("database", "fail", f"cannot open {path}: {exc}")]
    if status.user_version == latest:
        checks.append(Check("database.schema", "ok", f"migrated (version {latest})"))
    elif status.user_version < latest:
        checks.append(
            Check(
                "database.schema",
                "warn",
                f"version {status.user_version}, latest {latest}: migrated on next start",
            )
        )
    else:
        checks.append(
            Check(
                "database.schema",
                "fail",
                f"version {status.user_version} is newer than this beatwatch ({latest}): downgrade?",
            )
        )
    try:
        ops_store.check_writable(path)
        checks.append(Check("database.write", "ok", f"{path} is writable"))
    except sqlite3.Error as exc:
        checks.append(Check("database.write", "fail", f"{path} is not writable: {exc}"))
    try:
        result = ops_store.integrity_check(path, quick=True)
        if result == ["ok"]:
            checks.append(Check("database.integrity", "ok", "quick_check ok"))
        else:
            checks.append(Check("database.integrity", "fail", "; ".join(result[:3])))
    except sqlite3.Error as exc:
        checks.append(Check("database.integrity", "fail", str(exc)))
    return checks


def check_seeds(seeds_dir: Path) -> list[Check]:
    if not seeds_dir.is_dir():
        return [Check("seeds", "fail", f"no seeds folder at {seeds_dir}")]
    checks = []
    try:
        arts = load_seed_articles(seeds_dir)
        checks.append(Check("seeds.articles", "ok", f"{len(arts)} seed articles"))
    except SeedError as exc:
        checks.append(Check("seeds.articles", "fail", str(exc)))
    feeds_json = seeds_dir / "feeds.json"
    if not feeds_json.exists():
        checks.append(Check("seeds.feeds", "skip", f"{feeds_json} not shipped"))
    else:
        try:
            from bot.feeds.service import load_default_feeds

            defaults = load_default_feeds(seeds_dir)
            checks.append(Check("seeds.feeds", "ok", f"{len(defaults)} default feeds"))
        except Exception as exc:  # boundary: any way the seed file is broken is a failed check
            checks.append(Check("seeds.feeds", "fail", f"{feeds_json}: {exc}"))
    topics_json = seeds_dir / "topics.json"
    if not topics_json.exists():
        checks.append(Check("seeds.topics", "skip", f"{topics_json} not shipped"))
    else:
        try:
            from bot.topics.service import read_seed_topics

            rules = read_seed_topics(topics_json)
            checks.append(Check("seeds.topics", "ok", f"{len(rules)} shipped topics"))
        except Exception as exc:  # boundary: any way the seed file is broken is a failed check
            checks.append(Check("seeds.topics", "fail", f"{topics_json}: {exc}"))
    return checks


def _run_all(settings: Settings) -> list[Check]:
    return [
        *check_config(settings),
        check_token(settings),
        *check_database(settings.database_path),
        *check_seeds(settings.seeds_dir),
    ]


async def run_checks(settings: Settings) -> list[Check]:
    """Every offline check (configuration, token shape, database, seeds)."""
    return await asyncio.to_thread(_run_all, settings)
