"""Guard: deploy/.env.example and the README settings table stay in step with Settings."""

from __future__ import annotations

import re

import pytest

from bot.ops import envfile
from bot.settings import Settings

FIX = "run `beatwatch config --sync-docs` to regenerate"


def test_env_example_matches_settings() -> None:
    text = envfile.ENV_EXAMPLE.read_text(encoding="utf-8")
    assert text == envfile.render_env_example(), f"deploy/.env.example is stale: {FIX}"


def test_env_example_lists_every_field_with_meaning_once() -> None:
    text = envfile.ENV_EXAMPLE.read_text(encoding="utf-8")
    names = re.findall(r"^# (BEATWATCH_[A-Z0-9_]+)=", text, flags=re.M)
    expected = [envfile.env_name(n) for n in Settings.model_fields]
    assert names == expected
    for name, info in Settings.model_fields.items():
        assert info.description, f"Settings.{name} needs a description= (it documents the env var)"


def test_env_example_values_are_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """Uncommenting every line (token aside) must give exactly the default settings."""
    for key in list(__import__("os").environ):
        if key.startswith("BEATWATCH_"):
            monkeypatch.delenv(key)
    text = envfile.ENV_EXAMPLE.read_text(encoding="utf-8")
    for name, value in re.findall(r"^# (BEATWATCH_[A-Z0-9_]+)=(.*)$", text, flags=re.M):
        if value:
            monkeypatch.setenv(name, value)
    loaded = Settings(_env_file=None)  # type: ignore[call-arg]
    defaults = Settings.model_construct()
    for field in Settings.model_fields:
        got, want = getattr(loaded, field), getattr(defaults, field)
        if field == "seeds_dir":
            assert got.name == want.name  # relative in the file, absolute by default
        else:
            assert got == want, field


def test_readme_settings_table_matches_settings() -> None:
    assert envfile.README not in envfile.stale_docs(), f"README settings table is stale: {FIX}"
    readme = envfile.README.read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{envfile.env_name(name)}`" in readme
