"""How an answer names things: its key value (date, figure, person, place), the source
label, a person's role, citations and shortened quotes."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from bot.facts.evidence import QTY_KINDS, best_date, best_quantity, place_at_event
from bot.facts.question import Question
from bot.facts.terms import WORD, fold, stem
from bot.models import Citation
from bot.storage.facts import FactRow


# --- composing ------------------------------------------------------------------------------
def day_of(published: str) -> str:
    return published[:10]


def citation_for(fact: FactRow) -> Citation:
    return Citation(
        article_id=fact.article_id,
        headline=fact.headline,
        publisher=fact.publisher,
        published=day_of(fact.published),
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


_SHARE_OBJECT = re.compile(
    r"^\s+of\s+(?:(?:the\s+)?[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*|the\s+[a-z][\w’'-]*)"
)


def _share_object(text: str, share: str) -> str:
    """What a share in words is a share of: " of Luhansk" after "nearly all"."""
    at = text.find(share)
    m = _SHARE_OBJECT.match(text[at + len(share) :]) if at >= 0 else None
    return " " + " ".join(m.group(0).split()) if m else ""


def answer_key(question: Question, fact: FactRow) -> str | None:
    q = question.qtype
    if q in QTY_KINDS:
        x = best_quantity(question, fact)
        if x is None:
            return None
        return str(x["text"]) + (
            _share_object(fact.text, str(x["text"])) if x.get("approx") else ""
        )
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
        at_event = place_at_event(question, fact, [n for n, _ in places])
        if at_event:
            return at_event
        for name, at in places:
            if at > 0 and re.search(r"\b(in|at|to|from|near)\s+(?:the\s+)?$", fact.text[:at]):
                return name
        return None  # a place not bound to the event is no answer: the quote leads
    return None


WHO_IS = re.compile(r"^\W*(?:who|хто|кто)\s+(?:is|was|are|were|є|такий|такой)\b", re.I)


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
    from bot.facts.entities import find_entities  # noqa: PLC0415 - keeps this module light

    out: dict[str, tuple[int, int]] = {}
    for e in find_entities(text):
        out.setdefault(e.name, (e.start, e.end))
    return out


def mention_at(text: str, name: str) -> int:
    """Where ``text`` first names ``name`` (any alias: "Zelenskiy" for Zelensky), else -1."""
    span = _mentions(text).get(name)
    return text.find(name.split()[-1]) if span is None else span[0]


def _mention_end(text: str, name: str, start: int) -> int:
    span = _mentions(text).get(name)
    return span[1] if span else start + len(name.split()[-1])


def _who(question: Question, fact: FactRow) -> str | None:
    if question.entities and WHO_IS.match(question.text):
        return None  # "Who is Keir Starmer?": the quote describes them
    speech = question.speech or any(t in _SPEECH for t in question.terms)
    if speech and fact.attribution and fact.attribution not in question.entities:
        return fact.attribution
    people = [
        (name, at)
        for name, kind in fact.entities
        if kind == "person" and name not in question.entities
        for at in [mention_at(fact.text, name)]
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


def source_label(fact: FactRow) -> str:
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


def brief_quote(text: str, limit: int = 220) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 80 else limit].rstrip(",;:—– ") + " …"
