"""Shared fixtures: real SQLite files in tmp_path, settings pointing at them, a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.services import Services, open_services
from bot.settings import PROJECT_ROOT, Settings

SHARED = PROJECT_ROOT.parent / "shared"


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
