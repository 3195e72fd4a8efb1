"""A bad rule is rejected with a message saying what is wrong; nothing is silently dropped."""

from __future__ import annotations

import pytest

from bot.errors import UserFacingError
from bot.topics.rules import MAX_TERMS, parse_term, validate_rule


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ([], "at least one alias"),
        (["  "], "empty alias"),
        (["x"], "too short"),
        (["Donb.*s"], "looks like a regular expression"),
        (["(Donbas|Donetsk)"], "not regular expressions"),
        (["Donbas\\b"], "not regular expressions"),
        (["^Donbas$"], "not regular expressions"),
        (["Don?bas"], "not regular expressions"),
        (["*bas"], "looks like a regular expression"),
        (["Don*bas"], "only allowed at the end of a word"),
        (["Do*"], "stem before '*'"),
        (["Donbas", "DONBAS"], "duplicate alias"),
        (["Слов'янськ", "Слов’янськ"], "duplicate alias"),
        (["three-way talks", "three way talks"], "duplicate alias"),
        (["a" * 81], "too long"),
        ([f"alias{i}" for i in range(MAX_TERMS + 1)], "too many aliases"),
    ],
)
def test_bad_aliases_are_rejected_with_a_reason(aliases: list[str], message: str) -> None:
    with pytest.raises(UserFacingError, match=message.replace("*", r"\*").replace("?", r"\?")):
        validate_rule("My topic", aliases)


def test_bad_names_and_groups_are_rejected() -> None:
    with pytest.raises(UserFacingError, match="needs a name"):
        validate_rule("  ", ["Donbas"])
    with pytest.raises(UserFacingError, match="too short"):
        validate_rule("x", ["Donbas"])
    with pytest.raises(UserFacingError, match="contains"):
        validate_rule("Donbas <script>", ["Donbas"])
    with pytest.raises(UserFacingError, match="context group 1 is empty"):
        validate_rule("Topic", ["Donbas"], all_of=[[]])
    with pytest.raises(UserFacingError, match="both an alias and an exclusion"):
        validate_rule("Topic", ["Donetsk"], none_of=["donetsk"])
    with pytest.raises(UserFacingError, match="exclusion 'x'"):
        validate_rule("Topic", ["Donetsk"], none_of=["x"])


def test_valid_rule_is_normalised_not_changed() -> None:
    rule = validate_rule(
        "  Zaporizhzhia   NPP ",
        ["ZNPP", "Zaporizhzhia nuclear*", "Запорізьк* АЕС"],
        all_of=[["Ukraine", "IAEA"]],
        none_of=["Zaporizhzhia Sich"],
    )
    assert rule.name == "Zaporizhzhia NPP"
    assert rule.any_of == ("ZNPP", "Zaporizhzhia nuclear*", "Запорізьк* АЕС")
    assert rule.all_of == (("Ukraine", "IAEA"),)


def test_term_flags() -> None:
    assert parse_term("US").acronym and parse_term("U.S.").acronym and parse_term("США").acronym
    assert not parse_term("Donbas").acronym
    wild = parse_term("гаранті* безпек*")
    assert wild.key == "гаранті" and wild.regex is not None and not wild.right_word
    assert parse_term("Слов’янськ").folded == "слов'янськ"
    assert parse_term("Three-Way talks").folded == "three way talks"
