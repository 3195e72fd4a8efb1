"""Text -> the features story grouping compares: weighted terms, entities, numbers.

Pure functions, no I/O. Every article becomes a :class:`Features`:

- ``terms``: term counts over the headline (counted twice: it names the story) and the lead
  (the first ``LEAD_WORDS`` words of the text: where outlets retelling one report agree most;
  later paragraphs are background that every story on a topic repeats). Lower-cased, stop
  words dropped, lightly stemmed (plural/verb endings) so "guarantees"/"guarantee" and
  "ceding"/"cede" meet.
- ``entities``: names written with a capital inside a sentence (people, places, outlets);
  a headline in Title Case is skipped, it capitalises every word.
- ``numbers``: figures in the text ("$800 billion" -> "800", "100%" -> "100"; number words
  two to twenty as digits: "two regions" / "2 regions", "day five" / "day nine"); those of the
  headline again in ``title_numbers``; the headline's terms in ``title_terms``, its names in
  ``title_entities``.
- ``headline``: the headline without a site name after a bar ("… | Al Jazeera"), for the
  meaning signal. The site name is left out of every feature: it is not part of the story.

Weighting (log tf x idf) happens in :mod:`bot.stories.grouper`, which owns document
frequencies.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

LEAD_WORDS = 250
MAX_TEXT_CHARS = 4000

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_NUMBER = re.compile(r"\d[\d,.]*")
_SENTENCE_END = re.compile(r"[.!?:;\n\"“”]")
_TAGS = re.compile(r"<[^>]{0,500}>")
_SPACE = re.compile(r"\s+")
# "… | Station Name" at the end of a headline: up to five words after the last bar.
_SITE_SUFFIX = re.compile(r"\s+[|｜]\s*[^|｜]{1,60}$")
_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
    if i >= 2
}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
# Aggregator boilerplate that stands in for a missing text (Reddit's RSS entries).
_BOILERPLATE = re.compile(r"^\s*submitted by /?u/\S+\s*(\[link\])?\s*(\[comments\])?\s*$")

STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
    don't down during each few for from further had hadn't has hasn't have haven't having he he'd he'll
    he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't
    it it's its itself let's me more most mustn't my myself no nor not of off on once only or other
    ought our ours ourselves out over own same shan't she she'd she'll she's should shouldn't so some
    such than that that's the their theirs them themselves then there there's these they they'd
    they'll they're they've this those through to too under until up very was wasn't we we'd we'll
    we're we've were weren't what what's when when's where where's which while who who's whom why
    why's with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves
    said says say saying told tells according reported reportedly report reports reporting
    will may might must shall just now new one two three also would could however since year years
    week weeks day days month months time times last first next mr mrs ms per cent percent via
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    january february march april june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    news read more click here sign share comment comments photo video image getty reuters ap afp
    facebook twitter linkedin whatsapp bluesky email copyright rights reserved
    """.split()
)


@dataclass(frozen=True, slots=True)
class Features:
    terms: dict[str, int]
    entities: frozenset[str]
    numbers: frozenset[str]
    title_numbers: frozenset[str] = frozenset()
    title_terms: frozenset[str] = frozenset()
    title_entities: frozenset[str] = frozenset()
    headline: str = ""


def stem(word: str) -> str:
    """A light English stemmer: plural and verb endings only (stable, cheap, predictable)."""
    w = word
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("sses"):
        return w[:-2]
    if w.endswith("es") and len(w) > 4 and w[-3] in "sxz":
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
        if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz":
            w = w[:-1]
        return w
    if w.endswith("ied") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("ed") and len(w) > 4:
        w = w[:-2]
        if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz":
            w = w[:-1]
        return w
    if w.endswith("e") and len(w) > 3:
        # "cede"/"ceding", "surrender"/"surrendered" meet once -e and -ed/-ing are gone.
        return w[:-1]
    return w


@lru_cache(maxsize=200_000)
def normalise_word(raw: str) -> str | None:
    """Lower-case, drop possessives and stop words; None for words that carry nothing.

    Cached, and the result interned: every stored article shares one string per term.
    """
    word = raw.casefold().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if word in STOP_WORDS or len(word) < 2:
        return None
    if word.isdigit():
        return sys.intern(word) if len(word) >= 2 else None
    return sys.intern(stem(word))


def clean_text(text: str) -> str:
    """Drop markup left in feed summaries and squeeze whitespace."""
    if "<" in text:
        text = _TAGS.sub(" ", text)
    return _SPACE.sub(" ", text[:MAX_TEXT_CHARS]).strip()


def lead(text: str, words: int = LEAD_WORDS) -> str:
    """The first ``words`` words of ``text``."""
    parts = clean_text(text).split(" ", words)
    return " ".join(parts[:words])


def _is_title_case(title: str) -> bool:
    """True for "Russia Shells Kramatorsk Again" (every word capitalised), not for
    "Zelensky meets Trump in Washington"."""
    words = [w for w in _WORD.findall(title) if w[0].isalpha() and w.casefold() not in STOP_WORDS]
    if len(words) < 3:
        return False
    capital = sum(1 for w in words if w[0].isupper())
    return capital / len(words) >= 0.9


def _entities(text: str) -> set[str]:
    """Capitalised words that do not open a sentence, lower-cased and stemmed."""
    found: set[str] = set()
    sentence_start = True
    pos = 0
    for match in _WORD.finditer(text):
        between = text[pos : match.start()]
        pos = match.end()
        if _SENTENCE_END.search(between):
            sentence_start = True
        word = match.group(0)
        if word[0].isupper() and not sentence_start:
            norm = normalise_word(word)
            if norm and not norm.isdigit():
                found.add(norm)
        sentence_start = False
    return found


def headline_words(headline: str) -> str:
    """A headline's words, casefolded, one space apart: what "identical" compares."""
    return " ".join(_WORD.findall(headline.casefold()))


def strip_site(title: str) -> str:
    """ "Trump says … | Euractiv" -> "Trump says …" (a site name after the last bar, at most
    five words, when something substantial stands before it)."""
    m = _SITE_SUFFIX.search(title)
    if m is None:
        return title
    head = title[: m.start()]
    if len(m.group(0).split()) > 6 or len(head.split()) < 3:
        return title
    return head


def _numbers(text: str) -> set[str]:
    found = {_NUMBER_WORDS[m.group(1).casefold()] for m in _NUMBER_WORD.finditer(text)}
    for match in _NUMBER.finditer(text):
        digits = match.group(0).rstrip(".,").replace(",", "")
        whole = digits.split(".")[0]
        if whole and whole != "0":
            found.add(digits if len(digits) <= 12 else digits[:12])
    return found


def extract(title: str, text: str) -> Features:
    """Features of one article (title + lead of its text)."""
    title = strip_site(clean_text(title))
    body = "" if _BOILERPLATE.match(text[:300]) else lead(text)
    terms: Counter[str] = Counter()
    title_terms = set()
    for raw in _WORD.findall(title):
        norm = normalise_word(raw)
        if norm:
            terms[norm] += 2
            title_terms.add(norm)
    for raw in _WORD.findall(body):
        norm = normalise_word(raw)
        if norm:
            terms[norm] += 1
    entities = _entities(body)
    # Names in the headline: capitalised inside a sentence-case headline, or (Title Case) the
    # headline's words the text capitalises too.
    title_entities = title_terms & entities
    if not _is_title_case(title):
        title_entities |= _entities(title)
        entities |= title_entities
    numbers = _numbers(f"{title} {body}")
    return Features(
        terms=dict(terms),
        entities=frozenset(entities),
        numbers=frozenset(numbers),
        title_numbers=frozenset(_numbers(title)),
        title_terms=frozenset(title_terms),
        title_entities=frozenset(title_entities),
        headline=title or " ".join(body.split(" ", 40)[:40]),
    )
