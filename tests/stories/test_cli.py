"""`beatwatch stories group` and `stories list` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.clock import FixedClock
from bot.settings import Settings
from bot.storage.articles import insert_article
from bot.storage.database import Database
from bot.stories.service import StoryService
from tests.stories.test_service import OTHER, STRIKE_A, STRIKE_B

LINES = [
    {
        "id": "reuters-1",
        "title": STRIKE_A.title,
        "text": STRIKE_A.summary,
        "outlet": "Reuters",
        "published": "2026-01-28T07:00:00Z",
    },
    {
        "id": "ft-1",
        "title": OTHER.title,
        "text": OTHER.summary,
        "outlet": "Financial Times",
        "published": "2026-01-28T08:00:00+00:00",
    },
    {
        "id": "kyivindependent-1",
        "title": STRIKE_B.title,
        "text": STRIKE_B.summary,
        "outlet": "Kyiv Independent",
        "published": "2026-01-28T09:00:00Z",
    },
]


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("BEATWATCH_DATABASE_PATH", str(settings.database_path))
    return settings


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8"
    )
    return path


def test_group_json_names_stories_outlets_and_first(
    tmp_path: Path, env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", list(LINES))
    assert main(["stories", "group", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["assignments"]["reuters-1"] == out["assignments"]["kyivindependent-1"]
    assert out["assignments"]["ft-1"] != out["assignments"]["reuters-1"]
    strike = next(s for s in out["stories"] if "reuters-1" in s["ids"])
    assert strike == {
        "story_id": out["assignments"]["reuters-1"],
        "ids": ["reuters-1", "kyivindependent-1"],
        "outlets": ["Reuters", "Kyiv Independent"],
        "first": "reuters-1",
    }


def test_group_reports_bad_lines_by_number_and_groups_the_rest(
    tmp_path: Path, env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    rows: list[object] = [
        LINES[0],
        "{not json",
        {"id": "x", "title": "bad date", "outlet": "AP", "published": "the day before"},
        LINES[2],
    ]
    path = write_jsonl(tmp_path / "b.jsonl", rows)
    assert main(["stories", "group", str(path)]) == 0
    captured = capsys.readouterr()
    assert "line 2: not valid JSON" in captured.err
    assert "line 3: published" in captured.err
    table = captured.out.splitlines()
    assert table[0].split()[:2] == ["id", "story"]
    assigned = {line.split()[0]: line.split()[1] for line in table[1:3]}
    assert assigned["reuters-1"] == assigned["kyivindependent-1"]
    assert "2 articles, 1 story" in captured.out and "2 bad lines skipped" in captured.out


def test_group_accepts_rfc822_and_missing_dates(
    tmp_path: Path, env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 14: feeds write RFC 822 dates; an item without a date is dated when first seen.
    rows: list[object] = [
        {**LINES[0], "published": "Wed, 28 Jan 2026 07:00:00 GMT"},
        {**LINES[2], "published": "Wed, 28 Jan 2026 09:00:00 +0000"},
        {"id": "undated", "title": OTHER.title, "text": OTHER.summary, "outlet": "AP"},
    ]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    assert main(["stories", "group", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    out = json.loads(captured.out)
    assert out["assignments"]["reuters-1"] == out["assignments"]["kyivindependent-1"]
    assert "undated" in out["assignments"]


def test_group_missing_file_is_a_clear_error(
    tmp_path: Path, env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stories", "group", str(tmp_path / "nope.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


async def test_list_shows_stored_stories_with_outlets(
    env: Settings, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    async with Database.open(env.database_path) as db:
        svc = StoryService(db, clock, env)
        for art in (STRIKE_A, STRIKE_B):
            async with db.transaction() as tx:
                article_id, _ = await insert_article(tx, art)
                await svc.assign(tx, art.model_copy(update={"id": article_id}))
    # `main` runs its own event loop: call the handler directly inside this one.
    from argparse import Namespace

    from bot.cli.stories import handle_list

    assert await handle_list(env, Namespace(days=36500.0, json=True)) == 0
    out = json.loads(capsys.readouterr().out)
    [story] = out["stories"]
    assert story["outlets"] == ["Reuters", "Kyiv Independent"]
    assert story["article_count"] == 2 and story["first_publisher"] == "Reuters"
