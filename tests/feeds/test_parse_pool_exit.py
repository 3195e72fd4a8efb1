"""The parse pool's processes end with the process that made them, even after ``kill -9``.

Without that, each killed app left its forkserver, two workers and the resource tracker
running (about 110 MB), re-parented to PID 1, for good.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from bot.settings import PROJECT_ROOT
from tests.leftover_processes import process_group

OWNER = """
import asyncio, json, multiprocessing.forkserver as fs, multiprocessing.resource_tracker as rt
from bot.feeds.parser import ParsePool

async def main():
    pool = ParsePool(mode="process", workers=2)
    await pool.warm_up()
    print(json.dumps({"workers": pool.worker_pids(), "forkserver": fs._forkserver._forkserver_pid,
                      "tracker": rt._resource_tracker._pid}), flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


def test_kill9_of_the_owner_ends_the_whole_parse_pool() -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a group of its own, so whatever is left can be found and killed
    )
    try:
        assert owner.stdout is not None
        pids = json.loads(owner.stdout.readline())
        helpers = [*pids["workers"], pids["forkserver"], pids["tracker"]]
        assert len(helpers) == 4 and all(helpers), pids
        assert set(process_group(owner.pid)) >= set(helpers)
        owner.send_signal(signal.SIGKILL)
        owner.wait(timeout=10)
        deadline = time.monotonic() + 10
        while (left := process_group(owner.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not left, f"still running after the owner was killed: {left}"
    finally:
        owner.kill()
        owner.wait(timeout=10)
        try:
            os.killpg(owner.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
