"""CLI entry: ``beatwatch ...`` or ``python -m bot ...``. settings -> logging -> run."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sqlite3
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot import __version__
from bot.errors import BeatwatchError, OperatorError, UserFacingError
from bot.logs import configure
from bot.settings import Settings

log = logging.getLogger("bot.cli")

# Each module has register(subparsers); keep the list in the order `--help` shows it.
COMMAND_MODULES = [
    "bot.cli.run",
    "bot.cli.sync",
    "bot.cli.ask",
    "bot.cli.topics",
    "bot.cli.feeds",
    "bot.cli.ops",
    "bot.cli.stories",
    "bot.cli.alerts",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="beatwatch",
        description="beatwatch: answers questions from its sources, watches feeds, posts alerts and digests.",
    )
    parser.add_argument("--version", action="version", version=f"beatwatch {__version__}")
    parser.add_argument("--log-level", help="override BEATWATCH_LOG_LEVEL for this run")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        settings = Settings()
    except ValidationError as exc:
        sys.stderr.write(f"beatwatch: invalid configuration:\n{exc}\n")
        return 2
    level = args.log_level or settings.log_level
    if (
        not args.log_level
        and "log_level" not in settings.model_fields_set
        and args.command != "run"
    ):
        # One-shot commands keep stderr for warnings; the long-running bot logs its events.
        level = "WARNING"
    configure(level)
    try:
        code = asyncio.run(args.handler(settings, args))
    except UserFacingError as exc:
        sys.stderr.write(f"beatwatch: {exc}\n")
        return 2
    except OperatorError as exc:  # locked, read-only, full, corrupt, newer schema, bad seeds
        sys.stderr.write(f"beatwatch: {exc}\n")
        return 1
    except sqlite3.Error as exc:
        from bot.storage.database import database_unavailable

        unavailable = database_unavailable(exc, settings.database_path)
        if unavailable is None:
            raise
        sys.stderr.write(f"beatwatch: {unavailable}\n")
        return 1
    except BeatwatchError as exc:
        log.exception("event=command_failed command=%s", args.command)
        sys.stderr.write(f"beatwatch: {exc}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
