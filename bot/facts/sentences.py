"""Article text -> units (headings and sentences), boilerplate dropped.

The splitter knows abbreviations ("Aug.", "U.S.", "Dr.", "No. 5"), initials ("J. Smith"),
decimals, quotes and ellipses; short lines without final punctuation are headings; bullet
lines are sentences; share-button rows, "Comments"/"Post a Comment", URL slugs and the
"Related" tail are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

UnitKind = Literal["title", "heading", "sentence"]


@dataclass(frozen=True, slots=True)
class Unit:
    kind: UnitKind
    text: str
    section: str  # the heading this unit sits under ('' before the first heading)


_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st gen lt col maj capt sgt sen rep gov pres rev hon adm cmdr
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    inc co corp ltd llc plc bros vs etc approx dept est fig min max mt ft no nos vol art para
    e.g i.e a.m p.m u.s u.k u.n e.u u.s.a d.c""".split()
)
# A multi-dot abbreviation ("U.S.") still ends a sentence when one of these words follows it.
_STARTERS = frozenset(
    "The A An He She It They We I But And In On At This That These Those His Her Its Their "
    "However Meanwhile Yet So If When While After Before".split()
)
_BOUNDARY = re.compile(
    r"""([.!?…]+)(["'”’»)\]]*)(\s+)(?=["'“‘«(\[]?[A-ZА-ЯІЇЄҐ0-9])""",
)
_BULLET = re.compile(r"^\s*(?:[-–—•*·▪►]|\d{1,2}[.)])\s+")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+){2,}$")
_SHARE_WORDS = frozenset(
    "facebook x twitter linkedin bluesky whatsapp telegram reddit email e-mail print share "
    "copy link threads mastodon pinterest flipboard messenger viber tumblr".split()
)
_BOILERPLATE_LINE = re.compile(
    r"^(?:comments?|post a comment|leave a comment|\d+ comments?|advertisement|advert|"
    r"sponsored|read more|see also|more on this story|share this( article| story)?|"
    r"sign up.*newsletter.*|subscribe.*|follow us.*|image:.*|photo:.*|getty images|"
    r"this article was generated from .*|\(?except for the headline, this story has not been edited.*|"
    r"you may also like|recommended|most read|top stories)$",
    re.IGNORECASE,
)
_TAIL_MARKERS = re.compile(
    r"^(?:related|related articles|related stories|related content|read next|more stories|"
    r"more from .{1,40}|recommended for you|you might also like)$",
    re.IGNORECASE,
)
_FINAL_PUNCT = tuple(".!?…:;\"'”’»)")
_MAX_SENTENCE = 1200


def _is_share_row(line: str) -> bool:
    tokens = line.casefold().replace("|", " ").split()
    return bool(tokens) and all(t in _SHARE_WORDS for t in tokens) and len(tokens) >= 2


def _is_boilerplate(line: str) -> bool:
    return (
        bool(_BOILERPLATE_LINE.match(line) or _SLUG.match(line) or _is_share_row(line))
        or line.casefold() in _SHARE_WORDS
    )


def _prev_word(text: str, end: int) -> str:
    start = end
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(\"'“‘":
        start -= 1
    return text[start:end]


def _no_split(text: str, dot_at: int, punct: str, following: str) -> bool:
    if punct != ".":
        return False
    word = _prev_word(text, dot_at)
    bare = word.rstrip(".").casefold()
    if len(bare) == 1 and bare.isalpha() and word[:1].isupper():
        return True  # an initial: "J. Smith"
    if bare in _ABBREVIATIONS or bare.replace(".", "") in {"us", "uk", "un", "eu", "usa", "dc"}:
        if "." in bare or bare in {"us", "uk"}:  # "U.S." - split only before a sentence starter
            return following not in _STARTERS
        if bare == "no":
            return following[:1].isdigit()
        return True
    return False


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph (no newlines inside)."""
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(paragraph):
        following = paragraph[m.end() :].split(" ", 1)[0].strip("\"'“‘«([")
        if _no_split(paragraph, m.start(1), m.group(1), following):
            continue
        piece = paragraph[start : m.end(2)].strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = paragraph[start:].strip()
    if tail:
        out.append(tail)
    final: list[str] = []
    for s in out:
        while len(s) > _MAX_SENTENCE:
            cut = max(s.rfind("; ", 0, _MAX_SENTENCE), s.rfind(", ", 0, _MAX_SENTENCE))
            cut = cut if cut > 200 else _MAX_SENTENCE
            final.append(s[: cut + 1].strip())
            s = s[cut + 1 :].strip()
        if s:
            final.append(s)
    return final


def _is_heading(line: str) -> bool:
    words = line.split()
    if not words or len(words) > 16:
        return False
    if line.endswith("?") and len(words) <= 12:
        return True
    return not line.endswith(_FINAL_PUNCT)


def split_article(title: str, text: str) -> list[Unit]:
    """The article as units: its title, then headings and sentences in reading order."""
    units: list[Unit] = []
    clean_title = " ".join(title.split())
    if clean_title:
        units.append(Unit("title", clean_title, ""))
    section = ""
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    for index, line in enumerate(lines):
        if _TAIL_MARKERS.match(line):
            break
        if _is_boilerplate(line) or line == clean_title:
            continue
        bullet = _BULLET.match(line)
        if bullet:
            line = line[bullet.end() :].strip()
            if line:
                units.extend(Unit("sentence", s, section) for s in split_sentences(line))
            continue
        is_last = index == len(lines) - 1
        if _is_heading(line) and not is_last and len(line) > 1:
            section = line
            units.append(Unit("heading", line, section))
            continue
        units.extend(Unit("sentence", s, section) for s in split_sentences(line))
    return units
