"""The in-memory story index: pure, incremental, no I/O.

How an article finds its story (:meth:`StoryIndex.match`):

1. **Exact copies** join directly: same canonical URL (the same page scraped twice) or same
   content hash (the same wire copy), whatever the outlet and whatever their dates (copies
   are remembered past the time window, up to ``MAX_COPIES``).
2. **Candidates** come from an inverted index over each stored article's ``TOP_TERMS``
   highest-weighted terms; a stored article is a candidate when it shares at least two of
   the new article's top terms (one when the new article has very few terms). Only
   articles inside the time window (``window_seconds`` either side) count. That keeps the
   work per article to a few hundred sparse dot products however large the store.
3. **Similarity** is the cosine of TF-IDF vectors (1 + log tf, smoothed idf from a shipped
   background sample of news plus every article indexed so far) over headline + lead.
4. **Decision** (:func:`same_story`), tuned for precision (two different stories merged is
   worse than one pair missed): between outlets a cosine of 0.5 alone (0.62 for a bare
   headline), or 0.33 with a
   shared specific figure (a toll, an amount) and both headlines echoed in the other text;
   within one outlet 0.65 (its stories on one topic share its boilerplate); headlines with
   conflicting figures or names ("day 1,432" / "day 1,433", "attack on Kyiv" / "attack on
   Lviv") only as near-copies (0.8).
   Two more ways in, both needing the lexical cosine too (meaning is never enough alone):
   identical headlines from one site within the window; and headlines close in meaning
   (WordLlama vectors, :mod:`bot.meaning.model`: cosine >= ``MEANING_MIN``) published within
   ``MEANING_HOURS`` with a cosine of ``MEANING_COSINE``. Between outlets, articles more
   than ``FAR_HOURS`` apart need ``COSINE_FAR``. Names compare across demonyms ("Russia" /
   "Russian", "Belarus" / "Belarusian"); outlets compare without scheme and ``www.``.
5. **No chaining:** the article must also (nearly: ``ANCHOR_SLACK``) pass the rule against
   the story's first article, so A~B, B~C does not pull an unrelated C into A's story.

Document frequencies are updated as articles are added (``add``) and removed (``remove``);
a stored article's vector keeps the idf of the moment it was indexed (recomputing every
stored vector on each insert would cost O(N)); idf drifts slowly once a few hundred articles
are in, and the background sample keeps it sane before that.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from urllib.parse import urlsplit

import numpy as np

from bot.clock import utc
from bot.models import StoryDoc
from bot.storage.articles import content_hash
from bot.stories.features import Features, extract, headline_words

DEFAULT_WINDOW_HOURS = 72
BATCH_EVICT_EVERY = 1000
TOP_TERMS = 10
MAX_CANDIDATES = 400
MAX_POSTING_SCAN = 4000

# Decision thresholds (see same_story); measured on tests/stories/pairs.py and bench/stories.py.
COSINE_ALONE = 0.50  # different outlets: cosine enough on its own
SHORT_TERMS = 10  # an article with fewer distinct terms (a bare headline) is "short"
COSINE_ALONE_SHORT = 0.62  # ...and a bare headline needs more: few words, noisy cosine
COSINE_WITH_FIGURES = 0.33  # different outlets: enough when they share a specific figure
TITLE_COVER_MIN = 0.25  # ...and each headline's terms are partly in the other article
SAME_OUTLET_MIN = 0.65  # one outlet's own articles on one topic share its boilerplate
CONFLICT_MIN = 0.80  # headlines with conflicting figures or names: near-copies only
ANCHOR_MIN = 0.22  # a joining article must be this close to the story's first article
ANCHOR_SLACK = 0.10  # ...and pass the pair rule against it with this much slack
FAR_HOURS = 24.0  # different outlets further apart than this ...
COSINE_FAR = 0.65  # ... need this cosine (an event retold days later is rarely the same story)
MEANING_MIN = 0.75  # headlines this close in meaning ...
MEANING_COSINE = 0.40  # ... with this lexical cosine ...
MEANING_HOURS = 12.0  # ... published this close together are one story
CONTAINED_MIN = 0.50  # one site: a headline kept whole in the other's (an update) and this cosine
IDENTICAL_MIN_TERMS = 3  # identical headlines from one site join when they say this much
MAX_COPIES = 200_000  # URLs / content hashes remembered past the window (exact copies)

Key = Hashable


@dataclass(frozen=True, slots=True)
class DocFreq:
    """Background document frequencies (a sample of real news), shipped with the package."""

    n_docs: int
    df: dict[str, int]

    @classmethod
    def shipped(cls) -> DocFreq:
        try:
            text = (
                resources.files("bot.stories").joinpath("docfreq.txt").read_text(encoding="utf-8")
            )
        except (FileNotFoundError, OSError):
            return cls(0, {})
        return cls.parse(text)

    @classmethod
    def parse(cls, text: str) -> DocFreq:
        lines = text.splitlines()
        n_docs = 0
        df: dict[str, int] = {}
        for line in lines:
            if not line or line.startswith("#"):
                continue
            term, _, count = line.rpartition(" ")
            if term == "__docs__":
                n_docs = int(count)
            elif term:
                df[term] = int(count)
        return cls(n_docs, df)


@dataclass(slots=True)
class Doc:
    key: Key
    story: Key
    published: float
    outlet: str
    terms: tuple[str, ...]  # the vector, stored compactly: terms and their weights
    weights: array[float]
    lookup: dict[str, float] | None  # the vector as a dict while the doc is being matched
    top: tuple[str, ...]
    entities: frozenset[str]
    numbers: frozenset[str]
    title_numbers: frozenset[str]
    title_terms: frozenset[str]
    title_entities: frozenset[str]
    url: str | None
    content_hash: str | None
    vector: bytes | None = None  # the headline's meaning, int8 (see bot.meaning.model)
    headline_key: str = ""  # the headline's words, for "identical headline" (same site)


@dataclass(slots=True)
class StoryInfo:
    key: Key
    first: Key
    members: list[Key] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Match:
    story: Key
    doc: Key
    score: float
    via: str  # 'url' | 'hash' | 'similar'


class StoryIndex:
    """Articles within a time window, their stories, and the inverted index to find them."""

    def __init__(self, window_seconds: float, background: DocFreq | None = None) -> None:
        self.window = window_seconds
        self.background = background if background is not None else DocFreq.shipped()
        self.df: dict[str, int] = {}
        self.n_docs = 0
        self.docs: dict[Key, Doc] = {}
        self.stories: dict[Key, StoryInfo] = {}
        self.postings: dict[str, list[Key]] = {}
        self.by_url: dict[str, Key] = {}
        self.by_hash: dict[str, Key] = {}
        # Exact copies past the window: URL / content hash -> (article, story), oldest first.
        self.copies: dict[str, tuple[Key, Key]] = {}

    # --- weighting ---
    def idf(self, term: str) -> float:
        n = self.n_docs + self.background.n_docs
        d = self.df.get(term, 0) + self.background.df.get(term, 0)
        return math.log((n + 1) / (d + 1)) + 1.0

    def vectorise(self, feats: Features) -> dict[str, float]:
        """Unit-length TF-IDF weights: (1 + log tf) x idf."""
        vec = {t: (1.0 + math.log(c)) * self.idf(t) for t, c in feats.terms.items()}
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        return {t: w / norm for t, w in vec.items()}

    def title_cover(self, a: Doc, b: Doc) -> float:
        """The idf-weighted share of each headline's terms found in the other article (min)."""
        covers = []
        for x, y in ((a, b), (b, a)):
            if not x.title_terms:
                continue
            total = sum(self.idf(t) for t in x.title_terms)
            found = sum(self.idf(t) for t in x.title_terms if t in y.terms)
            covers.append(found / total if total else 0.0)
        return min(covers) if covers else 0.0

    # --- lookup ---
    def make_doc(
        self,
        key: Key,
        feats: Features,
        published: float,
        outlet: str,
        url: str | None = None,
        content_hash: str | None = None,
        vector: bytes | None = None,
    ) -> Doc:
        """``vector``: the headline's quantised meaning vector; computed here when None."""
        vec = self.vectorise(feats)
        if vector is None and feats.headline:
            vector = headline_vectors([feats.headline])[0]
        top = tuple(sorted(vec, key=lambda t: (-vec[t], t))[:TOP_TERMS])
        return Doc(
            key=key,
            story=key,
            published=published,
            outlet=normalise_outlet(outlet),
            terms=tuple(vec),
            weights=array("d", vec.values()),
            lookup=vec,
            top=top,
            entities=feats.entities,
            numbers=feats.numbers,
            title_numbers=feats.title_numbers,
            title_terms=feats.title_terms,
            title_entities=feats.title_entities,
            url=url,
            content_hash=content_hash,
            vector=vector,
            headline_key=headline_words(feats.headline)
            if len(feats.title_terms) >= IDENTICAL_MIN_TERMS
            else "",
        )

    def candidates(self, doc: Doc) -> list[Key]:
        counts: dict[Key, int] = {}
        for term in doc.top:
            posting = self.postings.get(term)
            if not posting:
                continue
            for other in posting[-MAX_POSTING_SCAN:]:
                counts[other] = counts.get(other, 0) + 1
        need = 2 if len(doc.top) >= 4 else 1
        docs = self.docs
        found = [k for k, c in counts.items() if c >= need and k != doc.key and k in docs]
        if len(found) > MAX_CANDIDATES:
            found.sort(key=lambda k: -counts[k])
            found = found[:MAX_CANDIDATES]
        return found

    def in_window(self, a: Doc, b: Doc) -> bool:
        return abs(a.published - b.published) <= self.window

    def match(self, doc: Doc) -> Match | None:
        """The story ``doc`` belongs to, or None when it starts a new one."""
        for index, value, via in (
            (self.by_url, doc.url, "url"),
            (self.by_hash, doc.content_hash, "hash"),
        ):
            if value and value in index:
                other = self.docs.get(index[value])
                if other is not None and other.key != doc.key:
                    return Match(other.story, other.key, 1.0, via)
            if value:
                copy = self.copies.get(f"{via}:{value}")
                if copy is not None and copy[0] != doc.key:
                    return Match(copy[1], copy[0], 1.0, via)
        passing: list[tuple[float, Doc]] = []
        for key in self.candidates(doc):
            other = self.docs[key]
            if not self.in_window(doc, other):
                continue
            cos = cosine(doc, other)
            if cos >= COSINE_WITH_FIGURES and self.same_story(doc, other, cos):
                passing.append((cos, other))
        passing.sort(key=lambda p: (-p[0], str(p[1].key)))
        for cos, other in passing:
            if self.anchored(doc, other):
                return Match(other.story, other.key, cos, "similar")
        return None

    def anchored(self, doc: Doc, member: Doc) -> bool:
        """No chaining: ``doc`` matched ``member``; it must also nearly pass the pair rule
        against the story's first article (within ``ANCHOR_SLACK`` of the cosine it needs)."""
        story = self.stories.get(member.story)
        if story is None or story.first == member.key:
            return True
        first = self.docs.get(story.first)
        if first is None:
            return True
        cos = cosine(doc, first)
        return cos >= ANCHOR_MIN and self.same_story(doc, first, cos + ANCHOR_SLACK)

    def same_story(self, a: Doc, b: Doc, cos: float) -> bool:
        if cos >= COSINE_ALONE or a.outlet == b.outlet:
            return same_story(cos, 0.0, a, b)
        return same_story(cos, self.title_cover(a, b), a, b)

    # --- mutation ---
    def count(self, terms: Iterable[str]) -> None:
        """Count one document's terms in the document frequencies (batch priming)."""
        for term in terms:
            self.df[term] = self.df.get(term, 0) + 1
        self.n_docs += 1

    def add(self, doc: Doc, story: Key | None = None, counted: bool = False) -> None:
        """Index ``doc`` as a member of ``story`` (a new story keyed by the doc when None).

        ``counted``: its terms are already in the document frequencies (see :meth:`count`).
        """
        if doc.key in self.docs:
            self.remove(doc.key)
        doc.story = doc.key if story is None else story
        info = self.stories.get(doc.story)
        if info is None:
            info = self.stories[doc.story] = StoryInfo(doc.story, doc.key)
        info.members.append(doc.key)
        doc.lookup = None  # stored: terms + weights only (a dict per article costs ~3x more)
        self.docs[doc.key] = doc
        if not counted:
            self.count(doc.terms)
        for term in doc.top:
            self.postings.setdefault(term, []).append(doc.key)
        if doc.url:
            self.by_url.setdefault(doc.url, doc.key)
            self._remember(f"url:{doc.url}", doc)
        if doc.content_hash:
            self.by_hash.setdefault(doc.content_hash, doc.key)
            self._remember(f"hash:{doc.content_hash}", doc)

    def _remember(self, key: str, doc: Doc) -> None:
        if key in self.copies:
            return
        self.copies[key] = (doc.key, doc.story)
        if len(self.copies) > MAX_COPIES:
            del self.copies[next(iter(self.copies))]

    def remove(self, key: Key, uncount: bool = True, evicted: bool = False) -> Doc | None:
        """Forget one article; ``uncount=False`` leaves document frequencies as they are.

        ``evicted``: it only left the window, so its URL and content hash stay remembered
        (an exact copy still joins its story); otherwise they are forgotten too.
        """
        doc = self.docs.pop(key, None)
        if doc is None:
            return None
        if not evicted:
            for copy_key in (f"url:{doc.url}", f"hash:{doc.content_hash}"):
                if self.copies.get(copy_key, (None,))[0] == key:
                    del self.copies[copy_key]
        if uncount:
            for term in doc.terms:
                left = self.df.get(term, 0) - 1
                if left > 0:
                    self.df[term] = left
                else:
                    self.df.pop(term, None)
            self.n_docs -= 1
        if doc.url and self.by_url.get(doc.url) == key:
            del self.by_url[doc.url]
        if doc.content_hash and self.by_hash.get(doc.content_hash) == key:
            del self.by_hash[doc.content_hash]
        info = self.stories.get(doc.story)
        if info is not None:
            if key in info.members:
                info.members.remove(key)
            if not info.members:
                del self.stories[doc.story]
            elif info.first == key:
                info.first = min(info.members, key=lambda k: self.docs[k].published)
        return doc

    def evict_before(
        self, cutoff: float, keep: set[Key] | None = None, uncount: bool = True
    ) -> int:
        """Forget articles published before ``cutoff`` (they can no longer match new ones)."""
        old = [
            k for k, d in self.docs.items() if d.published < cutoff and (not keep or k not in keep)
        ]
        for key in old:
            self.remove(key, uncount, evicted=True)
        if old:
            self.compact()
        return len(old)

    def compact(self) -> None:
        """Drop removed articles from the postings (``remove`` leaves them; lookups skip them)."""
        docs = self.docs
        for term in list(self.postings):
            live = [k for k in self.postings[term] if k in docs]
            if live:
                self.postings[term] = live
            else:
                del self.postings[term]


def cosine(a: Doc, b: Doc) -> float:
    """Dot product of two unit vectors (stored docs keep tuples; a query doc has a dict)."""
    if a.lookup is None and b.lookup is not None:
        a, b = b, a
    lookup = a.lookup if a.lookup is not None else dict(zip(a.terms, a.weights, strict=True))
    get = lookup.get
    return sum(w * get(t, 0.0) for t, w in zip(b.terms, b.weights, strict=True))


def normalise_outlet(outlet: str) -> str:
    """ "https://www.Example.org/feed" and "example.org" -> "example.org"; names casefolded."""
    name = outlet.casefold().strip()
    if "://" in name:
        name = urlsplit(name).hostname or name
    if name.startswith("www."):
        name = name[4:]
    return name


def headline_vectors(headlines: list[str]) -> list[bytes | None]:
    """Quantised meaning vectors of headlines (None each when the model is unavailable)."""
    try:
        from bot.meaning.model import embed, quantise  # noqa: PLC0415 - loaded on first use

        return list(quantise(embed(headlines)))
    except Exception:  # noqa: BLE001 - the meaning signal is optional; grouping goes on
        return [None] * len(headlines)


def meaning(a: Doc, b: Doc) -> float:
    """Cosine of the two headlines' meaning vectors (0 when either is missing)."""
    if a.vector is None or b.vector is None:
        return 0.0
    va = np.frombuffer(a.vector, dtype=np.int8).astype(np.float32)
    vb = np.frombuffer(b.vector, dtype=np.int8).astype(np.float32)
    return float(va @ vb) / (127.0 * 127.0)


def _forms(term: str) -> tuple[str, ...]:
    """A name and its country/demonym forms: "russian" <-> "russia", "belarusian" <->
    "belarus", "ukrainian" <-> "ukrain" (stemmed "Ukraine"), "venezuelan" <-> "venezuela"."""
    forms = [term, term + "n", term + "an", term + "ian"]
    if term.endswith("ian"):
        forms += [term[:-1], term[:-3]]
    elif term.endswith("an"):
        forms += [term[:-1], term[:-2]]
    return tuple(forms)


def _mentions(term: str, terms: Collection[str]) -> bool:
    return term in terms or any(f in terms for f in _forms(term)[1:])


def headline_contained(a: Doc, b: Doc) -> bool:
    """One headline's terms (at least ``IDENTICAL_MIN_TERMS + 1``) all in the other headline:
    "Russia accuses the West of X" / "Russia accuses the West of X as Kyiv does Y"."""
    small, large = sorted((a.title_terms, b.title_terms), key=len)
    return len(small) > IDENTICAL_MIN_TERMS and small <= large


def specific_figures(a: Doc, b: Doc) -> set[str]:
    """Figures both articles give that identify an event: not years, not single digits."""
    shared = set()
    for num in a.numbers & b.numbers:
        whole = num.split(".")[0]
        if len(whole) == 4 and whole.startswith(("19", "20")) and "." not in num:
            continue
        if len(whole) < 2 and "." not in num:
            continue
        shared.add(num)
    return shared


def conflicting(
    a_title: frozenset[str],
    b_all: Collection[str],
    b_title: frozenset[str],
    a_all: Collection[str],
) -> bool:
    """Each headline names something (a figure, a place, a person) the other article never
    mentions: "drone attack on Kyiv" / "drone attack on Lviv", "day 1,432" / "day 1,433"."""
    return any(t not in b_all for t in a_title) and any(t not in a_all for t in b_title)


def conflicting_names(a: Doc, b: Doc) -> bool:
    """:func:`conflicting` for the headlines' names, reading "Russia" and "Russian" as one
    name. One extra name in a bare headline (no text to say more) set against an article
    with a text is not a conflict: a short headline picks one name the other leaves out."""
    a_extra = [t for t in a.title_entities if not _mentions(t, b.terms)]
    b_extra = [t for t in b.title_entities if not _mentions(t, a.terms)]
    if not a_extra or not b_extra:
        return False
    a_bare, b_bare = len(a.terms) < SHORT_TERMS, len(b.terms) < SHORT_TERMS
    if a_bare != b_bare:
        extra = a_extra if a_bare else b_extra
        if len(extra) == 1:
            return False
    return True


def same_story(cos: float, title_cover: float, a: Doc, b: Doc) -> bool:
    """The decision for one pair (``a`` new, ``b`` stored; ``cos`` their cosine).

    - Each headline gives a figure, or a name, that the other article never mentions ("day
      1,432" / "day 1,433", "attack on Kyiv" / "attack on Lviv", "meets Trump" / "meets
      Macron"): only a near-copy joins; never, for figures, within one outlet (its series:
      "Daily Report 218" / "Daily Report 219"; its own copy of a page joins by URL or hash).
    - Same outlet: only a close rewrite joins (an outlet's stories on one topic share
      boilerplate, and its own update of a story usually keeps most of the text).
    - Different outlets: a cosine of ``COSINE_ALONE`` (``COSINE_ALONE_SHORT`` when one is a
      bare headline; ``COSINE_FAR`` when they are more than ``FAR_HOURS`` apart); or a lower
      cosine when the two share a specific figure (a toll, an amount, a count) and each
      headline is partly echoed in the other article.
    - Any outlets: identical headlines from one site; or headlines close in meaning
      (``MEANING_MIN``) within ``MEANING_HOURS`` and a cosine of ``MEANING_COSINE``.
    """
    same_outlet = bool(a.outlet) and a.outlet == b.outlet
    figures_conflict = conflicting(a.title_numbers, b.numbers, b.title_numbers, a.numbers)
    if same_outlet and figures_conflict:
        return False  # one outlet's series: "Daily Report 218/2020" / "Daily Report 219/2020"
    if figures_conflict or conflicting_names(a, b):
        return cos >= CONFLICT_MIN
    hours = abs(a.published - b.published) / 3600.0
    if same_outlet and a.headline_key and a.headline_key == b.headline_key:
        return True  # one site's identical headlines: the same page, re-issued
    if hours <= MEANING_HOURS and cos >= MEANING_COSINE and meaning(a, b) >= MEANING_MIN:
        return True
    if same_outlet:
        return cos >= SAME_OUTLET_MIN or (cos >= CONTAINED_MIN and headline_contained(a, b))
    short = len(a.terms) < SHORT_TERMS or len(b.terms) < SHORT_TERMS
    need = COSINE_ALONE_SHORT if short else COSINE_ALONE
    if hours > FAR_HOURS:
        need = max(need, COSINE_FAR)
    if cos >= need:
        return True
    return (
        hours <= FAR_HOURS
        and cos >= COSINE_WITH_FIGURES
        and title_cover >= TITLE_COVER_MIN
        and bool(specific_figures(a, b))
    )


def epoch(when: datetime) -> float:
    return utc(when).timestamp()


def group_articles(
    items: list[StoryDoc],
    window_hours: float = DEFAULT_WINDOW_HOURS,
    background: DocFreq | None = None,
) -> dict[str, str]:
    """Group ``items`` into stories: item id -> story key (the id of the story's first item).

    The same mechanism as :class:`bot.stories.service.StoryService`, without a database:
    items are taken in publication order (ties in input order); document frequencies are
    counted over the whole batch first, so idf reflects every item given.
    """
    index = StoryIndex(window_hours * 3600.0, background)
    feats = [extract(item.title, item.text) for item in items]
    vectors = headline_vectors([f.headline for f in feats]) if feats else []
    for f in feats:
        index.count(f.terms)
    order = sorted(range(len(items)), key=lambda i: (items[i].published, i))
    result: dict[str, str] = {}
    for n, i in enumerate(order):
        item = items[i]
        if item.id in result:
            continue
        if n and n % BATCH_EVICT_EVERY == 0:  # keep the index to the window (idf stays whole)
            index.evict_before(epoch(item.published) - index.window, uncount=False)
        doc = index.make_doc(
            item.id,
            feats[i],
            epoch(item.published),
            item.outlet,
            url=item.url or None,
            content_hash=content_hash(item.title, item.text),
            vector=vectors[i],
        )
        found = index.match(doc)
        index.add(doc, None if found is None else found.story, counted=True)
        result[item.id] = str(doc.story)
    return {item.id: result[item.id] for item in items}
