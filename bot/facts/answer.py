"""Composing the Answer from ranked facts: the lead, supporting quotes, conflicts, citations.
Pure: values in, Answer out."""

from __future__ import annotations

import re

from bot.facts.conflicts import find_conflicts
from bot.facts.disputes import dispute_note, find_dispute, report_claims
from bot.facts.labels import (
    WHO_IS,
    answer_key,
    brief_quote,
    citation_for,
    day_of,
    source_label,
)
from bot.facts.question import Question
from bot.facts.ranking import MIN_COVERAGE, Scored, supported
from bot.facts.roles import describe_role
from bot.facts.stance import stance
from bot.facts.terms import content_terms
from bot.models import Answer
from bot.storage.facts import FactRow


def _similar(a: str, b: str) -> bool:
    ta, tb = set(content_terms(a)), set(content_terms(b))
    if not ta or not tb:
        return a == b
    return len(ta & tb) / len(ta | tb) > 0.7


UNDATED = "My sources give no date for that."
NOTHING = "I have nothing on that in my sources."


_LEANS_BACK = re.compile(
    r"^(?:[“\"'‘][^”\"']{0,400}[”\"'’],?\s+(?:he|she|they|it)\s+\w+|(?:He|She|They|It|This|That|"
    r"These|Those|The two (?:sides|countries|companies|leaders|men))\b)"
)
_PRONOUN_START = re.compile(r"^(?:He|She|They|The (?:president|aide|spokesman|minister))\b")


_SAY_Q = re.compile(
    r"^\W*what\s+(?:did|does|has|have|do|is|was)\s+(.+?)\s+(?:say|said|tell|told|think|"
    r"claim|state|announce|post|write|comment)\b",
    re.I,
)


def _asked_speaker(question: Question) -> str | None:
    """The person whose words a "what did X say" question asks for."""
    m = _SAY_Q.match(question.text)
    if not m:
        return None
    from bot.facts.entities import find_entities  # noqa: PLC0415 - keeps this module light

    people = [e.name for e in find_entities(m.group(1), unknown=False) if e.type == "person"]
    return people[0] if len(people) == 1 else None


def compose(
    question: Question,
    ranked: list[Scored],
    following: dict[int, FactRow] | None = None,
    nearby: list[FactRow] | None = None,
    *,
    decided: bool = False,
    previous: dict[int, FactRow] | None = None,
) -> Answer:
    """``nearby``: sentences after the reported claims in their articles, where a denial
    of the report is looked for (``disputes``). ``decided``: the caller already decided that
    ``ranked[0]`` answers (the calibrated score of ``rerank``), so no word-level check vetoes."""
    if not ranked or not (decided or supported(question, ranked[0])):
        return abstain(question.text)
    best = ranked[0]
    who_is = question.qtype == "who" and bool(question.entities) and WHO_IS.match(question.text)
    if who_is:
        # "Who is X?": prefer a sentence that says what X is
        described = [
            s
            for s in ranked[:20]
            if supported(question, s) and describe_role(question.entities[0], s.fact.text)
        ]
        if described:
            best = described[0]
    support: list[Scored] = [best]
    before = (previous or {}).get(best.fact.id)
    if before is not None and before.kind == "sentence" and _LEANS_BACK.search(best.fact.text):
        # "“Happiness loves silence,” she remarked.": the sentence before names the speaker
        # or the subject; quote and cite both
        support.insert(0, Scored(before, best.coverage, 0.0, best.score, True))
    main_key = answer_key(question, best.fact)
    nxt = (following or {}).get(best.fact.id)
    if (
        nxt is not None
        and nxt.kind == "sentence"
        and _PRONOUN_START.match(nxt.text)
        and question.qtype in ("what", "how_much", "why", "yesno", "who")
    ):
        # "He has called such concessions unconstitutional": the same speaker goes on
        support.append(Scored(nxt, best.coverage, 0.0, best.score, True))
    for s in ranked[:40]:
        if len(support) >= 3:
            break
        if s is best or s.fact.kind != "sentence" or not s.covered_entities:
            continue
        if s.coverage < max(MIN_COVERAGE, 0.75 * best.coverage):
            continue
        if s.score < 0.8 * best.score and not (s.coverage >= 0.95 and s.evidence >= best.evidence):
            continue  # padding: a weaker sentence that merely shares words
        if question.phrase and s.phrase < 0.6:
            continue
        if question.qtype in ("when", "where") and answer_key(question, s.fact) != main_key:
            continue  # another date or place would read as a second answer
        if any(_similar(s.fact.text, x.fact.text) for x in support):
            continue
        support.append(s)
    conflicts = find_conflicts(question, ranked)
    dispute = find_dispute(question, report_claims(support), ranked, nearby or [])
    key = answer_key(question, best.fact)
    source = source_label(best.fact)
    when = day_of(best.fact.published)
    quote = brief_quote(best.fact.text)
    if support[0] is not best:
        quote = brief_quote(f"{support[0].fact.text} {best.fact.text}", 400)
    if conflicts:
        claims = conflicts[0].claims
        parts = "; ".join(f"{c.value} ({c.published})" for c in claims)
        text = f"Sources differ, newest first: {parts}. Latest: “{claims[0].quote}”"
    elif who_is:
        roles = list(
            dict.fromkeys(
                r for s in support for r in [describe_role(question.entities[0], s.fact.text)] if r
            )
        )
        lead = f"{question.entities[0]}: {'; '.join(roles)}. " if roles else ""
        text = f"{lead}According to {source} ({when}): “{quote}”"
    elif key:
        text = f"{key}: “{quote}” ({source}, {when})"
    elif question.qtype == "yesno":
        text = f"{stance(question, best)} “{quote}” ({source}, {when})"
    elif question.qtype == "when":
        # the best evidence names the event but no date: say so, never pass the publication
        # day off as the answer
        text = f"{UNDATED} According to {source} (published {when}): “{quote}”"
    else:
        text = f"According to {source} ({when}): “{quote}”"
        speaker = _asked_speaker(question)
        if speaker and best.fact.attribution != speaker:
            text = f"My sources don't quote {speaker} on that; they report: “{quote}” ({source}, {when})"
    denials: dict[str, FactRow] = {}
    if dispute is not None:
        pool = [*(nearby or []), *(s.fact for s in ranked[:40])]
        denials = {f.text: f for f in pool if f.text in {c.quote for c in dispute.claims}}
        text += dispute_note(dispute, denials)
    confidence = min(1.0, 0.7 * best.coverage + best.evidence + 0.1 * (len(support) - 1))
    if text.startswith(UNDATED):
        confidence = min(confidence, 0.5)  # the event is there, the date asked for is not
    citations = [citation_for(s.fact) for s in support]
    if conflicts:
        have = {c.quote for c in citations}
        for claim in conflicts[0].claims:
            if claim.quote not in have and len(citations) < 4:
                match = next(s.fact for s in ranked if s.fact.text == claim.quote)
                citations.append(citation_for(match))
                have.add(claim.quote)
    if dispute is not None:
        have = {c.quote for c in citations}
        for claim in dispute.claims:
            fact = denials.get(claim.quote)
            if claim.value == "denied" and fact is not None and claim.quote not in have:
                citations.append(citation_for(fact))
                have.add(claim.quote)
        conflicts = [*conflicts, dispute]
    return Answer(
        question=question.text,
        answer=text,
        abstained=False,
        confidence=round(confidence, 2),
        citations=citations,
        conflicts=conflicts,
    )


def abstain(question: str) -> Answer:
    return Answer(question=question, answer=NOTHING, abstained=True, confidence=0.0)
