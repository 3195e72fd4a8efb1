"""The suite's own check: a run that leaves a process behind fails (tests/leftover_processes.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from tests.leftover_processes import cmdline

CONFTEST = "from tests.leftover_processes import pytest_sessionfinish, pytest_sessionstart\n"
LEAKS = """
import subprocess, sys
from pathlib import Path

def test_leaks():
    # detached: a new session, and the handle dropped without waiting
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"],
                            start_new_session=True)
    Path("leaked.pid").write_text(str(proc.pid))
"""
CLEAN = """
import subprocess, sys

def test_cleans_up():
    subprocess.run([sys.executable, "-c", "pass"], check=True)
"""


def _inner_run(tmp_path: Path, test_source: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_inner.py").write_text(test_source)
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT), BW_TEST_LEFTOVER_GRACE="1")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_inner.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_run_that_leaves_a_process_behind_fails_and_the_process_is_killed(
    tmp_path: Path,
) -> None:
    done = _inner_run(tmp_path, LEAKS)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "processes left behind" in done.stdout and "time.sleep(300)" in done.stdout
    assert "1 passed" in done.stdout  # the test itself passed; the run failed
    pid = int((tmp_path / "leaked.pid").read_text())
    deadline = time.monotonic() + 5
    while "time.sleep(300)" in cmdline(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "time.sleep(300)" not in cmdline(pid), "the leftover was not killed"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_run_that_cleans_up_passes(tmp_path: Path) -> None:
    done = _inner_run(tmp_path, CLEAN)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "left behind" not in done.stdout
