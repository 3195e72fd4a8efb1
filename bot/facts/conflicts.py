"""Conflicts: differing figures of one kind among the facts that answer a question."""

from __future__ import annotations

import re

from bot.facts.evidence import OF_NAME, QTY_KINDS, best_quantity, same_subject, share_of
from bot.facts.labels import day_of, mention_at
from bot.facts.question import Question
from bot.facts.ranking import MIN_COVERAGE, Scored
from bot.models import Conflict, ConflictClaim
from bot.storage.facts import FactRow


def _qty_value(fact: FactRow, kinds: tuple[str, ...]) -> dict[str, object] | None:
    for x in fact.quantities:
        if x["kind"] in kinds and not x.get("approx"):
            return x
    return None


_KIND_LABELS = {
    "percent": "share (%)",
    "money": "amount",
    "count": "number",
    "distance": "distance",
    "duration": "duration",
}


def _related_share(
    question: Question, fact: FactRow, kinds: tuple[str, ...]
) -> tuple[dict[str, object] | None, str]:
    """A share of a part named in the sentence ("around 70% of Donetsk" in a sentence about
    Donbas) when the sentence gives no figure for the whole asked about. Shown in a conflict
    with its object ("... of Donetsk"), never as the answer itself."""
    asked = share_of(question)
    if not asked:
        return None, ""
    for name in asked:
        at = mention_at(fact.text, name)
        if at < 0 or re.search(r"\bof\s+(?:the\s+)?$", fact.text[:at]):
            return None, ""  # "nearly all of Luhansk": the sentence has its own words for it
    for x in fact.quantities:
        if x["kind"] not in kinds or x.get("approx"):
            continue
        text = str(x["text"])
        at = fact.text.find(text)
        of = OF_NAME.match(fact.text[at + len(text) :]) if at >= 0 else None
        if of and same_subject(question, fact.text, text):
            return x, f" of {of.group(1)}"
    return None, ""


def find_conflicts(question: Question, ranked: list[Scored]) -> list[Conflict]:
    """Differing figures of one kind among the facts that answer the question."""
    if not ranked:
        return []
    kinds = QTY_KINDS.get(question.qtype)
    best = ranked[0]
    if kinds is None:
        first = best.fact.quantities[0]["kind"] if best.fact.quantities else None
        if first not in ("percent", "money") or question.qtype not in ("what", "yesno"):
            return []
        kinds = (first,)
    floor = max(MIN_COVERAGE, 0.8 * best.coverage)
    claims: list[tuple[str, float, FactRow, str]] = []
    for s in ranked[:40]:
        if s.fact.kind != "sentence" or s.coverage < floor or not s.covered_entities:
            continue
        label = ""
        if question.qtype in QTY_KINDS:
            qty = best_quantity(question, s.fact)
            if qty is None:
                qty, label = _related_share(question, s.fact, kinds)
        else:
            qty = _qty_value(s.fact, kinds)
            if qty is not None and not same_subject(question, s.fact.text, str(qty["text"])):
                qty = None
        if qty is None or qty["kind"] not in kinds or qty.get("approx"):
            continue  # a share in words ("most of") is not a figure to set against others
        text = str(qty["text"]) + label
        claims.append((str(qty["unit"]), float(qty["value"]), s.fact, text))  # type: ignore[arg-type]
    if len(claims) < 2:
        return []
    unit = claims[0][0]
    same = [c for c in claims if c[0] == unit]
    values = {round(v, 6) for _, v, _, _ in same}
    if len(values) < 2:
        return []
    lo, hi = min(values), max(values)
    if hi - lo <= 0.05 * max(abs(hi), 1e-9):
        return []
    same.sort(key=lambda c: (c[2].published, c[2].article_id), reverse=True)
    seen: set[tuple[float, int]] = set()
    out: list[ConflictClaim] = []
    for _, value, fact, text in same:
        if (value, fact.article_id) in seen:
            continue
        seen.add((value, fact.article_id))
        out.append(
            ConflictClaim(
                value=text,
                quote=fact.text,
                publisher=fact.publisher,
                published=day_of(fact.published),
                article_id=fact.article_id,
                headline=fact.headline,
            )
        )
    kind = next(k for k in kinds if any(_qty_value(c[2], (k,)) for c in same))
    about = [w for w in [*question.entities, *question.plain] if w not in _KIND_LABELS]
    subject = f"{_KIND_LABELS.get(kind, kind)}: {', '.join(about) or question.text}"
    return [Conflict(subject=subject, claims=out[:6])]
