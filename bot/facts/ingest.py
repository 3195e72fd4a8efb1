"""Article -> facts. ``analyse_article`` is pure (units + structure); ``ingest_article`` stores
them inside the caller's transaction. Idempotent: an article that has facts is left alone (``reanalyse_rows`` and
``FactService.reanalyse_outdated`` redo articles an older ``ANALYSIS_VERSION`` analysed)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.clock import Clock, to_iso
from bot.facts.attribution import find_attribution
from bot.facts.dates import DateRef, find_dates
from bot.facts.entities import Entity, find_entities
from bot.facts.quantities import Quantity, find_quantities
from bot.facts.roles import refers_back
from bot.facts.sentences import split_article
from bot.facts.terms import entity_term, index_text
from bot.meaning.model import embed, quantise
from bot.models import Article
from bot.storage import facts as store

log = logging.getLogger(__name__)

ANALYSIS_VERSION = 3
"""Bump whenever the analysis changes what is stored for a sentence (entities, quantities,
dates, attribution, index terms, vectors): start-up re-analyses articles an older version
analysed. 1: first release; 2: shares in words, coreference for "They" and "the <role>";
3: sentence vectors (bot.meaning), terms lemmatised by simplemma + Snowball."""

_PRONOUN = re.compile(r"^(?:He|She)\b")
_THEY = re.compile(r"^They\b")
RECENT = 3  # sentences a definite description ("the Kremlin aide") may look back over
_PRONOUN_SAID = re.compile(
    r"^(?:He|She)\s+(?:(?:has|had|have|also|later|then|previously|repeatedly|again|strongly|"
    r"firmly|flatly|publicly)\s+)*(?:said|says|told|called|described|criticised|criticized|"
    r"warned|insisted|argued|added|noted|stressed|rejected|denied|dismissed|declared|claimed|"
    r"accused|urged|wrote|posted)\b"
)


@dataclass(frozen=True, slots=True)
class AnalysedFact:
    position: int
    kind: str
    text: str
    section: str
    entities: list[Entity]
    context: list[str]
    quantities: list[Quantity]
    dates: list[DateRef]
    attribution: str | None
    terms: str


def analyse_text(
    text: str, published: datetime, *, heading: bool = False
) -> tuple[list[Entity], list[Quantity], list[DateRef], str | None]:
    """Structure of one sentence: entities, quantities, dates, attribution.

    Headings are Title Cased, so only known names are taken from them.
    """
    entities = find_entities(text, unknown=not heading)
    dates = find_dates(text, published.date())
    quantities = find_quantities(text, [(d.start, d.end) for d in dates])
    attribution = find_attribution(text, entities)
    return entities, quantities, dates, attribution


def _unique_names(entities: list[Entity]) -> list[str]:
    seen: dict[str, None] = {}
    for e in entities:
        seen.setdefault(e.name, None)
    return list(seen)


def analyse_article(article: Article) -> list[AnalysedFact]:
    out: list[AnalysedFact] = []
    heading_entities: list[str] = []
    previous: list[str] = []
    speaker: str | None = None  # the main person of the previous sentence (for "He"/"She")
    recent: list[tuple[str, list[Entity]]] = []  # earlier sentences of the section, newest first
    for position, unit in enumerate(split_article(article.title, article.text)):
        entities, quantities, dates, attribution = analyse_text(
            unit.text, article.published, heading=unit.kind != "sentence"
        )
        names = _unique_names(entities)
        if unit.kind != "sentence":
            heading_entities = names
            previous = []
        context = [n for n in dict.fromkeys([*heading_entities, *previous]) if n not in names]
        markers = [f"q_{kind}" for kind in dict.fromkeys(q.kind for q in quantities)]
        if dates:
            markers.append("q_date")
        implicit = speaker if unit.kind == "sentence" and _PRONOUN.match(unit.text) else None
        if implicit and implicit not in names:
            # "He has called such concessions unconstitutional": indexed under the person
            # named before; nothing is added to the sentence's text
            markers.append(entity_term(implicit))
            if attribution is None and _PRONOUN_SAID.match(unit.text):
                attribution = implicit
        if unit.kind == "sentence":
            attribution = _refer_back(unit.text, entities, names, recent, attribution, markers)
        if attribution:
            markers.append("q_said")
        out.append(
            AnalysedFact(
                position=position,
                kind=unit.kind,
                text=unit.text,
                section=unit.section,
                entities=entities,
                context=context,
                quantities=quantities,
                dates=dates,
                attribution=attribution,
                terms=index_text(unit.text, names, markers),
            )
        )
        if unit.kind == "sentence":
            previous = names
            recent = [(unit.text, entities), *recent[: RECENT - 1]]
            persons = [e.name for e in entities if e.type == "person"]
            speaker = (
                attribution
                if attribution in persons
                else (persons[0] if persons else (implicit if _PRONOUN.match(unit.text) else None))
            )
        else:
            speaker = None
            recent = []
    return out


def _refer_back(
    text: str,
    entities: list[Entity],
    names: list[str],
    recent: list[tuple[str, list[Entity]]],
    attribution: str | None,
    markers: list[str],
) -> str | None:
    """Coreference as implicit index entities (the quote is never changed): "They" -> the
    people (two or more) named in the sentence before; "the Kremlin aide",
    "the US envoy" -> the most recent person written with that role. A description that is
    the sentence's speaker becomes its attribution. Returns the (possibly resolved) attribution."""
    if not recent:
        return attribution
    if _THEY.match(text):
        # only a group of named people: an organisation named before is already the
        # sentence's context, and "They" after "Officials from X" means the officials
        people = _unique_names([e for e in recent[0][1] if e.type == "person"])
        for name in people if len(people) >= 2 else []:
            if name not in names:
                markers.append(entity_term(name))
        return attribution
    found = refers_back(text, recent)
    if found is None:
        return attribution
    name, (start, end) = found
    if name in names:
        return attribution
    markers.append(entity_term(name))
    inside = {e.name for e in entities if start <= e.start and e.end <= end}
    if attribution is None and start == 0 and _SAID_AFTER.match(text[end:]):
        return name
    described = text[start:end].casefold()
    if attribution is not None and (attribution in inside or attribution.casefold() in described):
        return name  # "The Kremlin aide said": not "Kremlin", not "the Kremlin aide"
    return attribution


_SAID_AFTER = re.compile(
    r"^\s+(?:(?:has|had|also|later|then|again)\s+)*(?:said|says|told|stated|confirmed|denied|"
    r"warned|added|noted|insisted|argued|claimed|declared|announced|wrote|posted)\b"
)


def fact_rows(article_id: int, article: Article, added_at: datetime) -> list[tuple[object, ...]]:
    """Values for ``storage.facts.insert_facts`` (FACT_COLUMNS order)."""
    published = to_iso(article.published)
    added = to_iso(added_at)
    rows: list[tuple[object, ...]] = []
    analysed = analyse_article(article)
    vectors = quantise(embed([f.text for f in analysed]))
    for fact, vector in zip(analysed, vectors, strict=True):
        entity_pairs = list({e.name: [e.name, e.type] for e in fact.entities}.values())
        first_date = min((d.day for d in fact.dates), default=None)
        rows.append(
            (
                article_id,
                fact.position,
                fact.kind,
                fact.text,
                fact.section,
                json.dumps(entity_pairs, ensure_ascii=False),
                json.dumps(fact.context, ensure_ascii=False),
                json.dumps([q.to_json() for q in fact.quantities], ensure_ascii=False),
                json.dumps([d.to_json() for d in fact.dates], ensure_ascii=False),
                first_date.isoformat() if first_date else None,
                fact.attribution,
                published,
                added,
                fact.terms,
                vector,
            )
        )
    return rows


async def ingest_article(
    tx: aiosqlite.Connection, article_id: int, article: Article, clock: Clock
) -> int:
    """Store the facts of an already-stored article (inside the caller's transaction).

    Returns how many facts were added; 0 if the article already has facts.
    """
    if await store.has_facts(tx, article_id):
        return 0
    # The analysis is CPU work (a few ms per article): a worker thread keeps the event loop
    # (other feeds' polls, Discord heartbeats) running meanwhile.
    rows = await asyncio.to_thread(fact_rows, article_id, article, clock.now())
    await store.insert_facts(tx, rows)
    await store.set_analysis_version(tx, article_id, ANALYSIS_VERSION)
    log.debug("event=facts_ingested article=%s facts=%s", article_id, len(rows))
    return len(rows)


def reanalyse_rows(
    articles: dict[int, Article], first_added: dict[int, datetime]
) -> dict[int, list[tuple[object, ...]] | None]:
    """Fact rows for articles being re-analysed, keeping when their facts were first stored
    (digests read ``added_at``). None for an article the analysis failed on (its facts stay)."""
    out: dict[int, list[tuple[object, ...]] | None] = {}
    for article_id, article in articles.items():
        try:
            out[article_id] = fact_rows(article_id, article, first_added[article_id])
        except Exception:  # one odd article must not stop an upgrade
            log.exception("event=facts_reanalyse_failed article=%s", article_id)
            out[article_id] = None
    return out
