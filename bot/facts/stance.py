"""A hedged yes/no lead for yes/no questions, only when the evidence is clear."""

from __future__ import annotations

import re

from bot.facts.evidence import event_terms
from bot.facts.question import Question
from bot.facts.ranking import Scored
from bot.facts.terms import WORD, fold, stem

_NEGATION = re.compile(
    r"\b(?:not|no|never|without|short of|rul\w* out|reject\w*|refus\w*|den(?:y|ied|ies)|"
    r"forgo\w*|won['’]t|isn['’]t|aren['’]t|wasn['’]t|didn['’]t|doesn['’]t|cannot|can['’]t|"
    r"unresolved|unacceptable|untenable|balked|yet to|no longer|has yet|have yet|"
    r"not yet|pending|stalled|failed to)\b",
    re.I,
)


_HEDGED = re.compile(
    r"\b(?:reportedly|report\w*|appear\w*|according to|said|says|suggest\w*|signal\w*|"
    r"indicat\w*|sources?|officials?)\b",
    re.I,
)


_UNSURE = re.compile(
    r"\b(?:may|might|could|would|will|if|unless|consider\w*|possibl\w*|potential\w*|whether|"
    r"prepared|ready|plan\w*|set to|expect\w*|aim\w*|intend\w*|hope\w*|want\w*|propos\w*|"
    r"offer\w*|seek\w*|urg\w*|press\w*|push\w*)\b",
    re.I,
)


UNCLEAR = "My sources don't say directly; here is what they report:"


def stance(question: Question, s: Scored) -> str:
    """A hedged yes/no lead for a yes/no question, only when the evidence is clear."""
    text = s.fact.text
    wanted = [t for t in question.terms if not t.startswith("e_")]
    hits = [m for m in WORD.finditer(text) if stem(fold(m.group(0))) in event_terms(question)]
    if not wanted or not hits:
        return UNCLEAR
    negated = [m for m in hits if _NEGATION.search(text[max(0, m.start() - 40) : m.start()])]
    if negated and len(negated) == len(hits):
        return "The sources suggest no:"  # every mention of what was asked is denied
    unsure = any(_UNSURE.search(text[max(0, m.start() - 40) : m.start()]) for m in hits)
    rest = "".join(
        " " if any(m.start() <= i < m.end() for m in hits) else c for i, c in enumerate(text)
    )
    if _NEGATION.search(rest) or unsure or s.coverage < 0.75:
        return UNCLEAR
    return "Reportedly yes:" if _HEDGED.search(text) else "The sources suggest yes:"
