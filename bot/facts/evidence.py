"""Evidence for the kind of answer a question wants: the date for "when", the figure for
"how much/many", the place for "where". Pure: a question and a fact in, a value out."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.facts.question import Question
from bot.facts.synonyms import SYNONYMS
from bot.facts.terms import fold, stem, words
from bot.storage.facts import FactRow

QTY_KINDS: dict[str, tuple[str, ...]] = {
    "percent": ("percent",),
    "how_much": ("money", "percent"),
    "how_many": ("count", "percent"),
    "duration": ("duration", "distance"),
    "distance": ("distance",),
}


def event_terms(question: Question) -> frozenset[str]:
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
    events = event_terms(question)
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


def place_at_event(question: Question, fact: FactRow, places: list[str]) -> str | None:
    """A place written next to the event asked about ("the Alaska summit", "talks in Abu
    Dhabi"), if any."""
    events = event_terms(question)
    if not events:
        return None
    from bot.facts.entities import find_entities  # noqa: PLC0415 - keeps this module light

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
    kinds = QTY_KINDS.get(question.qtype, ())
    terms = event_terms(question)
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
        if x["kind"] == "percent" and not same_subject(question, fact.text, text):
            continue
        of = OF_NAME.match(after)
        if of and question.entities and not _names_asked(question, of.group(1)):
            continue  # "70% of Donetsk" does not answer a question about Donbas
        target = share_of(question)
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


OF_NAME = re.compile(r"^\s+of\s+(?:the\s+)?([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*)")


_SHARE_OF = re.compile(
    r"\b(?:how much|percentage|percent|share|proportion|fraction|part)\s+of\s+(.+?)\s+"
    r"(?:does|do|did|is|are|was|were|has|have|had|will|would)\b",
    re.I,
)


def share_of(question: Question) -> set[str]:
    """The named whole of a "how much of X" question ({"Luhansk"}), if any."""
    m = _SHARE_OF.search(question.text)
    if not m:
        return set()
    from bot.facts.entities import find_entities  # noqa: PLC0415 - keeps this module light

    return {e.name for e in find_entities(m.group(1), unknown=False)}


def _names_asked(question: Question, name: str) -> bool:
    from bot.facts.entities import canonical  # noqa: PLC0415 - keeps this module light

    known = canonical(name)
    return known is None or known in question.entities


_PEOPLE = re.compile(
    r"^\s*of\s+(?:the\s+)?(?:[A-Z]\w+ans|[A-Z]\w+ians|people|respondents|voters|residents|"
    r"citizens|population|households|those|adults|Americans|Europeans)\b"
)


def same_subject(question: Question, text: str, quantity: str) -> bool:
    """A share of people ("54% of Ukrainians") is not a share of land the question is about."""
    at = text.find(quantity)
    after = text[at + len(quantity) : at + len(quantity) + 40] if at >= 0 else ""
    m = _PEOPLE.match(after)
    if not m:
        return True
    word = stem(fold(m.group(0).split()[-1]))
    return word[:6] in fold(question.text) or word in question.terms
