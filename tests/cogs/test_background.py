"""TaskKeeper: background tasks keep a reference and never fail silently."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.discord.background import TaskKeeper


async def test_failures_are_logged_and_tasks_forgotten(caplog: pytest.LogCaptureFixture) -> None:
    keeper = TaskKeeper()

    async def boom() -> None:
        raise ValueError("kaboom")

    task = keeper.spawn(boom(), name="boom-task")
    assert len(keeper) == 1
    with caplog.at_level(logging.ERROR, logger="bot.discord.background"):
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.sleep(0)  # done callbacks
    assert len(keeper) == 0
    assert any("task=boom-task" in r.getMessage() and r.exc_info for r in caplog.records)


async def test_cancel_all_stops_running_tasks() -> None:
    keeper = TaskKeeper()
    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.Event().wait()

    task = keeper.spawn(forever(), name="forever")
    await started.wait()
    await keeper.cancel_all()
    assert task.cancelled() and len(keeper) == 0
