"""Guard: tests that skip (e.g. those that need ../shared, absent in a clean clone) are counted
and explained at the end of every run, CI's included."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT


def test_a_run_without_shared_reports_how_many_skipped_and_why(tmp_path: Path) -> None:
    env = {**os.environ, "BW_TESTS_SHARED_DIR": str(tmp_path / "no-shared")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/feeds/test_corpus.py"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "2 skipped, by reason" in out, out
    assert "   1 skipped: " in out and "no-shared/corpus/feeds not present" in out, out
    assert "no-shared/corpus/feedparser-tests not present" in out, out
