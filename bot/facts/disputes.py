"""Disputed claims: a reported claim that answers the question, and a denial of it.

A denial is a sentence in denial language ("denied the reports", "totally false", "not
true", "not trying to", "refuted", "disputed the claims"...) that is about the same story:
either it refers to "the report(s)"/"the claims" and follows the reported claim in the same
article, or it shares the claim's subject (at least two content words of the claim or of the
question). Precision first: a conflict shown wrongly is worse than none. Pure: values in,
``Conflict`` out."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from bot.facts.labels import day_of, source_label
from bot.facts.question import Question
from bot.facts.ranking import MIN_COVERAGE, Scored
from bot.facts.terms import content_terms, entity_term
from bot.models import Conflict, ConflictClaim
from bot.storage.facts import FactRow

WINDOW = 25  # sentences after a reported claim searched for its denial (same article)
MAX_CLAIMS = 3  # reported claims (distinct articles) a dispute is looked for

_DET = r"(?:the|these|those|such|that|this|any|all|its|their|recent|media|press|news|\s)*"
_OBJECT = r"(?:reports?|claims?|allegations?|story|stories|accounts?|suggestions?|assertions?)"

_DENIAL = re.compile(
    rf"\b(?:(?:den(?:y|ies|ied|ying)|reject(?:s|ed|ing)?|dismiss(?:es|ed|ing)?|"
    rf"refut(?:e|es|ed|ing)|disput(?:e|es|ed|ing)|contradict(?:s|ed|ing)?)\s+{_DET}{_OBJECT}"
    r"|(?:totally|completely|entirely|absolutely|categorically|simply|patently)\s+"
    r"(?:false|untrue|wrong|baseless)"
    r"|(?:is|was|are|were|['’]s)\s+(?:not|n['’]t)\s+true"
    r"|\bnot\s+trying\s+to|\bcontradicting\b|\brefuted\b)",
    re.I,
)

# "denied the reports": the sentence points at the story rather than repeating it
# (bare: "denied the reports of a fuel shortage" names its own subject, which must match)
_REFERS = re.compile(
    rf"\b(?:the|these|those|such|this|that)\s+{_OBJECT}\b"
    r"(?!\s+(?:of|that|about|on|into|regarding|over|in)\b)",
    re.I,
)

# a reported claim: somebody reports it, it is not stated as the writer's own finding
_REPORTED = re.compile(
    r"\b(?:reportedly|according to|report(?:s|ed|ing)?\s+(?:that|by|from|in|citing)|"
    r"cit(?:ed|ing)|sources?\s+(?:said|say|indicate\w*|familiar)|people familiar|"
    r"individuals familiar)\b",
    re.I,
)


def is_denial(text: str) -> bool:
    return _DENIAL.search(text) is not None


def is_report(text: str) -> bool:
    return _REPORTED.search(text) is not None and not is_denial(text)


def _plain(text: str) -> set[str]:
    return {t for t in content_terms(text) if not t.startswith("e_") and len(t) > 2}


def _shares_subject(question: Question, claim: FactRow, denial: FactRow) -> bool:
    """The denial repeats the claim's subject (three content words) and the question's (two
    terms, names included)."""
    mine = set(denial.terms.split())
    plain = {t for t in mine if not t.startswith("e_") and len(t) > 2}
    return len(plain & _plain(claim.text)) >= 3 and len(mine & set(question.terms)) >= 2


@lru_cache(maxsize=5_000)
def _headline_terms(headline: str) -> frozenset[str]:
    from bot.facts.entities import find_entities  # noqa: PLC0415 - keeps this module light

    names = {entity_term(e.name) for e in find_entities(headline, unknown=False)}
    return frozenset(names | set(content_terms(headline)))


def _about_the_story(question: Question, claim: FactRow) -> bool:
    """A denial of "the reports" is about the article's story (its headline): the claim and
    the question must both be about that story too (two terms each, names included)."""
    story = _headline_terms(claim.headline)
    return len(story & set(claim.terms.split())) >= 2 and len(story & set(question.terms)) >= 2


def _claim(fact: FactRow, value: str) -> ConflictClaim:
    return ConflictClaim(
        value=value,
        quote=fact.text,
        publisher=fact.publisher,
        published=day_of(fact.published),
        article_id=fact.article_id,
        headline=fact.headline,
    )


def report_claims(support: list[Scored]) -> list[FactRow]:
    """The reported claims among the answer's own evidence (best first, one per article)."""
    out: dict[int, FactRow] = {}
    for s in support:
        f = s.fact
        if len(out) < MAX_CLAIMS and f.kind == "sentence" and f.article_id not in out:
            if is_report(f.text):
                out[f.article_id] = f
    return list(out.values())


def find_dispute(
    question: Question,
    claims: list[FactRow],
    ranked: list[Scored],
    nearby: Iterable[FactRow] = (),
) -> Conflict | None:
    """A dispute over the reported ``claims``: denials that follow a claim in its article
    (``nearby``) or that answer the question themselves (``ranked``), newest first."""
    if not claims:
        return None
    by_article = {c.article_id: c for c in claims}
    denials: dict[int, FactRow] = {}
    for f in nearby:
        claim = by_article.get(f.article_id)
        if claim is None or f.kind != "sentence" or f.id in denials:
            continue
        if not 0 < f.position - claim.position <= WINDOW or not is_denial(f.text):
            continue
        if (_REFERS.search(f.text) and _about_the_story(question, claim)) or _shares_subject(
            question, claim, f
        ):
            denials[f.id] = f
    if ranked:
        floor = max(MIN_COVERAGE, 0.8 * ranked[0].coverage)
        for s in ranked[:40]:
            f = s.fact
            if f.kind != "sentence" or f.id in denials or f.article_id in by_article:
                continue
            if s.coverage < floor or not s.covered_entities or not is_denial(f.text):
                continue
            # another outlet's denial: it must name the subject and not predate the claim
            if any(f.published >= c.published and _shares_subject(question, c, f) for c in claims):
                denials[f.id] = f
    if not denials:
        return None
    rows = [(c, "reported") for c in claims] + [(d, "denied") for d in denials.values()]
    rows.sort(key=lambda r: (r[0].published, r[1] == "denied"), reverse=True)
    about = [*question.entities, *question.plain]
    return Conflict(
        subject=f"disputed claim: {', '.join(about) or question.text}",
        claims=[_claim(f, v) for f, v in rows[:6]],
    )


def dispute_note(conflict: Conflict, denials: dict[str, FactRow]) -> str:
    """ " The report is disputed: Anna Kelly (2026-01-27) denied it: “…”"."""
    parts = []
    for c in conflict.claims:
        if c.value != "denied":
            continue
        fact = denials.get(c.quote)
        who = source_label(fact) if fact is not None else c.publisher
        parts.append(f"{who} ({c.published}): “{_brief(c.quote)}”")
        if len(parts) == 2:
            break
    return " Disputed, denied by " + "; ".join(parts) + "." if parts else ""


def _brief(text: str, limit: int = 200) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 80 else limit].rstrip(",;:—– ") + " …"
