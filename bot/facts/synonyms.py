"""Beat synonyms: words a reporter uses for the same thing as the sources (stemmed)."""

from __future__ import annotations

from bot.facts.terms import fold, stem

# Words a reporter uses for the same thing on this beat. They count toward coverage (at a
# discount) and widen retrieval: "oppose" finds "object", "meet" finds "summit".
SYNONYM_GROUPS = [
    "meet met meeting summit talks",
    "talks negotiations discussions",
    "oppose object reject refuse resist rejection opposition objection",
    "denied rejected dismissed refuted rejection denial",
    "war conflict fighting invasion hostilities",
    "ceasefire truce",
    "killed died dead deaths casualties",
    "said stated told announced claimed declared",
    "cede surrender hand handover relinquish give withdraw concede",
    "territory land region",
    "withdraw pull retreat",
    "guarantees assurances pledges commitments",
    "agreement deal pact accord",
    "attack strikes offensive assault",
    "sanctions penalties measures",
    "weapons arms weaponry",
    "want demand seek insist",
    "control hold occupy",
    "worth value cost",
    "plan proposal framework formula approach",
    "troops forces soldiers army",
    "people individuals persons",
    "endorse back support",
]


def _synonyms() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for line in SYNONYM_GROUPS:
        group = [stem(fold(w)) for w in line.split()]
        for word in group:
            others = [g for g in group if g != word]
            out[word] = tuple(dict.fromkeys([*out.get(word, ()), *others]))
    return out


SYNONYMS: dict[str, tuple[str, ...]] = _synonyms()
