"""Concepts in the topic rule language (parts that meet in one sentence, alternatives, '-'
referent checks), dotted acronyms, and `beatwatch topics test --file` (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.errors import UserFacingError
from bot.models import Topic
from bot.settings import Settings
from bot.topics.matcher import Matcher
from bot.topics.rules import parse_concept, validate_rule

FORCE = "European | British + troops | forces + Ukrain* + ceasefire | peace deal + -Russian troops"
RUSSIA_ASKS = "security guarantee* + Russia | Moscow + demand* + -for Ukraine"


def matcher(**rule: object) -> Matcher:
    topic = Topic(
        id=1,
        name="beat",
        any_of=tuple(rule.get("any_of", ("security guarantee*",))),  # type: ignore[arg-type]
        all_of=tuple(rule.get("all_of", ())),  # type: ignore[arg-type]
        none_of=tuple(rule.get("none_of", ())),  # type: ignore[arg-type]
    )
    return Matcher([topic])


def names(m: Matcher, body: str, title: str = "") -> list[str]:
    return [x.topic for x in m.match(title, "", body)]


def test_a_concept_matches_when_its_parts_meet_in_one_sentence() -> None:
    m = matcher(any_of=(FORCE,))
    found = m.match(
        "", "", "Talks went on. British troops could deploy to Ukraine after a ceasefire."
    )
    assert [x.topic for x in found] == ["beat"]
    assert found[0].alias == FORCE
    assert found[0].matched_text.startswith("British troops")
    assert "**British troops" in found[0].snippet
    # the same words spread over two sentences do not make the concept
    assert names(m, "British troops trained in Poland. Ukraine wants a ceasefire.") == []


def test_a_negated_part_is_a_referent_check() -> None:
    m = matcher(any_of=(FORCE,))
    assert (
        names(m, "European leaders say Russian troops must leave Ukraine before a ceasefire.") == []
    )


def test_a_concept_exclusion_drops_hits_in_its_sentence_only() -> None:
    m = matcher(none_of=(RUSSIA_ASKS,))
    assert names(m, "Moscow demands security guarantees from NATO.") == []
    assert names(m, "Moscow demands security guarantees for Ukraine be limited.") == ["beat"]
    body = "Moscow demands security guarantees from NATO. Kyiv wants security guarantees too."
    assert names(m, body) == ["beat"]


def test_a_concept_can_be_context() -> None:
    m = matcher(any_of=("trilateral talks",), all_of=(("Ukrain*", "US-brokered + talks"),))
    assert names(m, "Trilateral talks resume.") == []
    assert names(m, "Trilateral talks resume. The US-brokered talks start Monday.") == ["beat"]


def test_the_title_is_one_sentence() -> None:
    m = matcher(any_of=("troops + ceasefire",))
    assert names(m, "", title="Troops to police a ceasefire") == ["beat"]


def test_dotted_and_plain_acronyms_match_each_other() -> None:
    m = matcher(any_of=("US-brokered talks", "U.K. troops"))
    assert names(m, "The U.S.-brokered talks resumed.") == ["beat"]
    assert names(m, "UK troops landed.") == ["beat"]
    assert names(m, "us-brokered talks") == ["beat"]  # a phrase is not case-checked
    acronym = matcher(any_of=("US",))
    assert names(acronym, "The U.S. said so.") == ["beat"]
    assert names(acronym, "Tell us.") == []


def test_a_full_stop_without_a_space_ends_a_sentence() -> None:
    m = matcher(any_of=("troops + ceasefire",))
    assert names(m, "Troops massed at the border.Analysts see no ceasefire.") == []


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("troops + ", "empty part"),
        ("troops + | forces", "empty alternative"),
        ("-troops + -forces", "at least one part"),
        ("a + b + c + d + e + f + g", "too many parts"),
        ("troops + .*", "regular expression"),
        ("troops + xy*", "stem before"),
    ],
)
def test_bad_concepts_are_refused_with_a_reason(raw: str, why: str) -> None:
    with pytest.raises(UserFacingError, match=why):
        parse_concept(raw)


def test_concepts_validate_in_rules_and_duplicates_are_found() -> None:
    rule = validate_rule("beat", ["Donbas", FORCE], none_of=[RUSSIA_ASKS])
    assert rule.any_of[1] == FORCE
    with pytest.raises(UserFacingError, match="duplicate"):
        validate_rule("beat", [FORCE, FORCE.upper()])


def test_cli_batch_one_result_per_line(
    tmp_path: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("BEATWATCH_DATABASE_PATH", str(settings.database_path))
    rows = [
        {"id": "a", "title": "Shelling in Kramatorsk", "text": "Two people were hurt."},
        {"id": "b", "title": "Weather", "text": "Sunny."},
        {
            "id": "c",
            "title": "",
            "text": "U.S.-brokered talks in Abu Dhabi between Ukrainian and Russian envoys "
            "showed progress.",
        },
    ]
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n{oops\n", encoding="utf-8")
    assert main(["topics", "test", "--file", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    out = [json.loads(line) for line in captured.out.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c"]
    assert [m["topic"] for m in out[0]["matches"]] == ["Donbas"]
    assert out[1]["matches"] == []
    assert [m["topic"] for m in out[2]["matches"]] == ["trilateral talks"]
    assert "line 4" in captured.err
    assert main(["topics", "test", "--file", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("a\tDonbas ('Kramatorsk' in title")
    assert lines[1] == "b\t-"
