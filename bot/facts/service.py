"""``FactService``: ingest (seeds and any stored article), retrieval and answers.

``ask`` runs in a worker thread on its own read-only sqlite3 connection (one hop per question).
Retrieval never runs a bare OR over common words: it looks up each term's document frequency
(fts5vocab), runs AND-queries over the rarest terms first and relaxes them one term at a time,
caps every query (newest facts first), then re-ranks the few hundred candidates in Python.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from datetime import date, datetime
from pathlib import Path

from bot.clock import Clock, from_iso
from bot.facts.answer import abstain, compose
from bot.facts.disputes import WINDOW, report_claims
from bot.facts.entities import canonical
from bot.facts.ingest import ANALYSIS_VERSION, ingest_article, reanalyse_rows
from bot.facts.question import Question, analyse_question
from bot.facts.ranking import (
    Scored,
    fact_terms,
    required_entities,
    score_facts,
    title_entities,
    weights,
)
from bot.facts.rerank import add_ranks, calibration, prepare, question_meaning, signals
from bot.facts.synonyms import SYNONYMS
from bot.facts.terms import content_terms, entity_term
from bot.models import Answer, FactView
from bot.ops import counters
from bot.seeds import load_seed_articles
from bot.storage import articles as article_store
from bot.storage import facts as store
from bot.storage.database import Database

log = logging.getLogger(__name__)

QUERY_LIMIT = 100
CANDIDATE_CAP = 250
ENOUGH = 50
_DF_CACHE_SIZE = 50_000
RARE_SHARE = 0.05  # OR-query terms: held by at most this share of facts
OR_LIMIT = 100
ARTICLE_POOL = 8  # best articles whose every sentence is a candidate
LEAD = 3  # title and first sentences of each such article
NEIGHBOURS = 3  # sentences either side of a candidate in such an article
RERANK_CAP = 150
REANALYSE_BATCH = 50  # articles per write transaction when upgrading the analysis


class FactService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._df_cache: dict[str, int] = {}
        self._df_cache_total = -1
        self._conn: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()

    # --- ingest -------------------------------------------------------------------------------
    async def ingest_seeds(self, seeds_dir: Path) -> int:
        """Store the seed articles and their facts; a second run adds nothing. Then bring
        facts an older analysis produced up to date (start-up calls this)."""
        added = 0
        for article in load_seed_articles(seeds_dir):
            async with self._db.transaction() as tx:
                article_id, _ = await article_store.insert_article(tx, article)
                added += await ingest_article(tx, article_id, article, self._clock)
        if added:
            log.info("event=seed_facts_ingested facts=%s", added)
        await self.reanalyse_outdated()
        return added

    async def reanalyse_outdated(self) -> int:
        """Re-analyse articles whose facts an older ``ANALYSIS_VERSION`` produced, in batches
        (analysis in a worker thread, then one short write transaction per batch). Idempotent;
        one indexed query when nothing is outdated. Returns how many articles were redone."""
        reader = self._db.reader
        done = 0
        started = time.perf_counter()
        while ids := await store.outdated_articles(reader, ANALYSIS_VERSION, REANALYSE_BATCH):
            articles = await article_store.get_articles(reader, ids)
            first: dict[int, datetime] = {}
            for article_id in articles:
                added = await store.first_added(reader, article_id)
                first[article_id] = from_iso(added) if added else self._clock.now()
            rows = await asyncio.to_thread(reanalyse_rows, articles, first)
            async with self._db.transaction() as tx:
                for article_id in ids:
                    if (await store.analysis_version(tx, article_id) or 0) >= ANALYSIS_VERSION:
                        continue  # redone meanwhile
                    new = rows.get(article_id)
                    if new is not None:
                        await store.delete_facts(tx, article_id)
                        await store.insert_facts(tx, new)
                    await store.set_analysis_version(tx, article_id, ANALYSIS_VERSION)
            done += len(ids)
            log.info("event=facts_reanalysed articles=%s total=%s", len(ids), done)
        if done:
            log.info(
                "event=facts_upgraded articles=%s version=%s seconds=%.1f",
                done,
                ANALYSIS_VERSION,
                time.perf_counter() - started,
            )
        return done

    async def ingest_stored(self) -> int:
        """Ingest every stored article that has no facts yet (``beatwatch ingest``), then
        re-analyse outdated ones."""
        rows = await self._db.fetchall(
            "SELECT id FROM articles WHERE id NOT IN (SELECT DISTINCT article_id FROM facts) ORDER BY id"
        )
        added = 0
        for row in rows:
            async with self._db.transaction() as tx:
                article = await article_store.get_article(tx, int(row[0]))
                if article is not None:
                    added += await ingest_article(tx, int(row[0]), article, self._clock)
        await self.reanalyse_outdated()
        return added

    # --- retrieval ----------------------------------------------------------------------------
    def _reader(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = store.open_reader(Path(self._db.path))
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _frequencies(
        self, conn: sqlite3.Connection, terms: list[str]
    ) -> tuple[dict[str, int], int]:
        total = store.count_facts(conn)
        if total != self._df_cache_total or len(self._df_cache) > _DF_CACHE_SIZE:
            self._df_cache = {}
            self._df_cache_total = total
        missing = [t for t in terms if t not in self._df_cache]
        if missing:
            self._df_cache.update(store.doc_frequencies(conn, missing))
        return {t: self._df_cache[t] for t in terms}, total

    def _candidates(self, conn: sqlite3.Connection, present: list[list[str]]) -> list[int]:
        """AND over the rarest term groups (a term or its synonyms), relaxed one group at a
        time, plus each rare group alone."""
        ids: dict[int, None] = {}
        queries: list[list[list[str]]] = [present[:k] for k in range(len(present), 0, -1)]
        queries.extend([group] for group in present[1:3])
        if len(present) >= 3:
            queries.append([present[1], present[2]])
        for groups in queries:
            if len(ids) >= CANDIDATE_CAP:
                break
            ids.update(dict.fromkeys(store.match_ids(conn, store.fts_groups(groups), QUERY_LIMIT)))
            if len(groups) == len(present) and len(ids) >= ENOUGH:
                break
            if len(groups) >= 2 and len(ids) >= ENOUGH * 2:
                break
        return list(ids)[:CANDIDATE_CAP]

    def _groups(
        self, conn: sqlite3.Connection, terms: list[str]
    ) -> tuple[dict[str, list[str]], dict[str, int], int]:
        """Each question term with the synonyms the store holds (rare enough to be worth an OR),
        and each term's effective document frequency (its group's)."""
        alts = {t: [t] if t.startswith("e_") else [t, *SYNONYMS.get(t, ())] for t in terms}
        every = list(dict.fromkeys(a for group in alts.values() for a in group))
        df, total = self._frequencies(conn, every)
        groups: dict[str, list[str]] = {}
        for term, group in alts.items():
            own = df[term]
            ceiling = max(4 * own, 0.02 * total)
            extra = sorted((a for a in group[1:] if 0 < df[a] <= ceiling), key=lambda a: df[a])
            kept = ([term] if own > 0 else []) + extra[:4]
            if kept:
                groups[term] = kept
        effective = {t: sum(df[a] for a in groups.get(t, [])) for t in terms}
        return groups, effective, total

    async def ask(self, question: str) -> Answer:
        """Answer ``question`` from the store (never raises on odd input)."""
        started = time.perf_counter()
        async with self._lock:
            answer = await asyncio.to_thread(self._ask, question)
        counters.ASK_LATENCY.observe(time.perf_counter() - started)
        return answer

    def _ask(self, question: str) -> Answer:
        started = time.perf_counter()
        q = analyse_question(question)
        by_words = self.ask_by_words(q)
        if not by_words.abstained:
            log.debug("event=ask path=words ms=%.1f", (time.perf_counter() - started) * 1000)
            return by_words
        ranked, conn = self._rank(q)
        cal = calibration()
        if not ranked or ranked[0].score < cal.threshold:
            return abstain(q.text)
        # The sentence after the best one: "He has called such concessions ..." goes with it.
        following: dict[int, store.FactRow] = {}
        head = ranked[0].fact
        after = store.facts_at(conn, [(head.article_id, head.position + 1)])
        following = {head.id: after[0]} if after else {}
        before = store.facts_at(conn, [(head.article_id, head.position - 1)])
        previous = {head.id: before[0]} if before else {}
        # Sentences after the reported claims: where a denial of the report would be.
        claims = report_claims(ranked[:4])
        nearby = store.facts_at(
            conn, [(c.article_id, c.position + k) for c in claims for k in range(1, WINDOW + 1)]
        )
        answer = compose(q, ranked, following, nearby, decided=True, previous=previous)
        if not answer.abstained:
            confidence = min(answer.confidence, round(ranked[0].score, 2))
            answer = answer.model_copy(update={"confidence": confidence})
        log.debug(
            "event=ask path=meaning qtype=%s terms=%s candidates=%s abstained=%s ms=%.1f",
            q.qtype,
            len(q.terms),
            len(ranked),
            answer.abstained,
            (time.perf_counter() - started) * 1000,
        )
        return answer

    def ask_by_words(self, q: Question) -> Answer:
        """The word-level path: AND-queries relaxed, idf coverage and answer-type evidence,
        answered only when the best sentence covers the question's key content (``supported``).
        Precise on questions worded like the sources; ``_ask`` falls back to meaning."""
        if not q.text.strip() or not q.terms:
            return abstain(q.text)
        conn = self._reader()
        groups, df, total = self._groups(conn, q.terms)
        present = sorted(groups, key=lambda t: df[t])
        if total == 0 or not present:
            return abstain(q.text)
        w = weights(q, df, total)
        required = required_entities(q, df, total)
        # Cheap early abstention: the terms we hold cannot reach the coverage bar.
        if sum(w.get(t, 0.0) for t in present) / max(sum(w.values()), 1e-9) < 0.5:
            return abstain(q.text)
        facts = store.get_facts(conn, self._candidates(conn, [groups[t] for t in present]))
        # A heading or title points at the sentences under it.
        heads = [
            (f.article_id, f.position + k) for f in facts if f.kind != "sentence" for k in (1, 2)
        ]
        known = {f.id for f in facts}
        facts.extend(f for f in store.facts_at(conn, heads) if f.id not in known)
        ranked = score_facts(q, facts, w, required=required)
        # Second pass over the best few: the sentence before each resolves "it"/"the region".
        top = ranked[:30]
        places = [(s.fact.article_id, s.fact.position - 1) for s in top]
        by_place = {(f.article_id, f.position): f for f in store.facts_at(conn, places)}
        previous = {
            s.fact.id: by_place[(s.fact.article_id, s.fact.position - 1)]
            for s in top
            if (s.fact.article_id, s.fact.position - 1) in by_place
        }
        ranked = score_facts(q, [s.fact for s in top], w, previous, required) + ranked[30:]
        ranked.sort(key=lambda s: s.score, reverse=True)
        # The sentence after the best one: "He has called such concessions ..." goes with it.
        following: dict[int, store.FactRow] = {}
        if ranked:
            head = ranked[0].fact
            after = store.facts_at(conn, [(head.article_id, head.position + 1)])
            following = {head.id: after[0]} if after else {}
        # Sentences after the reported claims: where a denial of the report would be.
        claims = report_claims(ranked[:4])
        nearby = store.facts_at(
            conn, [(c.article_id, c.position + k) for c in claims for k in range(1, WINDOW + 1)]
        )
        answer = compose(q, ranked, following, nearby)
        return answer

    def _rank(self, q: Question) -> tuple[list[Scored], sqlite3.Connection]:
        """Candidates for ``q``, each scored with the calibrated probability that it answers
        it (``Scored.score``; ``coverage`` is the soft coverage), best first."""
        ranked, _ = self.rank_with_signals(q)
        return ranked, self._reader()

    def rank_with_signals(self, q: Question) -> tuple[list[Scored], list[dict[str, float]]]:
        """Lexical candidates (AND-queries relaxed, plus a BM25 OR over the rarer terms), the
        whole of the best articles around them, then meaning signals and one calibrated score
        (``bot.facts.rerank``). Also returns each candidate's signals (``bench/ask_fit.py``)."""
        if not q.text.strip() or not q.terms:
            return [], []
        conn = self._reader()
        groups, df, total = self._groups(conn, q.terms)
        present = sorted(groups, key=lambda t: df[t])
        if total == 0 or not present:
            return [], []
        w = weights(q, df, total)
        required = required_entities(q, df, total)
        ids = self._candidates(conn, [groups[t] for t in present])
        rare = [groups[t] for t in present if df[t] <= max(RARE_SHARE * total, 50)][:8]
        if rare:
            expression = " OR ".join(
                "(" + store.fts_query(g, "OR") + ")" if len(g) > 1 else store.fts_query(g)
                for g in rare
            )
            ids.extend(i for i in store.ranked_ids(conn, expression, OR_LIMIT) if i not in ids)
        facts = store.get_facts(conn, ids)
        first = score_facts(q, facts, w, required=required)
        articles = list(dict.fromkeys(s.fact.article_id for s in first[: ARTICLE_POOL * 4]))
        articles = articles[:ARTICLE_POOL]
        chosen = set(articles)
        # the neighbourhood of the best candidates in the best articles, and their leads
        places = {(a, p) for a in articles for p in range(LEAD)}
        for s in first[:40]:
            if s.fact.article_id in chosen:
                places.update(
                    (s.fact.article_id, s.fact.position + k)
                    for k in range(-NEIGHBOURS, NEIGHBOURS + 1)
                    if s.fact.position + k >= 0
                )
        known = {(f.article_id, f.position) for f in facts}
        around = store.facts_at(conn, sorted(places - known))
        # the second pass scores only the best of the first and the neighbourhood
        facts = [s.fact for s in first[:RERANK_CAP]] + around
        by_place = {(f.article_id, f.position): f for f in facts}
        missing = [
            (f.article_id, f.position - 1)
            for f in facts
            if f.position > 0 and (f.article_id, f.position - 1) not in by_place
        ]
        for f in store.facts_at(conn, missing[:400]):
            by_place[(f.article_id, f.position)] = f
        previous = {
            f.id: by_place[(f.article_id, f.position - 1)]
            for f in facts
            if (f.article_id, f.position - 1) in by_place
        }
        article_terms = store.article_terms(conn, articles)
        scored = score_facts(q, facts, w, previous, required)
        meaning = question_meaning(q)
        cal = calibration()
        out: list[tuple[Scored, dict[str, float]]] = []
        top = scored[:RERANK_CAP]
        prepare([s.fact for s in top])
        sigs = [
            signals(
                q,
                meaning,
                s,
                w,
                *fact_terms(s.fact, previous.get(s.fact.id)),
                article_terms.get(s.fact.article_id, set()),
                previous.get(s.fact.id),
                title_entities(s.fact.headline),
            )
            for s in top
        ]
        add_ranks(sigs)
        for s, sig in zip(top, sigs, strict=True):
            p = cal.probability(sig)
            out.append(
                (
                    Scored(s.fact, sig["soft"], s.evidence, p, sig["entities"] >= 1.0, s.phrase),
                    sig,
                )
            )
        out.sort(key=lambda x: (x[0].score, x[0].fact.published, -x[0].fact.position), reverse=True)
        return [s for s, _ in out], [sig for _, sig in out]

    # --- for digests and timelines ------------------------------------------------------------
    async def facts_since(self, since: datetime, limit: int = 50) -> list[FactView]:
        rows = await store.facts_added_since(self._db.reader, since, limit)
        return [_view(r) for r in rows]

    async def dated_facts(self, terms: list[str], limit: int = 100) -> list[FactView]:
        """Facts mentioning any of ``terms`` (names or words) that carry dates, oldest first."""
        index_terms: list[str] = []
        for term in terms:
            name = canonical(term)
            if name:
                index_terms.append(entity_term(name))
            else:
                words = content_terms(term)
                if words:
                    index_terms.append(" ".join(words))
        if not index_terms:
            return []
        parts = []
        for t in dict.fromkeys(index_terms):
            pieces = t.split()
            parts.append(
                "(" + store.fts_query(pieces, "AND") + ")"
                if len(pieces) > 1
                else store.fts_query(pieces)
            )
        expression = " OR ".join(parts)
        rows = await store.dated_facts_matching(self._db.reader, expression, limit)
        return [_view(r) for r in rows]


def _view(row: store.FactRow) -> FactView:
    return FactView(
        fact_id=row.id,
        article_id=row.article_id,
        text=row.text,
        headline=row.headline,
        publisher=row.publisher,
        published=from_iso(row.published),
        url=row.url,
        dates=[date.fromisoformat(d["date"]) for d in row.dates],
        date_precisions=[str(d.get("precision") or "day") for d in row.dates],
        added_at=from_iso(row.added_at),
    )
