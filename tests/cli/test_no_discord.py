"""Console mode and the CLI run without importing discord at all (import-linter holds the
static side in pyproject.toml; this holds the running one)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT

PROGRAM = """
import sys
from bot.__main__ import main
code = main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("discord", "cogs"))
print("LOADED", ",".join(loaded) or "-", "CODE", code)
"""


def _run(tmp_path: Path, argv: list[str], stdin: str = "") -> str:
    seeds = tmp_path / "seeds"
    if not seeds.exists():
        shutil.copytree(PROJECT_ROOT / "seeds", seeds)
        (seeds / "feeds.json").write_text(json.dumps({"feeds": []}), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEATWATCH_")}
    env |= {
        "BEATWATCH_DATABASE_PATH": str(tmp_path / "beatwatch.sqlite3"),
        "BEATWATCH_SEEDS_DIR": str(seeds),
        "BEATWATCH_LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, *argv],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,  # no stray .env
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_console_commands_run_without_discord(tmp_path: Path) -> None:
    out = _run(
        tmp_path,
        ["run", "--console"],
        "/status\n/ask Where did Trump and Putin meet?\n/timeline Donbas\n/alerts mutes\n"
        "/alerts unmute story-9\n/quit\n",
    )
    assert "== beatwatch status" in out and "== Sources" in out and "Timeline: Donbas" in out
    assert "Nothing is muted" in out and "No mute story-9 here" in out
    assert out.rstrip().endswith("LOADED - CODE 0"), out[-500:]


def test_cli_commands_run_without_discord(tmp_path: Path) -> None:
    for argv in (
        ["ask", "Who denied the FT report?"],
        ["feeds", "status"],
        ["topics", "list"],
        ["alerts", "mutes"],
    ):
        out = _run(tmp_path, argv)
        assert out.rstrip().endswith("LOADED - CODE 0"), (argv, out[-500:])
