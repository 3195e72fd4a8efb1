"""What a reporter asks about a sentence: quantities, dates (relative ones resolved against the
article's publication date) and attribution (who said or reported it). Pure functions."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.facts.entities import Entity

# --- numbers ----------------------------------------------------------------------------------
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a dozen": 12,
    "dozens of": 24,
    "hundreds of": 200,
    "thousands of": 2000,
    "tens of thousands of": 20000,
    "hundreds of thousands of": 200000,
    "millions of": 2000000,
    "half": 0.5,
    "a half": 0.5,
    "a third": 0.33,
    "a quarter": 0.25,
    "single": 1,
    "a": 1,
    "an": 1,
}
SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
_NUMWORD = "|".join(
    sorted(
        (re.escape(w) for w in NUMBER_WORDS if w not in ("a", "an", "single")),
        key=len,
        reverse=True,
    )
)
_NUM = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|{_NUMWORD})"
_SCALE = r"(?:\s*(?:thousand|million|billion|trillion|bn|mn|tn)\b|(?<=\d)(?:k|m|bn|b)\b)?"
_HEDGE_BEFORE = re.compile(
    r"(?:\b(?:about|around|approximately|roughly|nearly|almost|over|more than|less than|"
    r"fewer than|at least|at most|up to|some|an estimated|estimated|just over|just under|"
    r"close to|as many as|as much as)\s+)$",
    re.I,
)
_HEDGE = ""
_ANY_NUMBER = re.compile(rf"\d|\b(?:{_NUMWORD})\b", re.I)
_QTY_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("percent", re.compile(rf"{_HEDGE}\b({_NUM})\s*(?:%|per\s*cent\b|percent\b)", re.I)),
    (
        "money",
        re.compile(
            rf"{_HEDGE}(?:(?:\b(?:US|U\.S\.|A|C))?([$€£₴₽])\s?({_NUM}){_SCALE}|\b({_NUM}){_SCALE}\s*"
            r"(dollars|euros|pounds|hryvnias?|roubles|rubles|USD|EUR|GBP|UAH))",
            re.I,
        ),
    ),
    (
        "distance",
        re.compile(
            rf"{_HEDGE}\b({_NUM})\s*-?\s*(km|kilomet(?:er|re)s?|miles?|met(?:er|re)s?|m)\b(?!\s*(?:people|dollars))",
            re.I,
        ),
    ),
    (
        "duration",
        re.compile(
            rf"{_HEDGE}\b({_NUM})[\s-]+(years?|months?|weeks?|days?|hours?|decades?|minutes?)\b",
            re.I,
        ),
    ),
    (
        "count",
        re.compile(
            rf"{_HEDGE}\b({_NUM}){_SCALE}\s+((?:(?:additional|more|other|new|Russian|Ukrainian|American|"
            r"European|civilian|military)\s+)+)?([a-z][a-z\-]{2,})\b",
            re.I,
        ),
    ),
]
_QTY_GATES = {
    "percent": lambda t: "%" in t or "cent" in t,
    "money": lambda t: (
        any(c in t for c in "$€£₴₽")
        or any(
            w in t
            for w in (
                "dollar",
                "euro",
                "pound",
                "hryvn",
                "ruble",
                "rouble",
                "usd",
                "eur",
                "gbp",
                "uah",
            )
        )
    ),
    "distance": lambda t: any(w in t for w in ("km", "kilomet", "met", "mile", "m ")),
    "duration": lambda t: any(
        w in t for w in ("year", "month", "week", "day", "hour", "decade", "minute")
    ),
    "count": lambda t: True,
}
_NOT_COUNTED = frozenset(
    """of and or to the a an in on at by for per percent per-cent cent years year months month
    weeks week days day hours hour decades decade minutes minute km meters metres miles times
    time""".split()
)


@dataclass(frozen=True, slots=True)
class Quantity:
    kind: str  # percent | money | distance | duration | count
    value: float
    unit: str
    text: str
    start: int
    end: int

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "value": self.value, "unit": self.unit, "text": self.text}


def parse_number(token: str) -> float | None:
    t = token.casefold().strip()
    if t in NUMBER_WORDS:
        return float(NUMBER_WORDS[t])
    try:
        return float(t.replace(",", ""))
    except ValueError:
        return None


def _scaled(number: str, text: str) -> float | None:
    value = parse_number(number)
    if value is None:
        return None
    scale = re.search(r"(thousand|million|billion|trillion|bn|mn|tn|k|m|b)\s*$", text.strip(), re.I)
    if scale and not text.strip().casefold().endswith((" m", "km")):
        value *= SCALES.get(scale.group(1).casefold(), 1)
    return value


def find_quantities(text: str, taken: list[tuple[int, int]] | None = None) -> list[Quantity]:
    """Quantities in ``text``; ``taken`` spans (dates) are skipped."""
    spans = list(taken or [])
    found: list[Quantity] = []
    if not _ANY_NUMBER.search(text):
        return found
    lowered = text.casefold()
    for kind, pattern in _QTY_PATTERNS:
        if not _QTY_GATES[kind](lowered):
            continue
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in spans):
                continue
            if kind == "money":
                if m.group(2):
                    number, unit = (
                        m.group(2),
                        {"$": "USD", "€": "EUR", "£": "GBP", "₴": "UAH", "₽": "RUB"}[m.group(1)],
                    )
                    scaled_text = text[m.start(2) : m.end()]
                else:
                    number, unit = m.group(3), m.group(4).upper()[:3]
                    scaled_text = text[m.start(3) : m.start(4)]
                value = _scaled(number, scaled_text)
            elif kind == "count":
                number = m.group(1)
                noun = m.group(3).casefold()
                if noun in _NOT_COUNTED or re.fullmatch(r"(1[89]|20)\d\d", number):
                    continue
                if number.casefold() in ("a", "an", "half"):
                    continue
                before = text[: m.start()].rstrip().split(" ")[-1:]
                if before and before[0][:1].isupper() and m.start() > 0:
                    continue  # "Article 5 collective", "Point 20 plan": a label, not a count
                unit = noun
                value = _scaled(number, text[m.start(1) : m.start(3)].rstrip())
                if m.group(2):
                    value = _scaled(number, text[m.start(1) : m.start(2)].rstrip())
            else:
                number = m.group(1)
                unit = m.group(2).casefold() if kind != "percent" else "%"
                if kind == "distance":
                    unit = (
                        "km" if unit.startswith("k") else ("mi" if unit.startswith("mi") else "m")
                    )
                if kind == "duration":
                    unit = unit.rstrip("s")
                value = parse_number(number)
            if value is None:
                continue
            start = m.start()
            hedge = _HEDGE_BEFORE.search(text, max(0, start - 24), start)
            if hedge:
                start = hedge.start()
            found.append(Quantity(kind, value, unit, text[start : m.end()].strip(), start, m.end()))
            spans.append((m.start(), m.end()))
    found.sort(key=lambda q: q.start)
    return found


# --- dates ------------------------------------------------------------------------------------
_MONTHS = {name.casefold(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.casefold(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_RE = (
    r"(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_WEEKDAYS = {name.casefold(): i for i, name in enumerate(calendar.day_name)}
_FUTURE = re.compile(
    r"\b(will|would|plans?|planned|planning|set to|scheduled|expected|ahead of|next|due to|"
    r"is to|are to|going to|aims? to|upcoming)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class DateRef:
    day: date
    precision: str  # day | week | weekend | month | year
    text: str
    relative: bool
    start: int
    end: int

    def to_json(self) -> dict[str, object]:
        return {
            "date": self.day.isoformat(),
            "precision": self.precision,
            "text": self.text,
            "relative": self.relative,
        }


def _closest_year(month: int, day: int, published: date) -> date | None:
    best: date | None = None
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((candidate - published).days) < abs((best - published).days):
            best = candidate
    return best


def _weekday(target: int, published: date, future: bool) -> date:
    delta = (target - published.weekday()) % 7
    if future:
        return published + timedelta(days=delta)
    return published - timedelta(days=(published.weekday() - target) % 7)


def _month_shift(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "md",
        re.compile(rf"\b{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+((?:19|20)\d\d)\b)?"),
    ),
    (
        "dm",
        re.compile(
            rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE}\b(?:,?\s+((?:19|20)\d\d)\b)?"
        ),
    ),
    ("my", re.compile(rf"\b(?:(?:early|mid|late)[\s-]+)?{_MONTH_RE}\s+((?:19|20)\d\d)\b")),
    ("iso", re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")),
    (
        "lastmonth",
        re.compile(
            rf"\b(last|this|next|in|since|until|by|early|late|mid)[\s-]+{_MONTH_RE}\b(?!\s+\d)"
        ),
    ),
    (
        "weekday",
        re.compile(
            r"\b(?:(last|next|this|on|late on|early on|since|by|until)\s+)?"
            r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:'s|’s)?\b"
        ),
    ),
    (
        "rel",
        re.compile(
            r"\b(yesterday|today|tomorrow|tonight|last night|this morning|"
            r"(?:over|at|during)?\s*(?:the|this|last)\s+weekend|"
            r"(?:earlier|later)?\s*this\s+(?:week|month|year)|"
            r"(?:last|next|past|previous|coming)\s+(?:week|month|year)|"
            r"(?:a|one|two|three|\d+)\s+(?:days?|weeks?|months?)\s+ago)\b",
            re.I,
        ),
    ),
    (
        "year",
        re.compile(r"(?<![$€£\d.,])\b((?:19|20)\d\d)\b(?!\s*(?:%|per\s*cent|km|people|troops))"),
    ),
]


_DIGIT = re.compile(r"\d")
_MONTH_GATE = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)")
_REL_WORDS = ("yesterday", "today", "tomorrow", "night", "morning", "week", "month", "year", "ago")


def find_dates(text: str, published: date) -> list[DateRef]:
    """Absolute and relative dates in ``text``, resolved against ``published``."""
    out: list[DateRef] = []
    spans: list[tuple[int, int]] = []
    future = bool(_FUTURE.search(text))

    def add(d: date | None, precision: str, m: re.Match[str], relative: bool) -> None:
        if d is None or any(s < m.end() and m.start() < e for s, e in spans):
            return
        out.append(DateRef(d, precision, m.group(0).strip(), relative, m.start(), m.end()))
        spans.append((m.start(), m.end()))

    lowered = text.casefold()
    has_month = bool(_MONTH_GATE.search(text))
    has_digit = _DIGIT.search(text) is not None
    for kind, pattern in _DATE_PATTERNS:
        if kind in ("md", "dm", "my", "lastmonth") and not has_month:
            continue
        if kind in ("iso", "year") and not has_digit:
            continue
        if kind == "weekday" and "day" not in lowered:
            continue
        if kind == "rel" and not any(w in lowered for w in _REL_WORDS):
            continue
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in spans):
                continue
            if kind == "md":
                month, day, year = _MONTHS[m.group(1).casefold()], int(m.group(2)), m.group(3)
                if m.group(1) == "May" and not year and day > 31:
                    continue
                if year:
                    try:
                        add(date(int(year), month, day), "day", m, False)
                    except ValueError:
                        pass
                else:
                    add(_closest_year(month, day, published), "day", m, False)
            elif kind == "dm":
                day, month, year = int(m.group(1)), _MONTHS[m.group(2).casefold()], m.group(3)
                try:
                    d = (
                        date(int(year), month, day)
                        if year
                        else _closest_year(month, day, published)
                    )
                except ValueError:
                    d = None
                add(d, "day", m, False)
            elif kind == "my":
                add(date(int(m.group(2)), _MONTHS[m.group(1).casefold()], 1), "month", m, False)
            elif kind == "iso":
                try:
                    add(date(int(m.group(1)), int(m.group(2)), int(m.group(3))), "day", m, False)
                except ValueError:
                    pass
            elif kind == "lastmonth":
                word, month = m.group(1).casefold(), _MONTHS[m.group(2).casefold()]
                if m.group(2) == "May" and word in ("in", "by"):
                    continue
                year = published.year
                if word == "next" or (word in ("until", "by") and month >= published.month):
                    year = published.year if month >= published.month else published.year + 1
                elif month > published.month or (word == "last" and month == published.month):
                    year -= 1
                add(date(year, month, 1), "month", m, True)
            elif kind == "weekday":
                word = (m.group(1) or "").casefold()
                target = _WEEKDAYS[m.group(2).casefold()]
                ahead = word in ("next", "until", "by") or (word != "last" and future)
                d = _weekday(target, published, ahead)
                if word == "last" and d == published:
                    d -= timedelta(days=7)
                add(d, "day", m, True)
            elif kind == "rel":
                add(*_relative(m.group(0).strip().casefold(), published), m, True)
            elif kind == "year":
                add(date(int(m.group(1)), 1, 1), "year", m, False)
    out.sort(key=lambda d: d.start)
    return out


def _relative(phrase: str, published: date) -> tuple[date | None, str]:
    words = phrase.split()
    if phrase in ("today", "tonight", "this morning"):
        return published, "day"
    if phrase in ("yesterday", "last night"):
        return published - timedelta(days=1), "day"
    if phrase == "tomorrow":
        return published + timedelta(days=1), "day"
    if "weekend" in phrase:
        # the weekend before publication (its Saturday); "this weekend" on a weekday is the next one
        back = (published.weekday() - 5) % 7
        saturday = published - timedelta(days=back)
        if words[-2] == "this" and published.weekday() < 5:
            saturday += timedelta(days=7)
        return saturday, "weekend"
    if phrase.endswith("ago"):
        from bot.facts.extract import parse_number  # noqa: PLC0415 - same module, clarity

        n = parse_number(words[0]) or 1
        unit = words[1].rstrip("s")
        if unit == "day":
            return published - timedelta(days=n), "day"
        if unit == "week":
            return published - timedelta(weeks=n), "week"
        return _month_shift(published, -int(n)), "month"
    unit = words[-1]
    shift = {"last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1}.get(words[-2], 0)
    if unit == "week":
        return published + timedelta(weeks=shift), "week"
    if unit == "month":
        return _month_shift(published, shift), "month"
    return date(published.year + shift, 1, 1), "year"


# --- attribution ------------------------------------------------------------------------------
_VERBS = (
    r"said|says|told|tells|reported|reports|stated|states|warned|confirmed|denied|announced|"
    r"added|noted|wrote|argued|claimed|insisted|declared|acknowledged|posted|suggested|"
    r"indicated|estimated|cautioned|emphasi[sz]ed|stressed|revealed|concurred|"
    r"rejected|dismissed|criticised|criticized|(?<!-)called|described|ruled out|demanded|urged|"
    r"vowed|accused|signal(?:l)?ed|insists|warns|claims|argues|stresses|notes|denies|rejects|"
    r"demands|urges|signals|suggests|indicates|adds|confirms|announces|spoke of|echoed"
)
_ACCORDING = re.compile(
    r"\baccording to (?:(?:an?|the)\s+)?(.{2,80}?)(?=[,.;:]|\s+(?:which|who|that)\b|$)", re.I
)
_CITED_BY = re.compile(
    r"\b(?:cited by|citing|quoted by|as reported by|reported by|as conveyed by)\s+(?:(?:an?|the)\s+)?(.{2,60}?)(?=[,.;:]|\s+(?:which|who|that)\b|$)",
    re.I,
)
_VERB_AFTER = re.compile(
    r"\b(?:said|says|told|added|warned|noted|wrote|reported)\s+((?:the|an?|one|two|three|several|some)\s+[\w\s-]{2,40}?)(?=[,.;:]|$)",
    re.I,
)
_VERB_AFTER_GATE = re.compile(
    r"\b(?:said|says|told|added|warned|noted|wrote|reported)\s+(?:the|an?|one|two|three|several|some)\b"
)
_CITED_GATE = ("cited", "citing", "quoted", "reported by", "conveyed")
_PASSIVE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+$", re.I)
_VERB = re.compile(rf"\b(?:{_VERBS})\b", re.I)
_ADVERBS = re.compile(
    r"(?:\s+(?:has|have|had|also|previously|earlier|later|then|repeatedly|strongly|firmly|"
    r"reportedly|publicly|flatly))+\s*$",
    re.I,
)
_DETERMINERS = re.compile(r"^(?:and|but|while|as)\s+", re.I)


def find_attribution(text: str, entities: list[Entity]) -> str | None:
    """Who said or reported the sentence: an entity's canonical name, or the phrase used."""

    def resolve(phrase: str, offset: int) -> str:
        phrase = phrase.strip(" '\"“”‘’")
        lead = _SOURCE_LEAD.match(phrase)
        if lead:  # "an assessment by the UK defense ministry" -> "the UK defense ministry"
            offset += lead.end()
            phrase = phrase[lead.end() :]
        words = phrase.split()
        if 1 < len(words) <= 6 and words[-1].casefold() in _SOURCE_NOUNS | _ORG_NOUNS:
            return _DETERMINERS.sub("", phrase)
        inside = [e for e in entities if e.start < offset + len(phrase) + 1 and offset < e.end]
        if inside:
            persons = [e for e in inside if e.type == "person"]
            return (persons or inside)[0].name
        return _DETERMINERS.sub("", phrase)

    lowered = text.casefold()
    for pattern, gate in ((_CITED_BY, _CITED_GATE), (_ACCORDING, ("according to",))):
        if not any(g in lowered for g in gate):
            continue
        m = pattern.search(text)
        if m:
            inner = _CITED_BY.search(m.group(1))
            if inner:
                return resolve(inner.group(1), m.start(1) + inner.start(1))
            return resolve(m.group(1), m.start(1))
    m = _VERB_AFTER.search(text) if _VERB_AFTER_GATE.search(lowered) else None
    if (
        m
        and m.end() >= len(text.rstrip(" .'\"”’")) - 1
        and m.group(1).split()[-1].casefold() in _SOURCE_NOUNS
    ):
        return resolve(m.group(1), m.start(1))
    found: list[tuple[int, str]] = []
    for m in _VERB.finditer(text):
        verb_at = m.start()
        if _PASSIVE.search(text, 0, verb_at):
            continue  # "the guarantees are said to include": nobody in the sentence says it
        adverbs = _ADVERBS.search(text, 0, verb_at)
        if adverbs:
            verb_at = adverbs.start()
        name = _subject(text, verb_at, entities)
        if name:
            found.append((m.end(), name))
    if not found:
        return None
    late = [name for end, name in found if end > len(text) * 0.6]
    return late[-1] if late else found[0][1]


def _subject(text: str, verb_at: int, entities: list[Entity]) -> str | None:
    """The speaker before a reporting verb: an entity in the clause, else a source phrase."""
    head = text[:verb_at]
    bounds = [-1, *(i for i, ch in enumerate(head) if ch in ',;:“”"(—')]
    end = verb_at
    clauses: list[tuple[int, int]] = []
    for start in sorted(bounds, reverse=True):
        if head[start + 1 : end].strip():
            clauses.append((start, end))
        end = start
        if len(clauses) == 3:
            break
    for depth, (start, end) in enumerate(clauses):
        clause = head[start + 1 : end].strip(" '‘’\"“”")
        if not clause:
            continue
        anonymous = _ANONYMOUS.match(clause)
        if anonymous:  # "Another person familiar with the US position stated ..."
            return anonymous.group(0)
        words = clause.split()
        inside = [e for e in entities if e.start > start and e.end <= end]
        persons = [e for e in inside if e.type == "person"]
        first = words[0].casefold()
        while len(words) > 1 and words[-1].casefold().endswith("ly"):
            words = words[:-1]  # "media similarly described"
        last = words[-1].casefold().strip("'’")
        if last in _MEDIA_NOUNS and not any(e.type == "person" for e in inside):
            return _DETERMINERS.sub("", " ".join(words[-4:]))  # "European and U.S. media"
        if not inside and last in _SOURCE_NOUNS:
            return _DETERMINERS.sub("", " ".join(words[-3:]))
        if first in ("who", "which", "whose", "speaking", "writing"):
            if depth == 0 and end == verb_at:
                return None  # "..., who recently announced": the verb is the relative clause's
            continue  # a relative or participle clause: the speaker is before it
        inside = [e for e in inside if _can_be_subject(text, e, verb_at)]
        persons = [e for e in inside if e.type == "person"]
        if persons:
            return persons[-1].name
        if first in ("the", "a", "an") and depth + 1 < len(clauses):
            prev_start, prev_end = clauses[depth + 1]
            lead = text[prev_start + 1 : prev_end]
            offset = prev_start + 1 + len(lead) - len(lead.lstrip())
            before = [e for e in entities if e.start == offset and e.end <= prev_end]
            if before and before[0].type == "person":
                return before[0].name  # "Anna Kelly, the deputy press secretary, denied"
        if inside:
            return inside[-1].name
        return None
    return None


_PREPOSITIONS = frozenset(
    "for to with of on about against from by at in into over under between among toward towards".split()
)
_RELATIVE = re.compile(r"\b(?:who|whom|which|that)\b[^,;:—]*$", re.I)


def _can_be_subject(text: str, entity: Entity, verb_at: int) -> bool:
    """A name after a preposition ("a hurdle for Zelensky") or separated from the verb by a
    relative pronoun ("Zelensky who announced") is not the sentence's speaker."""
    if _RELATIVE.search(text[entity.end : verb_at]):
        return False
    before = re.split(r"[,;:“”\"(—]|['‘’](?=\s|$)", text[: entity.start])[-1].split()
    while before and (before[-1][:1].isupper() or before[-1].casefold() in ("the", "a", "an")):
        before.pop()  # titles and modifiers: "for Ukrainian President Volodymyr Zelensky"
    return not (before and before[-1].casefold().strip(",") in _PREPOSITIONS)


_ANONYMOUS = re.compile(
    r"^(?:(?:a|an|another|one|two|three|several|some|the)\s+)?(?:[A-Za-z]+\s+){0,3}?"
    r"(?:person|people|source|sources|official|officials|diplomat|diplomats|insider|insiders)\b",
    re.I,
)
_APPOSITIVE = frozenset("the a an who which whose speaking writing in for after".split())
_SOURCE_LEAD = re.compile(
    r"^(?:[\w-]+\s+)?(?:assessment|assessments|report|reports|reporting|analysis|estimate|"
    r"estimates|data|figures|statement|survey|poll|polling|sources|officials)\s+(?:by|from|of|in|at)\s+",
    re.I,
)
_MEDIA_NOUNS = frozenset("media outlets newspapers press reports reporting".split())
_ORG_NOUNS = frozenset(
    """ministry department agency office institute committee council service outlet paper
    government administration army military command bureau commission""".split()
)
_SOURCE_NOUNS = frozenset(
    """people source sources official officials ministry spokesman spokeswoman analysts experts
    diplomats aide person envoy newspaper agency observers insiders diplomat""".split()
)
