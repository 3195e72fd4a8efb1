"""Shared fixtures: real SQLite files in tmp_path, settings pointing at them, a fixed clock."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.services import Services, open_services
from bot.settings import PROJECT_ROOT, Settings
from tests.leftover_processes import (  # noqa: F401  (hooks: no process outlives the run)
    pytest_sessionfinish,
    pytest_sessionstart,
)

# ../shared beside the project; BW_TESTS_SHARED_DIR points elsewhere (the skip report's own test).
SHARED = Path(os.environ.get("BW_TESTS_SHARED_DIR") or PROJECT_ROOT.parent / "shared")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 2, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key in list(__import__("os").environ):
        if key.startswith("BEATWATCH_"):
            monkeypatch.delenv(key)
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_path=tmp_path / "beatwatch.sqlite3",
        allow_private_hosts=True,
    )


@pytest.fixture
async def services(settings: Settings, clock: FixedClock) -> AsyncIterator[Services]:
    async with open_services(settings, clock) as svc:
        yield svc


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when that folder is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present (../shared is optional)")
    return path


def skip_reasons(reports: list[Any]) -> Counter[str]:
    """How many tests were skipped for each reason (pytest's skip reports)."""
    reasons: Counter[str] = Counter()
    for report in reports:
        longrepr = getattr(report, "longrepr", None)
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    return reasons


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many tests were skipped and why, so a skip (e.g. no ../shared) is never silent."""
    reasons = skip_reasons(terminalreporter.stats.get("skipped", []))
    if not reasons:
        return
    terminalreporter.section(f"{sum(reasons.values())} skipped, by reason")
    for reason, count in reasons.most_common():
        terminalreporter.line(f"{count:>4} skipped: {reason}")
