"""Words -> index terms: the one normalisation shared by ingest (what FTS5 indexes) and questions.

A term is lowercased, accent-free, lemmatised and stemmed (``stem``), so "controls",
"controlled" and "control" meet, as do "went" and "go". Named entities add one
``e_<canonical>`` term each, so every alias of a name finds every other. Percent signs and
"per cent" become the word ``percent``; currency amounts add ``money``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import simplemma
import Stemmer

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_PER_CENT = re.compile(r"(?<=\d)\s*%|\bper\s*cent\b|\bpercentage\b", re.IGNORECASE)

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves also s t d ll m re ve y o isn aren
    wasn weren hasn haven hadn doesn don didn won't can't it's that's there's what's who's let's
    per via according said says say told tell reportedly reported reports report yet still
    whether mr mrs ms dr one near""".split()
)
# Question-only words: they shape the question, not the subject.
QUESTION_WORDS = frozenset(
    """what when where who whom whose which why how much many much is are was were do does did
    can could should would will tell me please explain describe describ know latest news
    say said happen happened happening anything something thing things there any""".split()
)

_BRITISH = {
    "defence": "defense",
    "offence": "offense",
    "licence": "license",
    "pretence": "pretense",
    "manoeuvre": "maneuver",
    "manoeuvres": "maneuvers",
    "programme": "program",
    "programmes": "programs",
    "travelled": "traveled",
    "travelling": "traveling",
    "cancelled": "canceled",
    "signalled": "signaled",
    "signalling": "signaling",
    "labelled": "labeled",
    "modelling": "modeling",
    "fuelled": "fueled",
}
_OUR = re.compile(r"(?<=[a-z]{2}[bhlv])our(?=s?$|ed$|ing$|ite)")
_TRE = re.compile(r"(?<=[a-z]{3})tre(?=s?$)")
_ISE = re.compile(r"(?<=[a-z]{3}[^aeiou])is(e|ed|es|ing|ation|ations)$")
_SNOWBALL = Stemmer.Stemmer("english")


class _FoldTable(dict[int, str]):
    """str.translate table computed on demand: Latin letters lose their accents."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch)[0]
        value = base if base.isascii() and base.isalpha() else ch
        self[code] = value
        return value


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lowercase and strip diacritics (Latin accents; Cyrillic letters stay Cyrillic)."""
    text = text.casefold()
    if text.isascii():
        return text
    return text.translate(_FOLD)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Lemma (simplemma: "went" -> "go", "negotiators" -> "negotiator") then the Snowball
    English stemmer (PyStemmer), after British spellings are mapped to American ones, so
    "controls", "controlled" and "control" meet, as do "importance" and "important"."""
    w = word
    if not w.isascii() or not w.isalpha() or len(w) <= 2:
        return w
    w = _BRITISH.get(w, w)
    if len(w) > 5:  # British -> American spellings: labour, centre, emphasise, organisation
        w = _OUR.sub("or", w)
        w = _TRE.sub("ter", w)
        w = _ISE.sub(r"iz\1", w)
    lemma = simplemma.lemmatize(w, lang="en")
    if lemma.isascii() and lemma.isalpha() and len(lemma) >= 2:
        w = lemma.lower()
    return str(_SNOWBALL.stemWord(w))


def words(text: str) -> list[str]:
    """Folded word tokens in order (apostrophes inside words kept out)."""
    folded = fold(text)
    if "%" in folded or "cent" in folded:
        folded = _PER_CENT.sub(" percent ", folded)
    out: list[str] = []
    for tok in WORD.findall(folded):
        if "'" in tok or "’" in tok:
            head, _, tail = tok.replace("’", "'").partition("'")
            out.append(head)
            if tail not in ("s", "t", "ll", "re", "ve", "d", "m"):
                out.append(tail)
        else:
            out.append(tok)
    return out


def content_terms(text: str) -> list[str]:
    """Stemmed terms of the words that carry content (stopwords dropped), in order."""
    stops = STOPWORDS
    return [stem(w) for w in words(text) if w not in stops]


@lru_cache(maxsize=50_000)
def entity_term(canonical: str) -> str:
    return "e_" + "_".join(words(canonical))


def index_text(text: str, entity_names: list[str], extra: list[str]) -> str:
    """The text FTS5 indexes for one fact: content terms, entity terms, marker terms."""
    parts = content_terms(text)
    parts.extend(entity_term(n) for n in entity_names)
    parts.extend(extra)
    return " ".join(p for p in parts if p)
