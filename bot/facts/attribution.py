"""Attribution: who said or reported a sentence ("X said", "according to X", "cited by X",
"a senior official said"). Pure functions."""

from __future__ import annotations

import re

from bot.facts.entities import Entity

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
