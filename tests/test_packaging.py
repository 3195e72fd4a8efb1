"""Guard: every data file under bot/ ships in a non-editable install (the Docker image)."""

from __future__ import annotations

import fnmatch
import tomllib

from bot.settings import PROJECT_ROOT


def test_every_data_file_in_bot_is_package_data() -> None:
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["bot"]
    package = PROJECT_ROOT / "bot"
    data_files = [
        p.relative_to(package).as_posix()
        for p in package.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    ]
    assert data_files
    missing = [f for f in data_files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)]
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"
