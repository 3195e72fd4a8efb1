"""Named entities: the beat's gazetteer (``gazetteer.json``) plus a capitalised-phrase heuristic.

Every alias of a known entity maps to ONE canonical name (Zelenskiy / Зеленський -> Zelensky).
Unknown names (runs of capitalised words) are kept as they are written, so new articles work too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import ahocorasick

from bot.facts.terms import _FOLD, STOPWORDS, fold

EntityType = Literal["person", "place", "org", "name"]


@dataclass(frozen=True, slots=True)
class Entity:
    name: str  # canonical
    type: EntityType
    start: int
    end: int
    known: bool


@dataclass(frozen=True, slots=True)
class _Alias:
    name: str
    type: EntityType
    exact: str | None  # required exact spelling (short all-caps aliases like "US", "FT")


class Gazetteer:
    def __init__(self, entries: list[dict[str, object]]) -> None:
        self._automaton = ahocorasick.Automaton()
        self.types: dict[str, EntityType] = {}
        table: dict[str, list[_Alias]] = {}
        for entry in entries:
            name = str(entry["name"])
            etype: EntityType = entry["type"]  # type: ignore[assignment]
            self.types[name] = etype
            aliases = [name, *[str(a) for a in entry.get("aliases", [])]]  # type: ignore[attr-defined]
            for alias in aliases:
                exact = alias if (alias.replace(".", "").isupper() and len(alias) <= 3) else None
                table.setdefault(_fold_same_length(alias), []).append(_Alias(name, etype, exact))
        for key, values in table.items():
            self._automaton.add_word(key, (len(key), values))
        self._automaton.make_automaton()
        self.names_folded = {fold(n): n for n in self.types}

    def find(self, text: str) -> list[Entity]:
        """Known entities in ``text``: longest match wins, word boundaries respected."""
        folded = _fold_same_length(text)
        hits: list[Entity] = []
        for end_index, (length, aliases) in self._automaton.iter(folded):
            start, end = end_index - length + 1, end_index + 1
            if start > 0 and _is_word_char(folded[start - 1]):
                continue
            if end < len(folded) and _is_word_char(folded[end]):
                continue
            for alias in aliases:
                if alias.exact is not None and text[start:end] != alias.exact:
                    continue
                hits.append(Entity(alias.name, alias.type, start, end, True))
                break
        hits.sort(key=lambda e: (e.start, -(e.end - e.start)))
        chosen: list[Entity] = []
        last_end = -1
        for hit in hits:
            if hit.start >= last_end:
                chosen.append(hit)
                last_end = hit.end
        return chosen


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_"


def _fold_same_length(text: str) -> str:
    """Lowercase/fold one character to one character, so offsets stay valid."""
    if text.isascii():
        return text.lower()
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered.translate(_FOLD)
    return "".join((fold(ch) or ch)[:1] for ch in text)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    raw = resources.files("bot.facts").joinpath("gazetteer.json").read_text(encoding="utf-8")
    return Gazetteer(json.loads(raw)["entities"])


# --- unknown names -------------------------------------------------------------------------
_CAP_WORD = r"(?:[A-ZÀ-ÖØ-ÞА-ЯІЇЄҐ][\w'’\-–]*[\w]|[A-ZА-ЯІЇЄҐ])"
_CAP_RUN = re.compile(
    rf"{_CAP_WORD}(?:\s+(?:(?:of|the|for|and|de|von|van|al|bin)\s+)?{_CAP_WORD})*"
)
_NOT_NAMES = frozenset(
    """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday i analysis according however
    meanwhile president prime minister chancellor officials official sources source despite
    following after before while yet but and the a an in on at this that these those he she it
    they we his her its their there here what when where who why how if as with without for
    from by to of not no some many most several multiple other another each every both all
    leaders european article""".split()
)
_SKIP = _NOT_NAMES | STOPWORDS
_PERSON_TITLES = re.compile(
    r"(?:President|Prime Minister|Chancellor|Minister|Secretary|Senator|envoy|spokesman|"
    r"spokeswoman|spokesperson|aide|adviser|advisor|General|Gen\.|Mr\.?|Mrs\.?|Ms\.?|Dr\.?)\s+$"
)


def find_entities(text: str, *, unknown: bool = True) -> list[Entity]:
    """Known entities plus (``unknown=True``) unknown capitalised names, in text order."""
    known = gazetteer().find(text)
    if not unknown:
        return known
    taken = [(e.start, e.end) for e in known]
    found = list(known)
    for m in _CAP_RUN.finditer(text):
        start, end = m.start(), m.end()
        phrase = m.group(0)
        # trim leading words that are not names ("However Witkoff" -> "Witkoff")
        parts = phrase.split()
        while parts and parts[0].casefold().strip("'’") in _SKIP:
            start += len(parts[0])
            start += len(text[start:]) - len(text[start:].lstrip())
            parts.pop(0)
        while parts and parts[-1].casefold() in _SKIP:
            parts.pop()
        if not parts:
            continue
        phrase = " ".join(parts)
        end = start + len(phrase) if text[start : start + len(phrase)] == phrase else end
        if any(s < end and start < e for s, e in taken):
            continue
        if len(parts) == 1 and (start == 0 or text[:start].rstrip().endswith((".", "“", '"', ":"))):
            continue  # a lone capitalised sentence-opener is not evidence of a name
        if len(phrase) < 3 or phrase.isupper() and len(phrase) > 12:
            continue
        is_person = bool(_PERSON_TITLES.search(text[max(0, start - 30) : start]))
        found.append(Entity(phrase, "person" if is_person else "name", start, end, False))
        taken.append((start, end))
    found.sort(key=lambda e: e.start)
    return found


def canonical(name: str) -> str | None:
    """The canonical name of a known entity written as ``name`` (any alias), else None."""
    hits = gazetteer().find(name)
    if len(hits) == 1 and hits[0].end - hits[0].start >= len(name.strip()) - 1:
        return hits[0].name
    return None
