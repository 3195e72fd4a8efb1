"""No test may depend on the hour it runs at.

CI runs the suite once on the real clock and the scheduler, digest, alerts and reliability
tests again with the wall clock at 23:45 UTC (``python tests/wallclock.py 23:45 ...``, see
.ci/run). The first test proves that pass really moved the clock every process sees; the others
that the reliability scenarios' wall-clock digest times cannot cross midnight.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.reliability.harness import midmorning_timezone


def test_the_wall_clock_pass_moved_the_clock() -> None:
    target = os.environ.get("WALLCLOCK_TARGET")
    if not target:
        pytest.skip("checks the wall-clock pass only (python tests/wallclock.py HH:MM ...)")
    started = int(target)
    assert 0 <= time.time() - started < 3600, datetime.now(UTC)
    for cmd in (
        ["date", "-u", "+%s"],
        [sys.executable, "-c", "import time; time.sleep(0.01); print(int(time.time()))"],
    ):  # subprocesses see the same clock, and can sleep
        seen = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        assert abs(int(seen) - time.time()) < 5, (cmd, seen)
    began = time.monotonic()  # the monotonic clock is real: durations and timeouts hold
    time.sleep(0.05)
    assert 0.04 < time.monotonic() - began < 5


@pytest.mark.parametrize("hour", range(24))
def test_reliability_digest_times_stay_on_one_day(hour: int) -> None:
    for minute in (0, 59):
        now = datetime(2026, 3, 29, hour, minute, 30, tzinfo=UTC)  # a DST day in Europe
        zone = ZoneInfo(midmorning_timezone(now))
        local = now.astimezone(zone)
        for delta in (timedelta(minutes=-1), timedelta(hours=2)):  # what the scenarios use
            assert (now + delta).astimezone(zone).date() == local.date(), (now, zone)
