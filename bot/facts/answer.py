"""Ranking candidate facts for a question and composing the Answer. Pure: values in, Answer out.

Score = idf-weighted coverage of the question's terms (entities count fully when named in the
sentence, half when only in its context: heading or previous sentence) + evidence for the kind
of answer wanted (a date for "when", a quantity for "how much", a speaker for "who"...).
The store abstains unless the best fact covers the question's key content.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from bot.facts.question import Question
from bot.facts.terms import WORD, content_terms, entity_term, fold, stem
from bot.models import Answer, Citation, Conflict, ConflictClaim
from bot.storage.facts import FactRow

NOTHING = "I have nothing on that in my sources."
MIN_COVERAGE = 0.6
_CAUSAL = re.compile(
    r"\b(because|why|since|due to|so that|reason|underscor\w*|central|key|critical|crucial|"
    r"strategic\w*|heartland|means|in order to|aims? to|would (?:force|give|hand|open|create))\b",
    re.I,
)
_DEFINITION = re.compile(
    r"\b(known as|called|is a|is an|refers to|comprising|consists of|—|–)\b", re.I
)
_QTY_KINDS: dict[str, tuple[str, ...]] = {
    "percent": ("percent",),
    "how_much": ("money", "percent"),
    "how_many": ("count",),
    "duration": ("duration", "distance"),
    "distance": ("distance",),
}


@dataclass
class Scored:
    fact: FactRow
    coverage: float
    evidence: float
    score: float
    covered_entities: bool


# Words a reporter uses for the same thing on this beat (scoring only; stemmed at import).
_SYNONYM_GROUPS = [
    "meet meeting summit talks",
    "talks negotiations discussions",
    "denied rejected dismissed refuted",
    "war conflict fighting invasion hostilities",
    "ceasefire truce",
    "killed died dead deaths casualties",
    "said stated told announced claimed",
    "cede surrender hand relinquish give",
    "territory land region",
    "withdraw pull retreat",
    "guarantees assurances pledges commitments",
    "agreement deal pact accord",
    "attack strikes offensive assault",
    "sanctions penalties measures",
    "weapons arms weaponry",
    "control hold occupy",
    "worth value cost",
    "plan proposal framework formula",
    "troops forces soldiers army",
]
SYNONYMS: dict[str, tuple[str, ...]] = {}
for _line in _SYNONYM_GROUPS:
    _group = [stem(fold(w)) for w in _line.split()]
    for _word in _group:
        _others = [g for g in _group if g != _word]
        SYNONYMS[_word] = tuple(dict.fromkeys([*SYNONYMS.get(_word, ()), *_others]))


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
        out[term] = w
    return out


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


def _fact_terms(fact: FactRow, previous: FactRow | None) -> tuple[set[str], set[str]]:
    """The fact's own index terms, and its context's (heading, previous sentence)."""
    own = set(fact.terms.split())
    ctx = {_entity_term(n) for n in fact.context}
    ctx.update(_section_terms(fact.section))
    if previous is not None and fact.kind == "sentence":
        ctx.update(previous.terms.split())
    return own, ctx


def _evidence(question: Question, fact: FactRow) -> float:
    q = question.qtype
    if q in _QTY_KINDS:
        kinds = _QTY_KINDS[q]
        return 0.3 if any(x["kind"] in kinds for x in fact.quantities) else 0.0
    if q == "when":
        good = [d for d in fact.dates if d["precision"] != "year"]
        return 0.3 if good else (0.1 if fact.dates else 0.0)
    if q == "who":
        people = [n for n, t in fact.entities if t == "person" and n not in question.entities]
        return 0.25 if fact.attribution or people else 0.0
    if q == "where":
        places = [n for n, t in fact.entities if t == "place" and n not in question.entities]
        return 0.25 if places else 0.0
    if q == "why":
        return 0.15 if _CAUSAL.search(fact.text) else 0.0
    if q == "what" and not question.entities:
        return 0.1 if _DEFINITION.search(fact.text) else 0.0
    return 0.0


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
    out: list[Scored] = []
    for fact in facts:
        own, ctx = _fact_terms(fact, previous.get(fact.id))
        got = 0.0
        for term, weight in w.items():
            if term in own:
                got += weight
            elif term in ctx:
                got += 0.5 * weight
            elif any(alt in own for alt in SYNONYMS.get(term, ())):
                got += 0.7 * weight
        coverage = got / total
        covered = all(t in own or t in ctx for t in must)
        evidence = _evidence(question, fact)
        score = coverage + evidence
        if fact.kind != "sentence":
            score *= 0.6  # headings point at facts; they are not facts themselves
        if len(fact.text) < 40:
            score *= 0.85
        if fact.published == newest:
            score += 0.01
        out.append(Scored(fact, coverage, evidence, score, covered))
    out.sort(key=lambda s: (s.score, s.fact.published, -s.fact.position), reverse=True)
    return out


# --- composing ------------------------------------------------------------------------------
def _day(published: str) -> str:
    return published[:10]


def _citation(fact: FactRow) -> Citation:
    return Citation(
        article_id=fact.article_id,
        headline=fact.headline,
        publisher=fact.publisher,
        published=_day(fact.published),
        quote=fact.text,
        url=fact.url,
    )


def _fmt_date(iso: str, precision: str) -> str:
    d = date.fromisoformat(iso)
    if precision == "year":
        return str(d.year)
    if precision == "month":
        return d.strftime("%B %Y")
    if precision in ("week", "weekend"):
        return f"the {precision} of {d.day} {d.strftime('%B %Y')}"
    return f"{d.day} {d.strftime('%B %Y')}"


def _key(question: Question, fact: FactRow) -> str | None:
    q = question.qtype
    if q in _QTY_KINDS:
        for x in fact.quantities:
            if x["kind"] in _QTY_KINDS[q]:
                return str(x["text"])
        return None
    if q == "when":
        dated = sorted(
            fact.dates,
            key=lambda d: ("day", "weekend", "week", "month", "year").index(d["precision"]),
        )
        return _fmt_date(dated[0]["date"], dated[0]["precision"]) if dated else None
    if q == "who":
        return _who(question, fact)
    if q == "where":
        places = [
            (n, fact.text.find(n))
            for n, t in fact.entities
            if t == "place" and n not in question.entities
        ]
        if not places:
            return None
        for name, at in places:
            if at > 0 and re.search(r"\b(in|at|to|from|near)\s+(?:the\s+)?$", fact.text[:at]):
                return name
        return places[-1][0]
    return None


_WHO_IS = re.compile(r"^\W*(?:who|хто|кто)\s+(?:is|was|are|were|є|такий|такой)\b", re.I)
_SPEECH = frozenset(
    "deni said say report told tell confirm warn announc claim insist stat cit quot".split()
)
_LIST_GAP = re.compile(r"^[\s,]*(?:and\s+)?(?:[A-Z][\w.-]*\s+){0,4}$")


def _term_positions(question: Question, text: str) -> list[int]:
    """Character offsets of the question's content words in ``text``."""
    wanted = {t for t in question.terms if not t.startswith("e_")}
    return [m.start() for m in WORD.finditer(text) if stem(fold(m.group(0))) in wanted]


def _who(question: Question, fact: FactRow) -> str | None:
    if question.entities and _WHO_IS.match(question.text):
        return None  # "Who is Keir Starmer?": the quote describes them
    speech = any(t in _SPEECH for t in question.terms)
    if speech and fact.attribution and fact.attribution not in question.entities:
        return fact.attribution
    people = [
        (name, at)
        for name, kind in fact.entities
        if kind == "person" and name not in question.entities
        for at in [fact.text.find(name.split()[-1])]
        if at >= 0
    ]
    if not people:
        return fact.attribution if fact.attribution not in question.entities else None
    anchors = _term_positions(question, fact.text) or [0]
    people.sort(key=lambda p: p[1])
    best = min(range(len(people)), key=lambda i: min(abs(people[i][1] - a) for a in anchors))
    names = [people[best][0]]
    # "Macron, Merz and Starmer": take the whole list the nearest name sits in
    for i in range(best + 1, len(people)):
        prev_end = people[i - 1][1] + len(people[i - 1][0].split()[-1])
        if not _LIST_GAP.match(fact.text[prev_end : people[i][1]]):
            break
        names.append(people[i][0])
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def _source_label(fact: FactRow) -> str:
    if fact.attribution:
        first, _, rest = fact.attribution.partition(" ")
        if rest and first in (
            "A",
            "An",
            "Another",
            "The",
            "One",
            "Two",
            "Three",
            "Several",
            "Some",
        ):
            return f"{first.lower()} {rest}"
        return fact.attribution
    m = re.match(r"^unknown \(cites (.+)\)$", fact.publisher)
    if m:
        return f"a report citing {m.group(1)}"
    if fact.publisher.startswith("unknown"):
        return "an uncredited report"
    return fact.publisher.split(" (")[0]


def _similar(a: str, b: str) -> bool:
    ta, tb = set(content_terms(a)), set(content_terms(b))
    if not ta or not tb:
        return a == b
    return len(ta & tb) / len(ta | tb) > 0.7


def _qty_value(fact: FactRow, kinds: tuple[str, ...]) -> dict[str, object] | None:
    for x in fact.quantities:
        if x["kind"] in kinds:
            return x
    return None


_PEOPLE = re.compile(
    r"^\s*of\s+(?:the\s+)?(?:[A-Z]\w+ans|[A-Z]\w+ians|people|respondents|voters|residents|"
    r"citizens|population|households|those|adults|Americans|Europeans)\b"
)


def _same_subject(question: Question, text: str, quantity: str) -> bool:
    """A share of people ("54% of Ukrainians") is not a share of land the question is about."""
    at = text.find(quantity)
    after = text[at + len(quantity) : at + len(quantity) + 40] if at >= 0 else ""
    m = _PEOPLE.match(after)
    if not m:
        return True
    word = stem(fold(m.group(0).split()[-1]))
    return word in question.terms or any(word.startswith(t[2:]) for t in question.entity_terms)


_KIND_LABELS = {
    "percent": "share (%)",
    "money": "amount",
    "count": "number",
    "distance": "distance",
    "duration": "duration",
}


def find_conflicts(question: Question, ranked: list[Scored]) -> list[Conflict]:
    """Differing figures of one kind among the facts that answer the question."""
    if not ranked:
        return []
    kinds = _QTY_KINDS.get(question.qtype)
    best = ranked[0]
    if kinds is None:
        first = best.fact.quantities[0]["kind"] if best.fact.quantities else None
        if first not in ("percent", "money") or question.qtype not in ("what", "yesno"):
            return []
        kinds = (first,)
    floor = max(MIN_COVERAGE, 0.8 * best.coverage)
    claims: list[tuple[str, float, FactRow, str]] = []
    for s in ranked[:40]:
        if s.fact.kind != "sentence" or s.coverage < floor or not s.covered_entities:
            continue
        qty = _qty_value(s.fact, kinds)
        if qty is None or not _same_subject(question, s.fact.text, str(qty["text"])):
            continue
        claims.append((str(qty["unit"]), float(qty["value"]), s.fact, str(qty["text"])))  # type: ignore[arg-type]
    if len(claims) < 2:
        return []
    unit = claims[0][0]
    same = [c for c in claims if c[0] == unit]
    values = {round(v, 6) for _, v, _, _ in same}
    if len(values) < 2:
        return []
    lo, hi = min(values), max(values)
    if hi - lo <= 0.05 * max(abs(hi), 1e-9):
        return []
    same.sort(key=lambda c: (c[2].published, c[2].article_id), reverse=True)
    seen: set[tuple[float, int]] = set()
    out: list[ConflictClaim] = []
    for _, value, fact, text in same:
        if (value, fact.article_id) in seen:
            continue
        seen.add((value, fact.article_id))
        out.append(
            ConflictClaim(
                value=text,
                quote=fact.text,
                publisher=fact.publisher,
                published=_day(fact.published),
                article_id=fact.article_id,
                headline=fact.headline,
            )
        )
    kind = next(k for k in kinds if any(_qty_value(c[2], (k,)) for c in same))
    about = [w for w in [*question.entities, *question.plain] if w not in _KIND_LABELS]
    subject = f"{_KIND_LABELS.get(kind, kind)}: {', '.join(about) or question.text}"
    return [Conflict(subject=subject, claims=out[:6])]


def supported(s: Scored) -> bool:
    """Enough of the question is in the fact: its names, and most of its weight (a little
    less when the fact carries the kind of answer asked for)."""
    if not s.covered_entities:
        return False
    return s.coverage >= MIN_COVERAGE or (s.coverage >= 0.5 and s.evidence >= 0.25)


def compose(question: Question, ranked: list[Scored]) -> Answer:
    if not ranked or not supported(ranked[0]):
        return abstain(question.text)
    best = ranked[0]
    support: list[Scored] = [best]
    for s in ranked[1:]:
        if len(support) == 3:
            break
        if s.fact.kind != "sentence" or s.coverage < max(MIN_COVERAGE, 0.75 * best.coverage):
            continue
        if not s.covered_entities or any(_similar(s.fact.text, x.fact.text) for x in support):
            continue
        support.append(s)
    conflicts = find_conflicts(question, ranked)
    key = _key(question, best.fact)
    source = _source_label(best.fact)
    when = _day(best.fact.published)
    if conflicts:
        claims = conflicts[0].claims
        parts = "; ".join(f"{c.value} ({c.published})" for c in claims)
        text = f"Sources differ, newest first: {parts}. Latest: “{claims[0].quote}”"
    elif key:
        text = f"{key}: “{_brief(best.fact.text)}” ({source}, {when})"
    else:
        text = f"According to {source} ({when}): “{_brief(best.fact.text)}”"
    confidence = min(1.0, 0.7 * best.coverage + best.evidence + 0.1 * (len(support) - 1))
    citations = [_citation(s.fact) for s in support]
    if conflicts:
        have = {c.quote for c in citations}
        for claim in conflicts[0].claims:
            if claim.quote not in have and len(citations) < 4:
                match = next(s.fact for s in ranked if s.fact.text == claim.quote)
                citations.append(_citation(match))
                have.add(claim.quote)
    return Answer(
        question=question.text,
        answer=text,
        abstained=False,
        confidence=round(confidence, 2),
        citations=citations,
        conflicts=conflicts,
    )


def _brief(text: str, limit: int = 220) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 80 else limit].rstrip(",;:—– ") + " …"


def abstain(question: str) -> Answer:
    return Answer(question=question, answer=NOTHING, abstained=True, confidence=0.0)
