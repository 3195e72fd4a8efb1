"""Logging set-up: one line per event, ``key=value`` context, never a secret."""

from __future__ import annotations

import logging
import sys


class _Format(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        return line.replace("\n", "\\n") if record.exc_info is None else line


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        _Format("%(asctime)s level=%(levelname)s logger=%(name)s %(message)s", "%Y-%m-%dT%H:%M:%S")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # discord.py and aiohttp are chatty at INFO about things an operator rarely needs.
    logging.getLogger("discord.gateway").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
