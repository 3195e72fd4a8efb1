"""The compiled topic matcher (pure: topics in, matches out; no I/O).

One Aho-Corasick automaton holds the folded literal prefix of every term of every topic
(aliases, context terms, exclusions). Matching a field is: fold it once (see
:mod:`bot.topics.normalize`), run the automaton, and for each raw hit check the word
boundaries, the wildcard tail (a small anchored regex, only for terms with ``*``) and, for
acronyms, the exact case in the original text. Rules are then applied per topic:

1. every ``all_of`` group must have a hit somewhere in the article (any field);
2. an alias hit is dropped when one of the topic's ``none_of`` terms occurs in the same
   sentence of the same field (this includes an exclusion overlapping the hit, e.g.
   "Shakhtar Donetsk" around "Donetsk"; the title is one sentence);
3. of the surviving alias hits the best one (title before summary before body, then the
   earliest, then the longest) becomes the topic's :class:`~bot.models.Match`, with a snippet.

Concepts (parts that must meet in one sentence, see :mod:`bot.topics.rules`) put every
alternative of every part in the same automaton; after the scan, the sentences where all of
a concept's required parts hit and none of its ``-`` parts do become hits of the concept's
role (alias, context or exclusion), spanning its parts' words in that sentence.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace

import ahocorasick

from bot.errors import UserFacingError
from bot.models import Article, Match, MatchField, Topic
from bot.topics.normalize import Scanned, prepare, scan_form
from bot.topics.rules import (
    Concept,
    Term,
    is_concept,
    parse_concept,
    parse_term,
    spelling_variants,
)

log = logging.getLogger(__name__)

FIELDS: tuple[MatchField, ...] = ("title", "summary", "body")
SNIPPET_CHARS = 160

_ANY, _ALL, _NONE, _PART = 0, 1, 2, 3
MAX_CONCEPT_SPAN = 400  # a concept hit wider than this is reported at its first part's word
# A sentence ends at . ! ? … (not after a lone letter, as in "U.S.") followed by space, or at
# a line break; also at a full stop between a lower-case word and a capital with no space
# ("...Ukrainians.In his opinion": feeds and machine translations lose the space).
_SENTENCE_BREAK = re.compile(
    r"(?<!\b[^\W\d_])[.!?…][\"'”’»)\]]*\s|\n|(?<=[^\W\d_A-ZА-ЯІЇЄҐ]{2})\.(?=[A-ZА-ЯІЇЄҐ])"
)
_SPACE_RUN = re.compile(r"\s+")
_MARK = "\ue000"  # a private-use character standing in for "**" while whitespace is collapsed


_WORD, _PREFIX, _PHRASE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class _Pattern:
    term: Term
    topic: int  # index into Matcher.topics
    role: int  # _ANY, _ALL or _NONE
    group: int  # all_of group index (role _ALL)
    kind: int  # _WORD, _PREFIX or _PHRASE: how a key hit is verified
    probe: str = ""  # _PHRASE: its second word in scan form, a cheap check before the regex
    first_wild: bool = False  # _PHRASE: its first word ends with '*'
    ctx: tuple[int, int] = (-1, -1)  # (topic, group) for a context term, else never seen
    # _PART: (concept index into Matcher._concepts, part index) for every concept part this
    # term stands in: one pattern per distinct term, however many concepts share it.
    targets: tuple[tuple[int, int], ...] = ()
    required: tuple[tuple[int, int], ...] = ()  # (concept, bit of a required part it is)


class _KeyParts:
    """The concept part patterns sharing one automaton key, and the required parts they are
    (merged), so an article's key hits tell cheaply which concepts could still match."""

    __slots__ = ("anchors", "patterns", "required")

    def __init__(self, patterns: tuple[_Pattern, ...], anchors: frozenset[int]) -> None:
        self.patterns = patterns
        self.required = tuple({r for p in patterns for r in p.required})
        self.anchors = anchors  # concepts whose anchor part (their rarest-looking) is here


@dataclass(frozen=True, slots=True)
class _Concept:
    concept: Concept
    pattern: _Pattern  # what a hit of the whole concept reports (role, topic, group)
    required: tuple[int, ...]  # parts that must occur
    negated: tuple[int, ...]  # parts that must not
    need: int  # the bits of the required parts


def _pattern(
    term: Term, topic: int, role: int, group: int, targets: tuple[tuple[int, int], ...] = ()
) -> _Pattern:
    kind = _kind(term)
    ctx = (topic, group) if role == _ALL else (-1, -1)
    if kind != _PHRASE:
        return _Pattern(term, topic, role, group, kind, ctx=ctx, targets=targets)
    tokens = scan_form(term.folded.replace("*", "")).split(" ")
    first = term.folded.split(" ")[0]
    first_wild = "*" in first and len(scan_form(first.split("*")[0]).split(" ")) == 1
    probe = tokens[1] if len(tokens) > 1 else ""
    return _Pattern(term, topic, role, group, kind, probe, first_wild, ctx, targets)


def _shortest_key(concept: Concept, part: int) -> int:
    """The length of the shortest automaton key among a concept part's alternatives."""
    return min(
        len(v.scan_key.strip()) for t in concept.parts[part].terms for v in spelling_variants(t)
    )


def _concept_term(concept: Concept) -> Term:
    """A stand-in term naming a concept in matches (never scanned)."""
    return Term(
        text=concept.text,
        folded=concept.folded,
        key="",
        regex=re.compile(""),
        scan_key="",
        acronym=False,
        reach=0,
        right_word=False,
    )


def _kind(term: Term) -> int:
    body = term.folded[:-1] if term.folded.endswith("*") else term.folded
    if "*" in body or scan_form(body) != body or " " in body:
        return _PHRASE
    return _PREFIX if term.folded.endswith("*") else _WORD


@dataclass(frozen=True, slots=True)
class _Hit:
    field: int
    start: int  # folded offsets
    end: int
    pattern: _Pattern


class Matcher:
    """Topics compiled once; :meth:`match` is pure and safe to call from any thread."""

    def __init__(self, topics: Sequence[Topic], version: int = 0) -> None:
        self.topics: tuple[Topic, ...] = tuple(topics)
        self.version = version
        self._patterns: list[_Pattern] = []
        self._concepts: list[_Concept] = []
        # concept part terms, shared: (folded, case-checked text) -> (term, targets)
        self._parts: dict[tuple[str, str], tuple[Term, list[tuple[int, int]]]] = {}
        by_key: dict[str, list[int]] = {}
        for ti, topic in enumerate(self.topics):
            for text in topic.any_of:
                self._add(by_key, text, ti, _ANY, 0, "alias")
            for gi, group in enumerate(topic.all_of):
                for text in group:
                    self._add(by_key, text, ti, _ALL, gi, "context term")
            for text in topic.none_of:
                self._add(by_key, text, ti, _NONE, 0, "exclusion")
        for term, targets in self._parts.values():
            pattern = _pattern(term, -1, _PART, -1, tuple(targets))
            required = tuple(
                (ci, 1 << pi) for ci, pi in targets if pi in self._concepts[ci].required
            )
            pattern = replace(pattern, required=required)
            self._patterns.append(pattern)
            by_key.setdefault(term.scan_key, []).append(len(self._patterns) - 1)
        # Each concept's anchor: the required part whose shortest key is longest (long words
        # are rare words); an article without a key hit of it skips the concept at once.
        anchor: dict[int, int] = {}
        for ci, info in enumerate(self._concepts):
            anchor[ci] = max(info.required, key=lambda pi: _shortest_key(info.concept, pi))
        self._automaton: ahocorasick.Automaton | None = None
        if by_key:
            automaton = ahocorasick.Automaton()
            for key, ids in by_key.items():
                pats = tuple(self._patterns[i] for i in ids if self._patterns[i].role != _PART)
                parts = tuple(self._patterns[i] for i in ids if self._patterns[i].role == _PART)
                kp = None
                if parts:
                    anchors = frozenset(
                        ci for p in parts for ci, pi in p.targets if anchor.get(ci) == pi
                    )
                    kp = _KeyParts(parts, anchors)
                automaton.add_word(key, (len(key), pats, kp))
            automaton.make_automaton()
            self._automaton = automaton

    def _add(
        self, by_key: dict[str, list[int]], text: str, ti: int, role: int, group: int, what: str
    ) -> None:
        if is_concept(text):
            self._add_concept(by_key, text, ti, role, group, what)
            return
        try:
            term = parse_term(text, what)
        except UserFacingError as exc:
            # Stored rules were validated when added; a term that no longer validates is
            # skipped loudly rather than breaking matching for every topic.
            log.warning("event=topic_term_skipped topic=%s reason=%s", self.topics[ti].name, exc)
            return
        for variant in spelling_variants(term):
            self._patterns.append(_pattern(variant, ti, role, group))
            by_key.setdefault(variant.scan_key, []).append(len(self._patterns) - 1)

    def _add_concept(
        self, by_key: dict[str, list[int]], text: str, ti: int, role: int, group: int, what: str
    ) -> None:
        try:
            concept = parse_concept(text, what)
        except UserFacingError as exc:
            log.warning("event=topic_term_skipped topic=%s reason=%s", self.topics[ti].name, exc)
            return
        ci = len(self._concepts)
        ctx = (ti, group) if role == _ALL else (-1, -1)
        self._concepts.append(
            _Concept(
                concept,
                _Pattern(_concept_term(concept), ti, role, group, _PHRASE, ctx=ctx),
                tuple(i for i, p in enumerate(concept.parts) if not p.negated),
                tuple(i for i, p in enumerate(concept.parts) if p.negated),
                sum(1 << i for i, p in enumerate(concept.parts) if not p.negated),
            )
        )
        for pi, part in enumerate(concept.parts):
            for term in part.terms:
                for variant in spelling_variants(term):
                    key = (variant.folded, variant.text if variant.acronym else "")
                    entry = self._parts.setdefault(key, (variant, []))
                    if (ci, pi) not in entry[1]:
                        entry[1].append((ci, pi))

    # --- matching ---
    def match_article(self, article: Article) -> list[Match]:
        return self.match(article.title, article.summary, article.body)

    def match(self, title: str, summary: str = "", body: str = "") -> list[Match]:
        """One best :class:`Match` per matching topic, in topic order."""
        if self._automaton is None:
            return []
        folded: list[Scanned | None] = [None, None, None]
        hits: list[_Hit] = []  # alias and exclusion hits
        context: set[tuple[int, int]] = set()  # (topic, all_of group) seen
        raw: list[tuple[int, int, int, _KeyParts]] = []  # concept parts' key hits, unverified
        for fi, text in enumerate((title, summary, body)):
            if not text:
                continue
            f = prepare(text)
            folded[fi] = f
            self._scan(f, fi, hits, context, raw)
        if not hits and not raw:
            return []
        parts = self._verify_parts(raw, folded, context) if raw else []
        if parts:
            for hit in self._concept_hits(parts, folded, context):
                if hit.pattern.role == _ALL:
                    context.add(hit.pattern.ctx)
                else:
                    hits.append(hit)
        aliases: dict[int, list[_Hit]] = {}
        excluded: dict[tuple[int, int], list[_Hit]] = {}
        for hit in hits:
            p = hit.pattern
            if p.role == _ANY:
                aliases.setdefault(p.topic, []).append(hit)
            else:
                excluded.setdefault((p.topic, hit.field), []).append(hit)
        out: list[Match] = []
        for ti in sorted(aliases):
            topic = self.topics[ti]
            if any((ti, gi) not in context for gi in range(len(topic.all_of))):
                continue
            alive = [
                h
                for h in aliases[ti]
                if not _excluded(h, excluded.get((ti, h.field)), folded[h.field])
            ]
            if not alive:
                continue
            best = min(alive, key=lambda h: (h.field, h.start, h.start - h.end))
            where = folded[best.field]
            assert where is not None
            out.append(_build_match(topic, best, where, _count_distinct(alive)))
        return out

    def _verify_parts(
        self,
        raw: list[tuple[int, int, int, _KeyParts]],
        folded: list[Scanned | None],
        context: set[tuple[int, int]],
    ) -> list[_Hit]:
        """Verify the key hits of concept parts, only for concepts whose every required part
        had a key hit (most articles have none: common words like "talks" cost little)."""
        fired = {r[3] for r in raw}
        candidates: set[int] = set()
        for kp in fired:
            candidates.update(kp.anchors)
        if not candidates:
            return []
        seen: dict[int, int] = {}
        for kp in fired:
            for ci, bit in kp.required:
                if ci in candidates:
                    seen[ci] = seen.get(ci, 0) | bit
        concepts = self._concepts
        live = {
            ci
            for ci, bits in seen.items()
            if bits == concepts[ci].need and concepts[ci].pattern.ctx not in context
        }
        if not live:
            return []
        wanted: dict[_KeyParts, list[_Pattern]] = {}
        out: list[_Hit] = []
        for fi, start, last, kp in raw:
            todo = wanted.get(kp)
            if todo is None:
                todo = wanted[kp] = [
                    p for p in kp.patterns if any(ci in live for ci, _ in p.targets)
                ]
            for p in todo:
                f = folded[fi]
                assert f is not None
                end = _verify(p, f, start, last)
                if end >= 0:
                    out.append(_Hit(fi, start, end, p))
        return out

    def _concept_hits(
        self,
        parts: list[_Hit],
        folded: list[Scanned | None],
        context: set[tuple[int, int]],
    ) -> list[_Hit]:
        """Concept hits: sentences where every required part hit and no negated part did."""
        by_concept: dict[int, list[tuple[int, _Hit]]] = {}
        for hit in parts:
            for ci, pi in hit.pattern.targets:
                by_concept.setdefault(ci, []).append((pi, hit))
        breaks: dict[int, list[int]] = {}
        sentences: dict[tuple[int, int], int] = {}
        out: list[_Hit] = []
        for ci, found in by_concept.items():
            info = self._concepts[ci]
            if info.pattern.ctx in context:
                continue  # a context group already satisfied
            have = {pi for pi, _ in found}
            if any(pi not in have for pi in info.required):
                continue
            # (field, sentence) -> the hits of each part there
            where: dict[tuple[int, int], dict[int, list[_Hit]]] = {}
            for pi, hit in found:
                at = (hit.field, hit.start)
                sentence = sentences.get(at)
                if sentence is None:
                    f = folded[hit.field]
                    assert f is not None
                    sentence = sentences[at] = _sentence(f, hit.field, hit.start, breaks)
                where.setdefault((hit.field, sentence), {}).setdefault(pi, []).append(hit)
            for (fi, _), in_sentence in sorted(where.items()):
                if any(pi not in in_sentence for pi in info.required):
                    continue
                if any(pi in in_sentence for pi in info.negated):
                    continue
                words = [h for pi in info.required for h in in_sentence[pi]]
                start = min(h.start for h in words)
                end = max(h.end for h in words)
                if end - start > MAX_CONCEPT_SPAN:
                    first = min(words, key=lambda h: h.start)
                    start, end = first.start, first.end
                out.append(_Hit(fi, start, end, info.pattern))
        return out

    def _scan(
        self,
        f: Scanned,
        fi: int,
        hits: list[_Hit],
        context: set[tuple[int, int]],
        raw: list[tuple[int, int, int, _KeyParts]],
    ) -> None:
        assert self._automaton is not None
        scan = f.scan  # scan[i + 1] is base offset i; it starts and ends with a space
        n = len(scan)
        for last, (klen, pats, parts) in self._automaton.iter(scan):
            start = last - klen + 1  # the key's leading space = base offset of the word
            if parts:  # concept parts: verified later, only if their concept can still match
                raw.append((fi, start, last, parts))
            view = ""
            have = 0
            next_lit = next_wild = -1  # where the next word starts (computed on demand)
            for p in pats:
                if p.ctx in context:
                    continue  # this context group is already satisfied
                term = p.term
                if p.kind == _WORD:  # one plain word: the scan form decides
                    if scan[last] == " ":  # a short word keyed with its trailing space
                        end = last - 1
                    elif scan[last + 1].isalnum():
                        continue
                    else:
                        end = last
                elif p.kind == _PREFIX:  # one word with a trailing '*'
                    end = scan.find(" ", last + 1) - 1
                else:  # phrases and words with apostrophes, dots ...: verify on folded text
                    if p.probe:  # cheap first: the second word must follow the first
                        if p.first_wild:
                            if next_wild < 0:
                                next_wild = _next_word(scan, scan.find(" ", last + 1), n)
                            j = next_wild
                        else:
                            if next_lit < 0:
                                next_lit = _next_word(scan, last + 1, n)
                            j = next_lit
                        if not scan.startswith(p.probe, j):
                            continue
                    if term.reach > have:
                        view = f.view(start, start + term.reach)
                        have = term.reach
                    m = term.regex.match(view)
                    if m is None:
                        continue
                    end = m.end()
                    if term.right_word and end < len(view) and view[end].isalnum():
                        continue
                    end += start
                if term.acronym:
                    if f.original[f.to_original(start) : f.to_original(end)] != term.text:
                        continue
                if p.role == _ALL:
                    context.add(p.ctx)
                else:
                    hits.append(_Hit(fi, start, end, p))


def _verify(p: _Pattern, f: Scanned, start: int, last: int) -> int:
    """Where a key hit of ``p`` at ``start`` ends once verified (as in ``Matcher._scan``),
    or -1."""
    scan = f.scan
    term = p.term
    if p.kind == _WORD:
        if scan[last] == " ":
            end = last - 1
        elif scan[last + 1].isalnum():
            return -1
        else:
            end = last
    elif p.kind == _PREFIX:
        end = scan.find(" ", last + 1) - 1
    else:
        n = len(scan)
        if p.probe:
            j = (
                _next_word(scan, scan.find(" ", last + 1), n)
                if p.first_wild
                else _next_word(scan, last + 1, n)
            )
            if not scan.startswith(p.probe, j):
                return -1
        view = f.view(start, start + term.reach)
        m = term.regex.match(view)
        if m is None:
            return -1
        end = m.end()
        if term.right_word and end < len(view) and view[end].isalnum():
            return -1
        end += start
    if term.acronym and f.original[f.to_original(start) : f.to_original(end)] != term.text:
        return -1
    return end


def _sentence(f: Scanned, field: int, pos: int, cache: dict[int, list[int]]) -> int:
    """The index of the sentence of field ``field`` holding folded offset ``pos`` (the title
    is one sentence)."""
    if field == 0:
        return 0
    ends = cache.get(field)
    if ends is None:
        ends = cache[field] = [m.end() for m in _SENTENCE_BREAK.finditer(f.original)]
    return bisect_right(ends, f.to_original(pos))


def _next_word(scan: str, j: int, n: int) -> int:
    while j < n and scan[j] == " ":
        j += 1
    return j


def _count_distinct(hits: list[_Hit]) -> int:
    return len({(h.field, h.start, h.end) for h in hits})


def _excluded(hit: _Hit, exclusions: list[_Hit] | None, f: Scanned | None) -> bool:
    """True when an exclusion occurs in the same sentence as ``hit`` (same field)."""
    if not exclusions or f is None:
        return False
    for ex in exclusions:
        if ex.start < hit.end and hit.start < ex.end:
            return True
        lo = f.to_original(min(hit.end, ex.end))
        hi = f.to_original(max(hit.start, ex.start))
        if hit.field == 0 or not _SENTENCE_BREAK.search(f.original, lo, hi):
            return True
    return False


def _build_match(topic: Topic, hit: _Hit, f: Scanned, count: int) -> Match:
    start, end = f.to_original(hit.start), f.to_original(hit.end)
    # Trusted values built right here: skip pydantic validation on this hot path.
    return Match.model_construct(
        topic_id=topic.id,
        topic=topic.name,
        alias=hit.pattern.term.text,
        field=FIELDS[hit.field],
        snippet=make_snippet(f.original, start, end),
        start=start,
        end=end,
        matched_text=f.original[start:end],
        hits=count,
        guild_id=topic.guild_id,
        ping_role_id=topic.ping_role_id,
    )


def make_snippet(text: str, start: int, end: int, width: int = SNIPPET_CHARS) -> str:
    """About ``width`` characters around ``text[start:end]``, cut on word boundaries, with
    the hit marked ``**like this**`` and "…" where text was cut. Whitespace is collapsed."""
    room = max(0, width - (end - start))
    left = room // 2
    right = room - left
    lo = max(0, start - left)
    hi = min(len(text), end + right)
    if lo > 0:
        if text[lo - 1].isspace():
            pass
        else:
            space = _find_space(text, lo, start)
            lo = space + 1 if space is not None else start
    if hi < len(text) and not text[hi].isspace():
        space = _rfind_space(text, end, hi)
        hi = space if space is not None else end
    window = f"{text[lo:start]}{_MARK}{text[start:end]}{_MARK}{text[end:hi]}"
    window = _SPACE_RUN.sub(" ", window).strip().replace(_MARK, "**")
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    return f"{prefix}{window}{suffix}"


def _find_space(text: str, lo: int, limit: int) -> int | None:
    for i in range(lo, limit):
        if text[i].isspace():
            return i
    return None


def _rfind_space(text: str, limit: int, hi: int) -> int | None:
    for i in range(hi - 1, limit - 1, -1):
        if text[i].isspace():
            return i
    return None


def compile_matcher(topics: Sequence[Topic], version: int = 0) -> Matcher:
    return Matcher(topics, version)
