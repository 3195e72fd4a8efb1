"""A question -> what kind of answer it wants, its entities (canonical) and content terms."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from bot.facts.entities import find_entities
from bot.facts.terms import QUESTION_WORDS, STOPWORDS, entity_term, stem, words

QType = Literal[
    "who",
    "when",
    "where",
    "how_much",
    "how_many",
    "percent",
    "duration",
    "distance",
    "why",
    "yesno",
    "what",
]
MAX_QUESTION_CHARS = 500

_TYPE_RULES: list[tuple[QType, re.Pattern[str]]] = [
    (
        "percent",
        re.compile(
            r"\b(what|which)\s+(percentage|percent|share|proportion|fraction|part)\b|\bhow much of\b|\bwhat (?:%|per ?cent)\b"
        ),
    ),
    ("how_many", re.compile(r"\bhow many\b|\bnumber of\b|\bскільки\b|\bсколько\b")),
    ("how_much", re.compile(r"\bhow much\b|\bworth\b|\bcost\b|\bprice\b|\bhow big\b|\bvalue of\b")),
    ("duration", re.compile(r"\bhow long\b")),
    ("distance", re.compile(r"\bhow (?:far|wide|deep|long is the)\b")),
    (
        "when",
        re.compile(
            r"^\W*(?:when|коли|когда)\b|\bwhat (?:date|day|time|year|month)\b|\bby when\b|\bwhich (?:date|day)\b"
        ),
    ),
    (
        "where",
        re.compile(
            r"^\W*(?:where|де|где)\b|\bin which (?:city|country|place)\b|\bwhat (?:city|country|place|location)\b"
        ),
    ),
    (
        "who",
        re.compile(
            r"^\W*(?:who|whom|whose|хто|кто)\b|\bwhich (?:official|person|leader|outlet|newspaper)\b"
        ),
    ),
    (
        "why",
        re.compile(r"^\W*(?:why|чому|почему)\b|\bwhat (?:is|was) the reason\b|\bfor what reason\b"),
    ),
    (
        "yesno",
        re.compile(
            r"^\W*(?:is|are|was|were|do|does|did|can|could|will|would|has|have|had|should|may|might)\b"
        ),
    ),
]
_QUOTED = re.compile(
    r"[“\"]([^“”\"]{6,200})[”\"]|(?:^|(?<=\s))[‘']([^‘’']{6,200}(?:'[a-z][^‘’']*)*)[’'](?=\W|$)"
)
_WHO_SAID = re.compile(
    r"^\W*(?:who|whom)\s+(?:said|says|say|told|insisted|declared|warned|stated|wrote|posted|"
    r"tweeted|claimed|argued|added|noted|called|described)\s+(?:that\s+|the\s+words\s+)?(.+?)[\s?.!]*$",
    re.I,
)
_SPEECH_Q = re.compile(
    r"\b(?:say|says|said|tell|told|claim\w*|stat(?:e|ed|es)|insist\w*|declar\w*|warn\w*|"
    r"describ\w*|call(?:s|ed)?|comment\w*|respond\w*|react\w*|announc\w*|posted|wrote|"
    r"report(?:s|ed)?|"
    r"сказа\w*|заяви\w*|говори\w*)\b",
    re.I,
)
_DESCRIBE_Q = re.compile(r"\b(?:describ\w*|call(?:s|ed)?|characteri[sz]\w*|view\w*)\b", re.I)
_PAST_Q = re.compile(r"^\W*(?:when|коли|когда)\s+(?:did|was|were|had|has|have)\b", re.I)
_FUTURE_Q = re.compile(
    r"^\W*(?:when|коли|когда)\s+(?:will|is|are|do|does|shall)\b.*|\b(?:next|upcoming|planned)\b",
    re.I,
)
_SHARE_WORDS = frozenset(
    stem(w) for w in "share percentage percent proportion fraction part".split()
)
_WHERE_WORDS = frozenset(stem(w) for w in "hold held take took place located situated".split())
_DURATION_WORDS = frozenset(stem(w) for w in "last lasted take took go on".split())
_HOW_X = re.compile(r"\bhow\s+\w+", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Question:
    text: str  # cleaned, truncated
    qtype: QType
    entities: list[str]  # canonical names of known entities
    unknown_names: list[str]  # capitalised names not in the gazetteer
    terms: list[str]  # index terms: e_<entity> first, then stemmed content words
    entity_terms: list[str] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)  # the content words as typed (for labels)
    phrase: tuple[str, ...] = ()  # a quoted or quoted-from phrase, as folded words
    quoted: bool = False  # the phrase was in quote marks (it must be found)
    speech: bool = False  # asks what someone said / who said it
    tense: str = ""  # "past" | "future" | "" (for dates)
    describe: bool = False  # "how did X describe / what did X call ..."


def clean(question: str) -> str:
    """Strip control characters and odd spacing; cut very long questions at a word boundary."""
    # lone surrogates (undecodable bytes from a terminal) cannot reach SQLite or stdout
    question = question.encode("utf-8", "replace").decode("utf-8")
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", question))
    text = " ".join(text.split())
    if len(text) > MAX_QUESTION_CHARS:
        # a long paste: keep its first question if there is one, else the first 500 chars
        first_q = text.find("?")
        if 0 < first_q < MAX_QUESTION_CHARS:
            text = text[: first_q + 1]
        else:
            cut = text.rfind(" ", 0, MAX_QUESTION_CHARS)
            text = text[: cut if cut > 100 else MAX_QUESTION_CHARS]
    return text


def question_type(text: str) -> QType:
    lowered = text.casefold()
    for qtype, pattern in _TYPE_RULES:
        if pattern.search(lowered):
            return qtype
    return "what"


def analyse_question(question: str) -> Question:
    text = clean(question)
    qtype = question_type(text)
    # Capitalise nothing: a lone capitalised first word ("Who", "Is") is never a name.
    found = find_entities(text)
    known = [e for e in found if e.known]
    unknown = [e for e in found if not e.known and e.name.casefold() not in QUESTION_WORDS]
    spans = [(e.start, e.end) for e in known]
    # "how long/far/much/many/big": the second word shapes the question, it is not content
    spans.extend((m.start(), m.end()) for m in _HOW_X.finditer(text))
    entity_names = list(dict.fromkeys(e.name for e in known))
    entity_terms = [entity_term(n) for n in entity_names]
    content: list[str] = []
    plain: list[str] = []
    masked = "".join(" " if any(s <= i < e for s, e in spans) else ch for i, ch in enumerate(text))
    for word in words(masked):
        if word in STOPWORDS or word in QUESTION_WORDS or len(word) < 2 and not word.isdigit():
            continue
        term = stem(word)
        if (
            term in QUESTION_WORDS
            or (qtype == "percent" and term in _SHARE_WORDS)
            or (qtype == "where" and term in _WHERE_WORDS)
            or (qtype == "duration" and term in _DURATION_WORDS)
        ):
            continue
        if term not in content:
            content.append(term)
            plain.append(word)
    phrase: tuple[str, ...] = ()
    quoted = _QUOTED.search(text)
    said = _WHO_SAID.match(text)
    candidate = (quoted.group(1) or quoted.group(2)) if quoted else (said.group(1) if said else "")
    if len(words(candidate)) >= (2 if quoted else 3):
        phrase = tuple(words(candidate))
    tense = "past" if _PAST_Q.search(text) else ("future" if _FUTURE_Q.search(text) else "")
    return Question(
        text=text,
        qtype=qtype,
        entities=entity_names,
        unknown_names=[e.name for e in unknown],
        terms=[*entity_terms, *content],
        entity_terms=entity_terms,
        plain=plain,
        phrase=phrase,
        quoted=bool(quoted and phrase),
        speech=bool(_SPEECH_Q.search(text)),
        tense=tense,
        describe=bool(_DESCRIBE_Q.search(text)),
    )
