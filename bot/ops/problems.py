"""Operational problems the running bot is having right now, for ``/status`` and the logs.

A small in-process board: whoever notices a problem reports it under a key, and clears it
when it is over. ``/status`` shows :func:`active`; the heartbeat also writes them into its
``detail`` so ``beatwatch health`` shows them from outside the process.

    from bot.ops import problems
    problems.report("database", "database is locked (writes waiting)", clock.now())
    problems.clear("database")
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    key: str
    text: str
    since: datetime
    count: int


_lock = threading.Lock()
_board: dict[str, Problem] = {}


def report(key: str, text: str, now: datetime) -> None:
    """Record (or refresh) a problem; logged once when it starts, as a WARNING."""
    with _lock:
        old = _board.get(key)
        _board[key] = Problem(key, text, old.since if old else now, (old.count + 1) if old else 1)
    if old is None:
        log.warning("event=problem_started key=%s text=%s", key, text)


def clear(key: str) -> None:
    with _lock:
        old = _board.pop(key, None)
    if old is not None:
        log.info("event=problem_over key=%s occurrences=%s", key, old.count)


def active() -> list[Problem]:
    with _lock:
        return sorted(_board.values(), key=lambda p: p.since)


def summary(exclude: tuple[str, ...] = ()) -> str:
    """One line, e.g. ``database: database is locked (since 09:01Z, 4x)``; '' if none."""
    return "; ".join(
        f"{p.key}: {p.text} (since {p.since.strftime('%H:%MZ')}, {p.count}x)"
        for p in active()
        if p.key not in exclude
    )


def reset() -> None:
    """Forget everything (tests)."""
    with _lock:
        _board.clear()
