"""Ranking candidate facts for a question. Pure: values in, scored facts out.

Score = idf-weighted coverage of the question's terms (entities count fully when named in the
sentence, half when only in its context: heading or previous sentence) + evidence for the kind
of answer wanted (a date for "when", a quantity for "how much", a speaker for "who"...).
The store abstains unless the best fact covers the question's key content (``supported``)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from bot.facts.evidence import QTY_KINDS, best_date, best_quantity, event_terms, place_at_event
from bot.facts.question import Question
from bot.facts.synonyms import SYNONYMS
from bot.facts.terms import content_terms, entity_term, fold, stem, words
from bot.storage.facts import FactRow

MIN_COVERAGE = 0.6


PHRASE_BUDGET = 60  # in-order phrase comparisons per question


_CAUSAL = re.compile(
    r"\b(because|why|since|due to|so that|reason|underscor\w*|central|key|critical|crucial|"
    r"strategic\w*|heartland|means|in order to|aims? to|would (?:force|give|hand|open|create))\b",
    re.I,
)


_DEFINITION = re.compile(
    r"\b(known as|called|is a|is an|refers to|comprising|consists of|—|–)\b", re.I
)


@dataclass
class Scored:
    fact: FactRow
    coverage: float
    evidence: float
    score: float
    covered_entities: bool
    phrase: float = 1.0  # how much of the question's quoted phrase the fact repeats


def idf(df: int, total: int) -> float:
    return math.log((total - df + 0.5) / (df + 0.5) + 1.0)


def weights(question: Question, df: dict[str, int], total: int) -> dict[str, float]:
    """Weight of each question term; out-of-vocabulary words in other scripts do not count
    (we cannot tell whether they matter), unknown English words count fully (they must)."""
    out: dict[str, float] = {}
    for term in question.terms:
        freq = df.get(term, 0)
        if freq == 0 and not term.isascii():
            continue
        w = idf(freq, max(total, 1))
        if term.startswith("e_"):
            w *= 1.3
        elif term in _LIGHT:
            w *= 0.4  # "what does X want": the verb shapes the question more than its subject
        out[term] = w
    return out


_LIGHT = frozenset(stem(w) for w in "want think believe mean feel view agree agreed".split())


@lru_cache(maxsize=5_000)
def title_entities(headline: str) -> frozenset[str]:
    from bot.facts.entities import find_entities  # noqa: PLC0415 - keeps this module light

    return frozenset(entity_term(e.name) for e in find_entities(headline, unknown=False))


@lru_cache(maxsize=20_000)
def _words(text: str) -> tuple[str, ...]:
    return tuple(words(text))


_CONTRACTED = frozenset("is are am was will would has have had not".split())


def phrase_match(phrase: tuple[str, ...], text: str) -> float:
    """How much of a quoted phrase ``text`` repeats, in order: 1.0 verbatim (quote marks,
    apostrophe variants and contractions aside), else the share of its words found in the same
    order (a word dropped or changed costs its share), else 0."""
    phrase = tuple(w for w in phrase if w not in _CONTRACTED)
    if not phrase:
        return 0.0
    have = tuple(w for w in _words(text) if w not in _CONTRACTED)
    n = len(phrase)
    for i in range(len(have) - n + 1):
        if have[i : i + n] == phrase:
            return 1.0
    if sum(w in have for w in set(phrase)) < 0.5 * len(set(phrase)):
        return 0.0
    # longest common subsequence (phrases and sentences are short)
    row = [0] * (len(have) + 1)
    for word in phrase:
        prev_diag = 0
        for k, other in enumerate(have, 1):
            keep = row[k]
            row[k] = prev_diag + 1 if word == other else max(row[k], row[k - 1])
            prev_diag = keep
    return row[-1] / n


@lru_cache(maxsize=20_000)
def _section_terms(section: str) -> frozenset[str]:
    return frozenset(content_terms(section))


@lru_cache(maxsize=20_000)
def _entity_term(name: str) -> str:
    return entity_term(name)


def required_entities(question: Question, df: dict[str, int], total: int) -> set[str]:
    """Entity terms a supporting fact must mention (in itself or its context). With several
    names, a very common one ("Ukraine" on a Ukraine beat) may be left implicit."""
    terms = list(question.entity_terms)
    if len(terms) >= 2:
        commonest = max(terms, key=lambda t: df.get(t, 0))
        if df.get(commonest, 0) >= 0.1 * max(total, 1):
            terms.remove(commonest)
    return set(terms)


def fact_terms(fact: FactRow, previous: FactRow | None) -> tuple[set[str], set[str]]:
    """The fact's own index terms, and its context's (heading, previous sentence)."""
    own = set(fact.terms.split())
    ctx = {_entity_term(n) for n in fact.context}
    ctx.update(_section_terms(fact.section))
    if previous is not None and fact.kind == "sentence":
        ctx.update(previous.terms.split())
    return own, ctx


def _evidence(question: Question, fact: FactRow, own: set[str] | None = None) -> float:
    q = question.qtype
    near_event = own is None or bool(event_terms(question) & own)
    if q in QTY_KINDS:
        x = best_quantity(question, fact)
        if x is None:
            return 0.0
        counted = q == "how_many" and stem(fold(str(x["unit"]))) in event_terms(question)
        return 0.45 if counted or x["kind"] == QTY_KINDS[q][0] else 0.3
    if q == "when":
        return best_date(question, fact, near_event)[1]
    if q == "who":
        people = [n for n, t in fact.entities if t == "person" and n not in question.entities]
        return 0.25 if fact.attribution or people else 0.0
    if q == "where":
        places = [n for n, t in fact.entities if t == "place" and n not in question.entities]
        if not places:
            return 0.0
        return 0.45 if near_event and place_at_event(question, fact, places) else 0.25
    if q == "why":
        return 0.15 if _CAUSAL.search(fact.text) else 0.0
    if question.describe or (question.speech and question.entities):
        own_words = fact.attribution in question.entities
        said = own_words or _QUOTE_MARKS.search(fact.text)
        evaluative = _EVALUATIVE.search(fact.text)
        return (0.2 if own_words else 0.1 if said else 0.0) + (0.1 if evaluative else 0.0)
    if q == "what" and not question.entities:
        return 0.1 if _DEFINITION.search(fact.text) else 0.0
    return 0.0


_QUOTE_MARKS = re.compile(r"[“\"]|(?:^|\s)'\w")


_EVALUATIVE = re.compile(
    r"\b(?:called|described|calls|describes|unconstitutional|dangerous|unacceptable|untenable|"
    r"false|impossible|never|not|rejected|ruled out|red lines?|insist\w*|warn\w*)\b",
    re.I,
)


_VAGUE_START = re.compile(r"^They\b")


def score_facts(
    question: Question,
    facts: list[FactRow],
    w: dict[str, float],
    previous: dict[int, FactRow] | None = None,
    required: set[str] | None = None,
) -> list[Scored]:
    """Rank ``facts``; ``previous`` maps a fact id to the sentence before it (coreference)."""
    previous = previous or {}
    must = set(question.entity_terms) if required is None else required
    total = sum(w.values())
    if total <= 0:
        return []
    newest = max((f.published for f in facts), default="")
    phrase_terms = set(content_terms(" ".join(question.phrase)))
    budget = PHRASE_BUDGET
    out: list[Scored] = []
    for fact in facts:
        own, ctx = fact_terms(fact, previous.get(fact.id))
        ctx |= title_entities(fact.headline)
        got = 0.0
        for term, weight in w.items():
            if term in own:
                got += weight
            elif any(alt in own for alt in SYNONYMS.get(term, ())):
                got += 0.7 * weight
            elif term in ctx:
                got += 0.5 * weight
        coverage = got / total
        covered = all(t in own or t in ctx for t in must)
        evidence = _evidence(question, fact, own)
        matched = 1.0
        if question.phrase:
            # cheap gates (index terms, a budget) before comparing words in order
            enough = len(phrase_terms & own) >= 0.8 * len(phrase_terms) and coverage >= 0.4
            matched = 0.0
            if enough and budget > 0:
                budget -= 1
                matched = phrase_match(question.phrase, fact.text)
            if matched >= 0.6:
                coverage = max(coverage, matched)
                evidence += 0.5 * matched
        # a name asked about that the sentence only inherits from its context is weaker
        missing = sum(1 for t in question.entity_terms if t not in own)
        score = coverage + evidence - 0.05 * missing
        if _VAGUE_START.match(fact.text):
            score -= 0.05  # "They're skeptical...": leans on a sentence not quoted
        if fact.kind != "sentence":
            score *= 0.6  # headings point at facts; they are not facts themselves
        if len(fact.text) < 40:
            score *= 0.85
        if fact.published == newest:
            score += 0.01
        out.append(Scored(fact, coverage, evidence, score, covered, matched))
    out.sort(key=lambda s: (s.score, s.fact.published, -s.fact.position), reverse=True)
    return out


def _plain_terms(question: Question) -> list[str]:
    return [t for t in question.terms if not t.startswith("e_")]


def supported(question: Question, s: Scored) -> bool:
    """Enough of the question is in the fact: its names, and most of its weight (a little
    less when the fact carries the kind of answer asked for)."""
    if not s.covered_entities:
        return False
    if s.phrase < 0.6:
        return False  # a quotation nobody in the sources said
    if question.qtype in QTY_KINDS and best_quantity(question, s.fact) is None:
        return s.coverage >= 0.8  # no figure of the kind asked for: the words must match well
    if question.qtype == "who":
        # any sentence naming somebody is "evidence" for who: it cannot stand in for coverage
        return s.coverage >= MIN_COVERAGE
    return s.coverage >= MIN_COVERAGE or (s.coverage >= 0.5 and s.evidence >= 0.25)
