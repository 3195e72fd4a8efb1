"""TopicService over a real database: shipped vs server topics, cache, backtest, CLI."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.clock import FixedClock
from bot.errors import UserFacingError
from bot.models import Article
from bot.services import Services
from bot.settings import Settings
from bot.storage.articles import insert_article


async def test_shipped_topics_loaded_once_and_for_every_guild(services: Services) -> None:
    shipped = await services.topics.list(None)
    assert [t.name for t in shipped] == ["Donbas", "security guarantees", "trilateral talks"]
    assert all(t.guild_id is None for t in shipped)
    # Loading again changes nothing (start-up is idempotent).
    assert await services.topics.load_seeds(services.settings.seeds_dir / "topics.json") == 0
    assert [t.id for t in await services.topics.list(12345)] == [t.id for t in shipped]


async def test_guild_topics_are_scoped(services: Services) -> None:
    added = await services.topics.add(
        111, "Zaporizhzhia NPP", ["ZNPP", "Zaporizhzhia nuclear*"], ping_role_id=42
    )
    assert added.guild_id == 111 and added.ping_role_id == 42
    assert "Zaporizhzhia NPP" in [t.name for t in await services.topics.list(111)]
    assert "Zaporizhzhia NPP" not in [t.name for t in await services.topics.list(222)]
    text = "IAEA inspectors at the Zaporizhzhia nuclear plant near Donetsk"
    assert {m.topic for m in await services.topics.test(111, text)} == {
        "Donbas",
        "Zaporizhzhia NPP",
    }
    assert {m.topic for m in await services.topics.test(222, text)} == {"Donbas"}
    (own,) = [m for m in await services.topics.test(111, text) if m.guild_id == 111]
    assert own.ping_role_id == 42


async def test_name_collisions_and_bad_rules_are_refused(services: Services) -> None:
    with pytest.raises(UserFacingError, match="shipped with beatwatch"):
        await services.topics.add(1, "DONBAS", ["Donetsk"])
    await services.topics.add(1, "Odesa", ["Odesa", "Odessa"])
    with pytest.raises(UserFacingError, match="already has a topic"):
        await services.topics.add(1, "odesa", ["Одеса"])
    await services.topics.add(2, "Odesa", ["Odesa"])  # another server may use the name
    with pytest.raises(UserFacingError, match="regular expression"):
        await services.topics.add(1, "Kharkiv", ["Khark.*"])
    assert "Kharkiv" not in [t.name for t in await services.topics.list(1)]


async def test_remove(services: Services) -> None:
    await services.topics.add(1, "Odesa", ["Odesa"])
    with pytest.raises(UserFacingError, match="cannot be removed"):
        await services.topics.remove(1, "Donbas")
    removed = await services.topics.remove(1, "ODESA")
    assert removed.name == "Odesa"
    with pytest.raises(UserFacingError, match="no topic named"):
        await services.topics.remove(1, "Odesa")


async def test_matcher_is_cached_and_recompiled_after_changes(services: Services) -> None:
    first = await services.topics.matcher_for(7)
    assert await services.topics.matcher_for(7) is first  # compiled once
    await services.topics.add(7, "Odesa", ["Odesa"])
    second = await services.topics.matcher_for(7)
    assert second is not first and "Odesa" in [t.name for t in second.topics]
    assert [m.topic for m in second.match("Drones hit Odesa port")] == ["Odesa"]
    await services.topics.remove(7, "Odesa")
    third = await services.topics.matcher_for(7)
    assert third.match("Drones hit Odesa port") == []


async def test_change_by_another_process_invalidates_the_cache(
    services: Services, settings: Settings, clock: FixedClock
) -> None:
    from bot.services import open_services

    cached = await services.topics.matcher_for(9)
    async with open_services(settings, clock) as other:  # e.g. the CLI while the bot runs
        await other.topics.add(9, "Odesa", ["Odesa"])
    fresh = await services.topics.matcher_for(9)
    assert fresh is not cached and fresh.match("Odesa port") != []


async def _store(services: Services, clock: FixedClock, title: str, days_ago: int, n: int) -> None:
    when = clock.now() - timedelta(days=days_ago)
    article = Article(
        entry_key=f"test:{n}",
        url=f"https://example.org/{n}",
        title=title,
        body="Body text.",
        publisher="Example Wire",
        published=when,
        first_seen=when,
    )
    async with services.db.transaction() as tx:
        await insert_article(tx, article)


async def test_backtest_counts_recent_matches_with_examples(
    services: Services, clock: FixedClock
) -> None:
    before = await services.topics.backtest(0, "Donbas", days=30)  # seed articles, if stored
    await _store(services, clock, "Shelling in Kramatorsk", 1, 1)
    await _store(services, clock, "Донеччина: евакуація триває", 3, 2)
    await _store(services, clock, "Shakhtar Donetsk win", 2, 3)
    await _store(services, clock, "Old news from Donetsk", 40, 4)
    result = await services.topics.backtest(0, "donbas", days=30)
    assert (result.scanned, result.matched) == (before.scanned + 3, before.matched + 2)
    assert [e.headline for e in result.examples[:2]] == [
        "Shelling in Kramatorsk",
        "Донеччина: евакуація триває",
    ]
    assert result.examples[0].publisher == "Example Wire"
    assert "**Kramatorsk**" in result.examples[0].match.snippet
    with pytest.raises(UserFacingError, match="--days"):
        await services.topics.backtest(0, "Donbas", days=0)
    with pytest.raises(UserFacingError, match="no topic named"):
        await services.topics.backtest(0, "Crimea", days=3)


def test_cli_test_json_and_add(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BEATWATCH_DATABASE_PATH", str(settings.database_path))
    monkeypatch.setenv("BEATWATCH_ALLOW_PRIVATE_HOSTS", "true")
    text = "Kyiv and Washington agreed on security guarantees."
    assert main(["topics", "test", text, "--title", "Trilateral talks resume", "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    got = {m["topic"]: m for m in out["matches"]}
    assert set(got) == {"security guarantees", "trilateral talks"}
    assert got["trilateral talks"]["field"] == "title"
    assert got["security guarantees"]["snippet"].count("**") == 2
    assert main(["topics", "add", "Odesa", "Odesa", "Одес*", "--exclude", "Odesa, Texas"]) == 0
    assert "added Odesa" in capsys.readouterr().out
    assert main(["topics", "add", "Bad", "Dn.*"]) == 2
    assert "regular expression" in capsys.readouterr().err
    assert main(["topics", "test", "Нічні вибухи в Одесі"]) == 0
    assert "Odesa: alias 'Одес*' in body" in capsys.readouterr().out
    assert main(["topics", "backtest", "Odesa", "--days", "7"]) == 0
    assert "0 of 0" in capsys.readouterr().out
    assert main(["topics", "list"]) == 0
    assert "Odesa  [server 0" in capsys.readouterr().out


def test_seeds_path_is_the_shipped_one() -> None:
    from bot.settings import PROJECT_ROOT

    assert (PROJECT_ROOT / "seeds" / "topics.json").exists()
    assert Path(PROJECT_ROOT / "seeds" / "topics.json").read_text(encoding="utf-8").strip()


@pytest.mark.parametrize(
    ("name", "looks_like", "char"),
    [
        ("Donbаs", "Donbas", "CYRILLIC SMALL LETTER A"),  # shipped, Cyrillic а
        ("Ｄｏｎｂａｓ", "Donbas", "FULLWIDTH LATIN CAPITAL LETTER D"),
        ("D0nbas", "Donbas", "DIGIT ZERO"),
        ("ѕесurity guarantees", "security guarantees", "CYRILLIC SMALL LETTER DZE"),
        ("Оdеsа", "Odesa", "CYRILLIC CAPITAL LETTER O"),  # the server's own topic
        ("ODΕSA", "Odesa", "GREEK CAPITAL LETTER EPSILON"),
    ],
)
async def test_lookalike_names_are_refused(
    services: Services, name: str, looks_like: str, char: str
) -> None:
    await services.topics.add(1, "Odesa", ["Odesa"])
    with pytest.raises(UserFacingError, match=f"looks like the topic '{looks_like}'") as refused:
        await services.topics.add(1, name, ["Odesa port"])
    assert char in str(refused.value)
    assert [t.name for t in await services.topics.list(1)].count(looks_like) == 1
    assert name not in [t.name for t in await services.topics.list(1)]


async def test_names_in_other_scripts_that_do_not_look_alike_are_kept(services: Services) -> None:
    await services.topics.add(1, "Odesa", ["Odesa"])
    await services.topics.add(1, "Одеса порт", ["Одеса"])  # Cyrillic, but not a look-alike
    await services.topics.add(1, "Донбас", ["Донбас"])
    await services.topics.add(2, "Оdеsа", ["Odesa"])  # another server has no "Odesa"
    assert {"Одеса порт", "Донбас"} <= {t.name for t in await services.topics.list(1)}
