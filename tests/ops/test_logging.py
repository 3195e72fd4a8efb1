"""Logs: one line per event, key=value, lazy arguments, and never the token."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from tests.ops.test_doctor import make_token

LEVELS = {"debug", "info", "warning", "error", "exception", "critical"}
LOGGER_NAMES = {"log", "logger", "_log", "LOG"}
PLACEHOLDER = re.compile(r"%(?!%)[-#0 +]*\d*(?:\.\d+)?[sdrfgeixu]")


def _log_calls(tree: ast.AST) -> list[ast.Call]:
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in LEVELS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in LOGGER_NAMES
        ):
            found.append(node)
    return found


def test_every_log_call_is_key_value_with_lazy_arguments() -> None:
    problems = []
    for folder in ("bot", "cogs"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for call in _log_calls(tree):
                where = f"{path.relative_to(PROJECT_ROOT)}:{call.lineno}"
                if not call.args:
                    problems.append(f"{where}: no message")
                    continue
                msg = call.args[0]
                if not (isinstance(msg, ast.Constant) and isinstance(msg.value, str)):
                    problems.append(f"{where}: message is not a literal (f-string/format?)")
                    continue
                text = msg.value
                if not re.match(r"^event=[a-z0-9_.]+( |$)", text):
                    problems.append(f"{where}: message does not start with event=<name>")
                if "\n" in text:
                    problems.append(f"{where}: message spans lines")
                text = text.replace("%%", "")
                placeholders = list(PLACEHOLDER.finditer(text))
                for placeholder in placeholders:
                    before = text[: placeholder.start()]
                    if not re.search(r"[a-z_]+=[\"']?$", before):
                        problems.append(f"{where}: placeholder without a key= before it")
                if len(placeholders) != len(call.args) - 1:
                    problems.append(f"{where}: placeholders and arguments differ")
    assert not problems, "log calls off the house style:\n" + "\n".join(problems)


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["doctor"],
        ["doctor", "--json"],
        ["config"],
        ["health"],
        ["prune", "--dry-run"],
        ["backup", "backup.sqlite3"],
    ],
)
def test_token_never_appears_in_output_or_logs(tmp_path: Path, args: list[str]) -> None:
    token = make_token()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEATWATCH_")}
    env.update(
        BEATWATCH_DISCORD_TOKEN=token,
        BEATWATCH_DATABASE_PATH=str(tmp_path / "db.sqlite3"),
        BEATWATCH_LOG_LEVEL="DEBUG",
        PYTHONPATH=str(PROJECT_ROOT),
    )
    if args[0] in {"backup", "health"}:
        _run(["prune"], env, tmp_path)  # creates and migrates the database
    result = _run(args, env, tmp_path)
    combined = result.stdout + result.stderr
    assert result.returncode in (0, 1), combined
    assert token not in combined
    for part in token.split("."):
        assert part not in combined
    for line in result.stderr.splitlines():
        if " level=" in line:
            assert re.match(r"^\S+ level=[A-Z]+ logger=\S+ ", line), line
