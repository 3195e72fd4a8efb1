"""People's roles as an article writes them ("Kremlin aide Yuri Ushakov", "Anna Kelly, the
deputy White House press secretary,"), and definite descriptions that refer back to them
("the Kremlin aide", "the US envoy", "the president")."""

from __future__ import annotations

import re

from bot.facts.entities import Entity, find_entities

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
    for e in find_entities(text, unknown=False):
        if e.name == name:
            return role_at(text, e.start, e.end)
    return None


def role_at(text: str, start: int, end: int) -> str | None:
    """The role written around the name at ``text[start:end]``, if any."""
    m = _POST_ROLE.match(text[end:])
    if m:
        return m.group(1).strip()
    m = _PRE_ROLE.search(text[:start])
    if m:
        role = m.group(1).strip()
        first = role.split()[0]
        if first in ("The", "A", "An", "While", "But", "And", "As"):
            role = role[len(first) :].strip()
        return role or None
    return None


_DESCRIPTION = re.compile(
    rf"\b[Tt]he\s+((?:(?:[A-Z][\w.’'-]*|top|senior|chief|special|deputy|foreign|defen[cs]e|"
    rf"presidential|press|former|prime|Russian|Ukrainian|American|U\.S\.|US)\s+){{0,3}})"
    rf"({_ROLE_NOUN})\b(?!\s*,?\s+[A-Z])(?![’']s\s+[A-Z])"
)
_GENERIC = frozenset("official chief head director analyst general General".split())


def refers_back(
    text: str, recent: list[tuple[str, list[Entity]]]
) -> tuple[str, tuple[int, int]] | None:
    """The person a definite description in ``text`` ("the Kremlin aide") refers to: the most
    recent person in ``recent`` (earlier sentences, newest first, with their entities) whose
    written role has the description's noun (and shares a modifier, when it gives any).
    Returns the name and the description's span."""
    m = _DESCRIPTION.search(text)
    if not m:
        return None
    noun = m.group(2).casefold()
    if noun in _GENERIC:
        return None  # "the official", "the head": too vague to pin on one person
    modifiers = {w.casefold() for w in m.group(1).split()}
    fallback: str | None = None
    for sentence, entities in recent:
        for e in reversed([e for e in entities if e.type == "person"]):
            role = role_at(sentence, e.start, e.end)
            if role is None or noun not in role.casefold():
                continue
            words = {w.casefold() for w in role.split()}
            if not modifiers or modifiers & words:
                return e.name, m.span()
            fallback = fallback or e.name
    return (fallback, m.span()) if fallback and not modifiers else None
