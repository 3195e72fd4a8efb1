"""`beatwatch doctor`: a pass/fail list an operator can act on, non-zero exit on failure."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.ops.doctor import check_database, run_checks, token_shape
from bot.settings import Settings
from bot.storage.database import Database, migration_files


def make_token(user_id: int = 123456789012345678) -> str:
    first = base64.urlsafe_b64encode(str(user_id).encode()).decode().rstrip("=")
    return f"{first}.GhIjKl.{'a1B2c3_-' * 4}"


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        (make_token(), None),
        ("abc.def", "2 dot-separated parts"),
        ("Bot " + make_token(), "starts with 'Bot '"),
        (make_token() + "\n", "whitespace"),
        ("a!b.c.d", "not base64url"),
        ("aGVsbG8.abc.def", "numeric user id"),
    ],
)
def test_token_shape(token: str, problem: str | None) -> None:
    result = token_shape(token)
    assert result is None if problem is None else (result is not None and problem in result)


async def test_fresh_install_passes_and_token_is_never_echoed(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = make_token()
    monkeypatch.setenv("BEATWATCH_DATABASE_PATH", str(settings.database_path))
    monkeypatch.setenv("BEATWATCH_DISCORD_TOKEN", token)
    async with Database.open(settings.database_path):
        pass
    assert await _main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "[ ok ] database.schema" in out and "doctor: all checks passed" in out
    assert token not in out and token.split(".")[0] not in out

    monkeypatch.setenv("BEATWATCH_DISCORD_TOKEN", "not-a-token")
    assert await _main(["doctor", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert {c["name"]: c["status"] for c in report["checks"]}["token"] == "fail"
    assert "not-a-token" not in json.dumps(report)


async def _main(argv: list[str]) -> int:
    import asyncio

    return await asyncio.to_thread(main, argv)


async def test_database_checks(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    assert [c.status for c in check_database(path)] == ["warn"]  # created on first run
    latest = migration_files()[-1][0]
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {latest + 1}")
    by_name = {c.name: c for c in check_database(path)}
    assert by_name["database.schema"].failed and "newer" in by_name["database.schema"].detail
    path.unlink()
    async with Database.open(path):
        pass
    assert all(c.status == "ok" for c in check_database(path))
    (tmp_path / "garbage.sqlite3").write_bytes(b"this is not a database" * 100)
    assert any(c.failed for c in check_database(tmp_path / "garbage.sqlite3"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
async def test_read_only_database_fails(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with Database.open(path):
        pass
    path.chmod(stat.S_IRUSR)
    try:
        assert any(c.failed and c.name == "database.write" for c in check_database(path))
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


async def test_broken_seeds_fail(settings: Settings, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    (seeds / "articles").mkdir(parents=True)
    (seeds / "articles" / "manifest.json").write_text("{broken", encoding="utf-8")
    (seeds / "feeds.json").write_text("[", encoding="utf-8")
    checks = await run_checks(settings.model_copy(update={"seeds_dir": seeds}))
    failed = {c.name for c in checks if c.failed}
    assert {"seeds.articles", "seeds.feeds"} <= failed
    checks = await run_checks(settings.model_copy(update={"seeds_dir": tmp_path / "none"}))
    assert any(c.name == "seeds" and c.failed for c in checks)
