"""Guard the deploy files: the properties the README promises an operator."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from bot.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"


def test_dockerfile() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM (\S+)", text, flags=re.M)
    assert len(stages) >= 2 and all(s == "python:3.11-slim" for s in stages)  # multi-stage
    assert re.search(r"^USER (?!root|0)\S+", text, flags=re.M)  # non-root
    assert re.search(r"BEATWATCH_SEEDS_DIR=/app/seeds", text)
    assert "COPY seeds /app/seeds" in text
    assert "BEATWATCH_DATABASE_PATH=/data/beatwatch.sqlite3" in text
    assert 'VOLUME ["/data"]' in text
    assert re.search(r'HEALTHCHECK .*\n?\s*CMD \["beatwatch", "health"\]', text)
    assert "TOKEN" not in text.replace("#", "")  # no secret baked in
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    assert "**/.env" in ignore and "**/*.sqlite3*" in ignore


def test_compose() -> None:
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    assert (
        len(re.findall(r"^  [a-z-]+:$", text.split("volumes:\n  beatwatch-data")[0], flags=re.M))
        == 1
    )
    for needle in (
        "env_file:",
        "restart: unless-stopped",
        "beatwatch-data:/data",
        "max-size:",
        "max-file:",
        "dockerfile: deploy/Dockerfile",
    ):
        assert needle in text


def test_systemd_unit() -> None:
    text = (DEPLOY / "beatwatch.service").read_text(encoding="utf-8")
    directives = dict(
        line.split("=", 1) for line in text.splitlines() if re.match(r"^[A-Z]\w+=", line)
    )
    assert directives["DynamicUser"] == "yes"
    assert directives["ProtectSystem"] == "strict"
    assert directives["StateDirectory"] == "beatwatch"
    assert directives["NoNewPrivileges"] == "yes"
    assert directives["Restart"] == "on-failure"
    assert directives["ExecStart"].endswith("beatwatch run")
    assert "/var/lib/beatwatch/" in text  # database in the state directory


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_unit_verifies() -> None:
    result = subprocess.run(
        ["systemd-analyze", "verify", str(DEPLOY / "beatwatch.service")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # The only acceptable complaint is the not-yet-installed /opt/beatwatch executable.
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and "/opt/beatwatch" not in line
    ]
    assert not problems, problems
