"""Guard: the shipped topics validate, and each catches its own core aliases."""

from __future__ import annotations

from bot.models import Topic
from bot.settings import PROJECT_ROOT
from bot.topics.matcher import Matcher
from bot.topics.rules import is_concept, parse_concept
from bot.topics.service import read_seed_topics


def _example(alias: str) -> str:
    """The alias written out: a concept as the first alternative of each required part."""
    if not is_concept(alias):
        return alias.replace("*", "")
    parts = parse_concept(alias).parts
    return " ".join(p.terms[0].text.replace("*", "") for p in parts if not p.negated)


def test_shipped_topics_validate_and_cover_the_beat() -> None:
    rules = read_seed_topics(PROJECT_ROOT / "seeds" / "topics.json")
    assert [r.name for r in rules] == ["Donbas", "security guarantees", "trilateral talks"]
    matcher = Matcher(
        [
            Topic(id=i, name=r.name, any_of=r.any_of, all_of=r.all_of, none_of=r.none_of)
            for i, r in enumerate(rules, 1)
        ]
    )
    # Every alias of every shipped topic matches itself (in an otherwise neutral sentence
    # that also carries the context the topic needs): no alias is dead on arrival.
    for rule in rules:
        context = " ".join(group[0].rstrip("*") for group in rule.all_of)
        for alias in rule.any_of:
            text = _example(alias) + " said on Monday. " + context
            names = [m.topic for m in matcher.match("", "", text)]
            assert rule.name in names, f"{rule.name}: alias {alias!r} does not match itself"
