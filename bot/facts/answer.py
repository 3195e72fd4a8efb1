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
from bot.facts.synonyms import SYNONYMS
from bot.facts.terms import WORD, content_terms, entity_term, fold, stem, words
from bot.models import Answer, Citation, Conflict, ConflictClaim
from bot.storage.facts import FactRow

NOTHING = "I have nothing on that in my sources."
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
_QTY_KINDS: dict[str, tuple[str, ...]] = {
    "percent": ("percent",),
    "how_much": ("money", "percent"),
    "how_many": ("count", "percent"),
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
def _title_entities(headline: str) -> frozenset[str]:
    from bot.facts.entities import find_entities  # noqa: PLC0415 - keeps answer.py light

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


def _fact_terms(fact: FactRow, previous: FactRow | None) -> tuple[set[str], set[str]]:
    """The fact's own index terms, and its context's (heading, previous sentence)."""
    own = set(fact.terms.split())
    ctx = {_entity_term(n) for n in fact.context}
    ctx.update(_section_terms(fact.section))
    if previous is not None and fact.kind == "sentence":
        ctx.update(previous.terms.split())
    return own, ctx


def _event_terms(question: Question) -> frozenset[str]:
    return _expand(tuple(question.terms))


@lru_cache(maxsize=2_000)
def _expand(terms: tuple[str, ...]) -> frozenset[str]:
    plain = [t for t in terms if not t.startswith("e_")]
    return frozenset(a for t in plain for a in (t, *SYNONYMS.get(t, ())))


_CLAUSE_CUT = re.compile(r"[,;:—–()“”\"]")
_DIMENSION = re.compile(r"\bhow (wide|deep|high|tall|thick|long)\b", re.I)
_NOT_LENGTH = re.compile(r"^\s*(?:wide|deep|high|tall|thick|away|apart|from)\b", re.I)


def _window(text: str, snippet: str, reach: int = 28) -> str:
    """The words around ``snippet`` in ``text`` up to the nearest clause punctuation."""
    at = text.find(snippet)
    if at < 0:
        return ""
    before = _CLAUSE_CUT.split(text[max(0, at - reach) : at])[-1]
    after = _CLAUSE_CUT.split(text[at + len(snippet) : at + len(snippet) + reach])[0]
    return f"{before} {after}"


def best_date(
    question: Question, fact: FactRow, near_event: bool = True
) -> tuple[dict[str, object] | None, float]:
    """The date in ``fact`` that best answers a "when" question, and how good it is: a day
    beats a year, an absolute date beats a relative one, a date next to the event asked about
    ("the Aug. 15 Alaska summit") beats one elsewhere, and a past question ("when did...") does
    not take a date after the article was published (that is a plan, not the event)."""
    events = _event_terms(question)
    published = fact.published[:10]
    best: tuple[dict[str, object] | None, float] = (None, 0.0)
    for d in fact.dates:
        value = 0.05 if d["precision"] == "year" else 0.2
        if not d["relative"]:
            value += 0.1
        if question.tense == "past" and str(d["date"]) > published:
            continue
        if question.tense == "future" and str(d["date"]) < published:
            value *= 0.5
        near = (
            {stem(fold(x)) for x in words(_window(fact.text, str(d["text"])))}
            if near_event
            else set()
        )
        if events & near:
            value += 0.2
        if value > best[1]:
            best = (d, value)
    return best


def _place_at_event(question: Question, fact: FactRow, places: list[str]) -> str | None:
    """A place written next to the event asked about ("the Alaska summit", "talks in Abu
    Dhabi"), if any."""
    events = _event_terms(question)
    if not events:
        return None
    from bot.facts.entities import find_entities  # noqa: PLC0415 - keeps answer.py light

    for e in find_entities(fact.text, unknown=False):
        if e.name not in places:
            continue
        near = {stem(fold(x)) for x in words(_window(fact.text, fact.text[e.start : e.end], 20))}
        if events & near:
            return e.name
    return None


_HOW_MANY = re.compile(
    r"\b(?:how many|number of)\s+(?:more\s+|additional\s+|other\s+)?([^\W\d_]+)", re.I
)


def _counted_noun(question: Question) -> set[str]:
    """The thing a "how many X" question counts, with its synonyms (empty if none)."""
    m = _HOW_MANY.search(question.text)
    if not m:
        return set()
    term = stem(fold(m.group(1)))
    return {term, *SYNONYMS.get(term, ())}


def _unit_terms(unit: str) -> set[str]:
    return {stem(w) for w in words(unit)}


def best_quantity(question: Question, fact: FactRow) -> dict[str, object] | None:
    """The quantity in ``fact`` of the kind asked for, preferring one counting what the
    question names ("how many casualties" -> "2 million ... casualties")."""
    kinds = _QTY_KINDS.get(question.qtype, ())
    terms = _event_terms(question)
    best: tuple[dict[str, object] | None, float] = (None, 0.0)
    for x in fact.quantities:
        if x["kind"] not in kinds:
            continue
        text = str(x["text"])
        at = fact.text.find(text)
        after = fact.text[at + len(text) :] if at >= 0 else ""
        dimension = _DIMENSION.search(question.text)
        if question.qtype in ("duration", "distance") and _NOT_LENGTH.match(after):
            if not dimension or not after.strip().casefold().startswith(dimension.group(1)):
                continue  # "200 meters wide" is not how long something is
        elif dimension and dimension.group(1) != "long":
            continue
        if x["kind"] == "percent" and not _same_subject(question, fact.text, text):
            continue
        of = _OF_NAME.match(after)
        if of and question.entities and not _names_asked(question, of.group(1)):
            continue  # "70% of Donetsk" does not answer a question about Donbas
        target = _share_of(question)
        if x["kind"] == "percent" and target and not of:
            # the sentence names it, or "the region" follows a heading or sentence that did
            if not target <= {n for n, _ in fact.entities} | set(fact.context[:1]):
                continue  # "90% of the region": which region? not the one asked about
        counted = _counted_noun(question)
        if x["kind"] == "count" and counted and not counted & _unit_terms(str(x["unit"])):
            continue  # "two sources" does not answer "how many soldiers"
        value = 1.0 if x["kind"] == kinds[0] else 0.5
        if stem(fold(str(x["unit"]))) in terms:
            value += 1.0
        if value > best[1]:
            best = (x, value)
    return best[0]


_OF_NAME = re.compile(r"^\s+of\s+(?:the\s+)?([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*)")


_SHARE_OF = re.compile(
    r"\b(?:how much|percentage|percent|share|proportion|fraction|part)\s+of\s+(.+?)\s+"
    r"(?:does|do|did|is|are|was|were|has|have|had|will|would)\b",
    re.I,
)


def _share_of(question: Question) -> set[str]:
    """The named whole of a "how much of X" question ({"Luhansk"}), if any."""
    m = _SHARE_OF.search(question.text)
    if not m:
        return set()
    from bot.facts.entities import find_entities  # noqa: PLC0415 - keeps answer.py light

    return {e.name for e in find_entities(m.group(1), unknown=False)}


def _names_asked(question: Question, name: str) -> bool:
    from bot.facts.entities import canonical  # noqa: PLC0415 - keeps answer.py light

    known = canonical(name)
    return known is None or known in question.entities


def _evidence(question: Question, fact: FactRow, own: set[str] | None = None) -> float:
    q = question.qtype
    near_event = own is None or bool(_event_terms(question) & own)
    if q in _QTY_KINDS:
        x = best_quantity(question, fact)
        if x is None:
            return 0.0
        counted = q == "how_many" and stem(fold(str(x["unit"]))) in _event_terms(question)
        return 0.45 if counted or x["kind"] == _QTY_KINDS[q][0] else 0.3
    if q == "when":
        return best_date(question, fact, near_event)[1]
    if q == "who":
        people = [n for n, t in fact.entities if t == "person" and n not in question.entities]
        return 0.25 if fact.attribution or people else 0.0
    if q == "where":
        places = [n for n, t in fact.entities if t == "place" and n not in question.entities]
        if not places:
            return 0.0
        return 0.45 if near_event and _place_at_event(question, fact, places) else 0.25
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
        own, ctx = _fact_terms(fact, previous.get(fact.id))
        ctx |= _title_entities(fact.headline)
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
        x = best_quantity(question, fact)
        return str(x["text"]) if x else None
    if q == "when":
        d, _ = best_date(question, fact)
        return _fmt_date(str(d["date"]), str(d["precision"])) if d else None
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
        at_event = _place_at_event(question, fact, [n for n, _ in places])
        if at_event:
            return at_event
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


@lru_cache(maxsize=5_000)
def _mentions(text: str) -> dict[str, tuple[int, int]]:
    from bot.facts.entities import find_entities  # noqa: PLC0415 - keeps answer.py light

    out: dict[str, tuple[int, int]] = {}
    for e in find_entities(text):
        out.setdefault(e.name, (e.start, e.end))
    return out


def _mention_at(text: str, name: str) -> int:
    """Where ``text`` first names ``name`` (any alias: "Zelenskiy" for Zelensky), else -1."""
    span = _mentions(text).get(name)
    return text.find(name.split()[-1]) if span is None else span[0]


def _mention_end(text: str, name: str, start: int) -> int:
    span = _mentions(text).get(name)
    return span[1] if span else start + len(name.split()[-1])


def _who(question: Question, fact: FactRow) -> str | None:
    if question.entities and _WHO_IS.match(question.text):
        return None  # "Who is Keir Starmer?": the quote describes them
    speech = question.speech or any(t in _SPEECH for t in question.terms)
    if speech and fact.attribution and fact.attribution not in question.entities:
        return fact.attribution
    people = [
        (name, at)
        for name, kind in fact.entities
        if kind == "person" and name not in question.entities
        for at in [_mention_at(fact.text, name)]
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
        prev_end = _mention_end(fact.text, people[i - 1][0], people[i - 1][1])
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
    return word[:6] in fold(question.text) or word in question.terms


_KIND_LABELS = {
    "percent": "share (%)",
    "money": "amount",
    "count": "number",
    "distance": "distance",
    "duration": "duration",
}


def _related_share(
    question: Question, fact: FactRow, kinds: tuple[str, ...]
) -> tuple[dict[str, object] | None, str]:
    """A share of a part named in the sentence ("around 70% of Donetsk" in a sentence about
    Donbas) when the sentence gives no figure for the whole asked about. Shown in a conflict
    with its object ("... of Donetsk"), never as the answer itself."""
    asked = _share_of(question)
    if not asked:
        return None, ""
    for name in asked:
        at = _mention_at(fact.text, name)
        if at < 0 or re.search(r"\bof\s+(?:the\s+)?$", fact.text[:at]):
            return None, ""  # "nearly all of Luhansk": the sentence has its own words for it
    for x in fact.quantities:
        if x["kind"] not in kinds:
            continue
        text = str(x["text"])
        at = fact.text.find(text)
        of = _OF_NAME.match(fact.text[at + len(text) :]) if at >= 0 else None
        if of and _same_subject(question, fact.text, text):
            return x, f" of {of.group(1)}"
    return None, ""


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
        label = ""
        if question.qtype in _QTY_KINDS:
            qty = best_quantity(question, s.fact)
            if qty is None:
                qty, label = _related_share(question, s.fact, kinds)
        else:
            qty = _qty_value(s.fact, kinds)
            if qty is not None and not _same_subject(question, s.fact.text, str(qty["text"])):
                qty = None
        if qty is None or qty["kind"] not in kinds:
            continue
        text = str(qty["text"]) + label
        claims.append((str(qty["unit"]), float(qty["value"]), s.fact, text))  # type: ignore[arg-type]
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


def _plain_terms(question: Question) -> list[str]:
    return [t for t in question.terms if not t.startswith("e_")]


def supported(question: Question, s: Scored) -> bool:
    """Enough of the question is in the fact: its names, and most of its weight (a little
    less when the fact carries the kind of answer asked for)."""
    if not s.covered_entities:
        return False
    if s.phrase < 0.6:
        return False  # a quotation nobody in the sources said
    if question.qtype in _QTY_KINDS and best_quantity(question, s.fact) is None:
        return s.coverage >= 0.8  # no figure of the kind asked for: the words must match well
    if question.qtype == "who":
        # any sentence naming somebody is "evidence" for who: it cannot stand in for coverage
        return s.coverage >= MIN_COVERAGE
    return s.coverage >= MIN_COVERAGE or (s.coverage >= 0.5 and s.evidence >= 0.25)


_ROLE_NOUN = (
    r"(?:aide|adviser|advisor|spokesman|spokeswoman|spokesperson|envoy|President|president|"
    r"Prime Minister|prime minister|Chancellor|chancellor|[Mm]inister|[Ss]ecretary|leader|"
    r"official|ambassador|negotiator|commander|chief|head|director|analyst|general|General)"
)
_PRE_ROLE = re.compile(
    rf"((?:[A-Z][\w.’'/-]*\s+|(?:presidential|deputy|senior|foreign|defen[cs]e|press|special|"
    rf"chief|top|former|state|national|security|military)\s+){{0,4}}{_ROLE_NOUN})\s+$"
)
_POST_ROLE = re.compile(rf"^,\s+((?:the|a|an)\s+[^,;:]{{3,80}}?{_ROLE_NOUN}[^,;:]{{0,40}}?)\s*,")


def describe_role(name: str, text: str) -> str | None:
    """What ``text`` calls the person ``name``: "Kremlin aide" (before the name) or "the deputy
    White House press secretary" (an appositive after it)."""
    from bot.facts.entities import find_entities  # noqa: PLC0415 - keeps answer.py light

    for e in find_entities(text, unknown=False):
        if e.name != name:
            continue
        m = _POST_ROLE.match(text[e.end :])
        if m:
            return m.group(1).strip()
        m = _PRE_ROLE.search(text[: e.start])
        if m:
            role = m.group(1).strip()
            first = role.split()[0]
            if first in ("The", "A", "An", "While", "But", "And", "As"):
                role = role[len(first) :].strip()
            return role or None
    return None


_NEGATION = re.compile(
    r"\b(?:not|no|never|without|short of|rul\w* out|reject\w*|refus\w*|den(?:y|ied|ies)|"
    r"forgo\w*|won['’]t|isn['’]t|aren['’]t|wasn['’]t|didn['’]t|doesn['’]t|cannot|can['’]t|"
    r"unresolved|unacceptable|untenable|balked)\b",
    re.I,
)
_HEDGED = re.compile(
    r"\b(?:reportedly|report\w*|appear\w*|according to|said|says|suggest\w*|signal\w*|"
    r"indicat\w*|sources?|officials?)\b",
    re.I,
)
_UNSURE = re.compile(
    r"\b(?:may|might|could|would|will|if|unless|consider\w*|possibl\w*|potential\w*|whether|"
    r"prepared|ready|plan\w*|set to|expect\w*|aim\w*|intend\w*|hope\w*|want\w*|propos\w*|"
    r"offer\w*|seek\w*|urg\w*|press\w*|push\w*)\b",
    re.I,
)
UNCLEAR = "My sources don't say directly; here is what they report:"


def stance(question: Question, s: Scored) -> str:
    """A hedged yes/no lead for a yes/no question, only when the evidence is clear."""
    text = s.fact.text
    wanted = [t for t in question.terms if not t.startswith("e_")]
    hits = [m for m in WORD.finditer(text) if stem(fold(m.group(0))) in _event_terms(question)]
    if not wanted or not hits:
        return UNCLEAR
    negated = [m for m in hits if _NEGATION.search(text[max(0, m.start() - 40) : m.start()])]
    if negated and len(negated) == len(hits):
        return "The sources suggest no:"  # every mention of what was asked is denied
    unsure = any(_UNSURE.search(text[max(0, m.start() - 40) : m.start()]) for m in hits)
    rest = "".join(
        " " if any(m.start() <= i < m.end() for m in hits) else c for i, c in enumerate(text)
    )
    if _NEGATION.search(rest) or unsure or s.coverage < 0.75:
        return UNCLEAR
    return "Reportedly yes:" if _HEDGED.search(text) else "The sources suggest yes:"


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
    from bot.facts.entities import find_entities  # noqa: PLC0415 - keeps answer.py light

    people = [e.name for e in find_entities(m.group(1), unknown=False) if e.type == "person"]
    return people[0] if len(people) == 1 else None


def compose(
    question: Question, ranked: list[Scored], following: dict[int, FactRow] | None = None
) -> Answer:
    if not ranked or not supported(question, ranked[0]):
        return abstain(question.text)
    best = ranked[0]
    who_is = question.qtype == "who" and bool(question.entities) and _WHO_IS.match(question.text)
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
    main_key = _key(question, best.fact)
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
        if question.qtype in ("when", "where") and _key(question, s.fact) != main_key:
            continue  # another date or place would read as a second answer
        if any(_similar(s.fact.text, x.fact.text) for x in support):
            continue
        support.append(s)
    conflicts = find_conflicts(question, ranked)
    key = _key(question, best.fact)
    source = _source_label(best.fact)
    when = _day(best.fact.published)
    quote = _brief(best.fact.text)
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
    else:
        text = f"According to {source} ({when}): “{quote}”"
        speaker = _asked_speaker(question)
        if speaker and best.fact.attribution != speaker:
            text = f"My sources don't quote {speaker} on that; they report: “{quote}” ({source}, {when})"
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
