"""Loaded by every Python process of a wall-clock pass (tests/wallclock.py puts this folder on
PYTHONPATH); does nothing unless libfaketime is preloaded.

libfaketime 0.9.10 (Debian 12) shifts the deadline of
``clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)`` even with FAKETIME_DONT_FAKE_MONOTONIC=1
(wolfcw/libfaketime#426), and Python >= 3.11 sleeps that way: ``time.sleep`` fails with
EINVAL (or, with the clock set back, sleeps far too long). Here ``time.sleep`` waits in
``select()`` instead, on the real monotonic clock.
"""

from __future__ import annotations

import os
import select
import time

if "libfaketime" in os.environ.get("LD_PRELOAD", "") and os.environ.get("FAKETIME"):

    def _sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            select.select([], [], [], left)

    time.sleep = _sleep
