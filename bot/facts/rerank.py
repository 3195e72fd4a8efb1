"""Meaning-aware re-ranking and the decision to answer. Pure: values in, scored facts out.

Every candidate sentence gets a few signals, and one calibrated score combines them:

- ``coverage``: idf-weighted share of the question's terms in the sentence (exact terms, beat
  synonyms, the sentence's context), as ``ranking.score_facts`` computes it;
- ``soft``: the same share where a question word missing from the sentence still earns credit
  from its closest word in the sentence by meaning (WordLlama word vectors: "green-lit" ~
  "approved") or from elsewhere in the same article (a place named two sentences earlier), so
  no single word can veto an answer;
- ``dense``: cosine of the question's and the sentence's vectors (and ``dense_ctx`` with the
  sentence before it and the headline);
- ``entities``: share of the names asked about that the sentence or its article carry;
- ``evidence``: a value of the asked type is there (a date for "when", a figure for "how many").

The weights and the abstention threshold are fitted on the tuning half of the development set
(``bench/ask_fit.py`` writes ``calibration.json``); the held-out half checks them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from bot.facts.question import Question
from bot.facts.ranking import Scored, supported
from bot.facts.synonyms import SYNONYMS
from bot.facts.terms import STOPWORDS, words
from bot.meaning.model import dequantise, embed, embed_words
from bot.storage.facts import FactRow

FEATURES = (
    "coverage",
    "soft",
    "dense",
    "dense_ctx",
    "entities",
    "entities_own",
    "evidence",
    "heading",
    "supported",
    "lexical",
    "rank",
    "dense_rank",
    "lead",
)
WORD_SIM_FLOOR = 0.45  # below this, two words are unrelated
WORD_SIM_FULL = 0.85  # at or above this, a word stands in for the other fully
ARTICLE_CREDIT = 0.35  # a question word found only elsewhere in the article


@dataclass(frozen=True)
class Calibration:
    weights: dict[str, float]
    bias: float
    threshold: float

    def probability(self, signals: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(k, 0.0) * signals.get(k, 0.0) for k in FEATURES)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


DEFAULT = Calibration(
    weights={
        "coverage": 3.0,
        "soft": 3.0,
        "dense": 3.0,
        "dense_ctx": 1.0,
        "entities": 1.5,
        "entities_own": 0.5,
        "evidence": 2.0,
        "heading": -1.0,
        "supported": 1.0,
        "lexical": 1.0,
        "rank": 1.0,
        "dense_rank": 1.0,
        "lead": 0.0,
    },
    bias=-6.0,
    threshold=0.5,
)


@lru_cache(maxsize=1)
def calibration() -> Calibration:
    """The fitted calibration shipped beside this module (the default when absent)."""
    try:
        raw = resources.files("bot.facts").joinpath("calibration.json").read_text("utf-8")
    except (FileNotFoundError, OSError):
        return DEFAULT
    data = json.loads(raw)
    return Calibration(
        weights={k: float(v) for k, v in data["weights"].items()},
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
    )


@dataclass
class QuestionMeaning:
    vector: np.ndarray[Any, Any]
    words: dict[str, np.ndarray[Any, Any]]  # content term -> the typed word's vector


def question_meaning(question: Question) -> QuestionMeaning:
    vector = embed([question.text])[0]
    content = [t for t in question.terms if not t.startswith("e_")]
    pairs = list(zip(content, question.plain, strict=False))
    found = embed_words([w for _, w in pairs])
    vectors = {t: found[w] for t, w in pairs}
    return QuestionMeaning(vector, vectors)


@lru_cache(maxsize=20_000)
def _kept_words(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for w in words(text) if w not in STOPWORDS and len(w) > 2))


def _sentence_words(text: str) -> tuple[tuple[str, ...], np.ndarray[Any, Any]]:
    kept = _kept_words(text)
    if not kept:
        return kept, np.zeros((0, 256), dtype=np.float32)
    vectors = embed_words(list(kept))
    return kept, np.stack([vectors[w] for w in kept])


def prepare(facts: list[FactRow]) -> None:
    """Embed, in one batch, the words of ``facts`` not seen yet (``signals`` reads them)."""
    embed_words([w for f in facts for w in _kept_words(f.text)])


def _unit(v: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def fact_vector(fact: FactRow) -> np.ndarray[Any, Any]:
    if fact.vec:
        return _unit(dequantise([fact.vec])[0])
    return embed([fact.text])[0]


def signals(
    question: Question,
    meaning: QuestionMeaning,
    scored: Scored,
    w: dict[str, float],
    own: set[str],
    context: set[str],
    article_terms: set[str],
    previous: FactRow | None,
    headline_names: frozenset[str] = frozenset(),
) -> dict[str, float]:
    """The signals of one candidate (see the module docstring); ``add_ranks`` adds the
    ones that compare candidates."""
    fact = scored.fact
    context = context | headline_names
    total = sum(w.values()) or 1.0
    _, fact_words = _sentence_words(fact.text)
    got = 0.0
    for term, weight in w.items():
        if term in own:
            credit = 1.0
        elif any(alt in own for alt in SYNONYMS.get(term, ())):
            credit = 0.8
        elif term in context:
            credit = 0.6
        else:
            credit = 0.0
            vec = meaning.words.get(term)
            if vec is not None and len(fact_words):
                best = float(np.max(fact_words @ vec))
                span = (best - WORD_SIM_FLOOR) / (WORD_SIM_FULL - WORD_SIM_FLOOR)
                credit = 0.8 * min(1.0, max(0.0, span))
            if term in article_terms:
                credit = max(credit, ARTICLE_CREDIT)
        got += weight * credit
    fv = fact_vector(fact)
    dense = float(fv @ meaning.vector)
    ctx_vec = fv.copy()
    if previous is not None:
        ctx_vec = ctx_vec + 0.5 * fact_vector(previous)
    ctx_vec = _unit(ctx_vec + 0.3 * _headline_vector(fact.headline))
    dense_ctx = float(ctx_vec @ meaning.vector)
    asked = question.entity_terms
    if asked:
        in_own = sum(t in own for t in asked) / len(asked)
        anywhere = sum(t in own or t in context or t in article_terms for t in asked) / len(asked)
    else:
        in_own = anywhere = 1.0
    return {
        "coverage": scored.coverage,
        "soft": got / total,
        "dense": dense,
        "dense_ctx": dense_ctx,
        "entities": anywhere,
        "entities_own": in_own,
        "evidence": scored.evidence,
        "heading": 0.0 if fact.kind == "sentence" else 1.0,
        "supported": 1.0 if supported(question, scored) else 0.0,
        "lexical": scored.score,  # the word-level score (coverage + evidence)
        "lead": 1.0 if fact.position <= 2 else 0.0,
    }


def add_ranks(candidates: list[dict[str, float]]) -> None:
    """Signals relative to the other candidates, given in word-level order: that order's
    rank and the rank by meaning similarity, each as 1 / (1 + rank)."""
    by_dense = sorted(range(len(candidates)), key=lambda i: -candidates[i]["dense"])
    dense_rank = {i: r for r, i in enumerate(by_dense)}
    for i, sig in enumerate(candidates):
        sig["rank"] = 1.0 / (1.0 + i)
        sig["dense_rank"] = 1.0 / (1.0 + dense_rank[i])


@lru_cache(maxsize=5_000)
def _headline_vector(headline: str) -> np.ndarray[Any, Any]:
    return embed([headline or ""])[0]
