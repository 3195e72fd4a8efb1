"""Generate ``deploy/.env.example`` and the README settings table from :class:`Settings`.

    beatwatch config --env-example       # print the .env.example text
    beatwatch config --sync-docs         # rewrite deploy/.env.example and the README table
    beatwatch config --sync-docs --check # exit 1 if either is out of step

Every line in ``.env.example`` is commented out, so copying it to ``.env`` changes nothing
until you uncomment a line (and the container's own paths are never overridden by accident).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr
from pydantic.fields import FieldInfo

from bot.settings import PROJECT_ROOT, Settings

ENV_EXAMPLE = PROJECT_ROOT / "deploy" / ".env.example"
README = PROJECT_ROOT / "README.md"
TABLE_START = "<!-- settings-table:start -->"
TABLE_END = "<!-- settings-table:end -->"


def env_name(field: str) -> str:
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return f"{prefix}{field}".upper()


def default_text(info: FieldInfo) -> str:
    """The default as it would be written in an env file ('' for none)."""
    value: Any = info.get_default(call_default_factory=True)
    if value is None or isinstance(value, SecretStr):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Path):
        try:
            return str(value.relative_to(PROJECT_ROOT))
        except ValueError:
            return str(value)
    return str(value)


def _fields() -> list[tuple[str, FieldInfo]]:
    return list(Settings.model_fields.items())


def render_env_example() -> str:
    lines = [
        "# beatwatch settings. Copy to .env (or use as a compose env_file) and uncomment what",
        "# you change. Every value shown is the default. Generated from bot/settings.py by",
        "# `beatwatch config --sync-docs`; tests/ops/test_envfile.py keeps the two in step.",
        "# Paths are relative to the working directory, except BEATWATCH_SEEDS_DIR whose",
        "# default is the seeds/ folder of the installed project.",
        "",
    ]
    for name, info in _fields():
        lines.append(f"# {info.description or name}")
        lines.append(f"# {env_name(name)}={default_text(info)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_settings_table() -> str:
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for name, info in _fields():
        default = default_text(info)
        shown = f"`{default}`" if default else "(none)"
        rows.append(f"| `{env_name(name)}` | {_cell(shown)} | {_cell(info.description or '')} |")
    return "\n".join(rows) + "\n"


def splice_readme(readme: str, table: str) -> str:
    start = readme.index(TABLE_START) + len(TABLE_START)
    end = readme.index(TABLE_END)
    return readme[:start] + "\n" + table + readme[end:]


def stale_docs() -> list[Path]:
    """The generated files (``.env.example``, README table) that differ from Settings."""
    stale = []
    current = ENV_EXAMPLE.read_text(encoding="utf-8") if ENV_EXAMPLE.exists() else ""
    if current != render_env_example():
        stale.append(ENV_EXAMPLE)
    readme = README.read_text(encoding="utf-8")
    if readme != splice_readme(readme, render_settings_table()):
        stale.append(README)
    return stale


def sync_docs() -> list[Path]:
    """Rewrite whatever :func:`stale_docs` reports; returns the files written."""
    stale = stale_docs()
    if ENV_EXAMPLE in stale:
        ENV_EXAMPLE.write_text(render_env_example(), encoding="utf-8")
    if README in stale:
        readme = README.read_text(encoding="utf-8")
        README.write_text(splice_readme(readme, render_settings_table()), encoding="utf-8")
    return stale
