"""The terminal side: `digest --print`, `timeline`, `alerts list|deliver` on a real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.__main__ import main


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(__import__("os").environ):
        if key.startswith("BEATWATCH_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("BEATWATCH_DATABASE_PATH", str(db))
    monkeypatch.setenv("BEATWATCH_LOG_LEVEL", "WARNING")
    return db


def test_digest_print_and_json(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest", "--print", "--since", "24h"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("== Daily digest — ")  # the /digest preview reply, as text
    assert "stories from" in out
    assert main(["digest", "--since", "2d", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["digest"]["guild_id"] == 0 and data["lines"][0].startswith("Daily digest")


def test_digest_since_must_be_a_span_or_date(cli_env: Path) -> None:
    with pytest.raises(Exception, match="--since"):
        main(["digest", "--since", "yesterday-ish"])


def test_timeline_of_a_shipped_topic_and_unknown_topic(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["timeline", "Donbas", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["topic"] == "Donbas"
    whens = [e["when"] for e in data["entries"]]
    assert whens == sorted(whens)
    assert main(["timeline", "No such beat"]) == 2
    assert "No topic named" in capsys.readouterr().err


def test_alerts_list_and_deliver(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["alerts", "list"]) == 0
    assert "outbox is empty" in capsys.readouterr().out
    assert main(["alerts", "deliver", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["failed"] == 0


def test_alerts_list_filters_messages_waiting_for_a_channel(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alerts", "list", "--status", "waiting_channel", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
