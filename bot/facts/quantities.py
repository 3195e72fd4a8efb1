"""Quantities in a sentence: counts, money, shares, distances and durations, with hedges
("about", "nearly") kept in the quoted text. Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


# Approximate shares in words ("nearly all of Luhansk", "two-thirds of the region"): a percent
# with ``approx`` set. Only before "of" (a share of something), never bare "all"/"most".
_SHARE_WORDS: dict[str, float] = {
    "nearly all": 95.0,
    "almost all": 95.0,
    "virtually all": 97.0,
    "practically all": 97.0,
    "almost the entire": 95.0,
    "nearly the entire": 95.0,
    "most": 70.0,
    "the majority": 60.0,
    "a majority": 60.0,
    "the bulk": 75.0,
    "three-quarters": 75.0,
    "three quarters": 75.0,
    "two-thirds": 66.7,
    "two thirds": 66.7,
    "half": 50.0,
    "a half": 50.0,
    "one half": 50.0,
    "a third": 33.3,
    "one third": 33.3,
    "one-third": 33.3,
    "a quarter": 25.0,
    "one quarter": 25.0,
    "a fifth": 20.0,
    "one fifth": 20.0,
    "one-fifth": 20.0,
    "a small part": 10.0,
    "a fraction": 10.0,
}
_SHARE = re.compile(
    r"\b("
    + "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(_SHARE_WORDS, key=len, reverse=True)
    )
    + r")\s+of\b(?!\s+(?:them|us|you|it|which|whom|those|these)\b)",
    re.I,
)
_SHARE_GATE = (
    "all",
    "most",
    "major",
    "bulk",
    "quarter",
    "third",
    "half",
    "fifth",
    "part",
    "fraction",
    "entire",
)


@dataclass(frozen=True, slots=True)
class Quantity:
    kind: str  # percent | money | distance | duration | count
    value: float
    unit: str
    text: str
    start: int
    end: int
    approx: bool = False  # a share in words ("nearly all"), not a figure

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "kind": self.kind,
            "value": self.value,
            "unit": self.unit,
            "text": self.text,
        }
        if self.approx:
            out["approx"] = True
        return out


def _word_shares(text: str, spans: list[tuple[int, int]]) -> list[Quantity]:
    """Shares in words followed by "of": "nearly all of Luhansk" -> ~95% (approx)."""
    lowered = text.casefold()
    if " of " not in lowered or not any(w in lowered for w in _SHARE_GATE):
        return []
    found: list[Quantity] = []
    for m in _SHARE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in spans):
            continue
        words = " ".join(m.group(1).casefold().split())
        start = m.start()
        hedge = _HEDGE_BEFORE.search(text, max(0, start - 24), start)
        if hedge:
            start = hedge.start()
        phrase = text[start : m.end(1)].strip()
        found.append(Quantity("percent", _SHARE_WORDS[words], "%", phrase, start, m.end(1), True))
        spans.append((m.start(), m.end(1)))
    return found


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
        return _word_shares(text, spans)
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
    found.extend(_word_shares(text, spans))
    found.sort(key=lambda q: q.start)
    return found
