"""Text folding shared by topic rules and the matcher, with a map back to the original text.

Folding = NFC, ``str.casefold`` (Latin and Cyrillic alike), then a one-to-one character table:
every apostrophe variant becomes ``'``, every hyphen/dash and whitespace character becomes a
space, ``ё`` becomes ``е``; finally runs of spaces collapse to one. So "Слов’янськ",
"Словʼянськ" and "Слов'янськ" fold alike, and "three-way talks" / "three way talks" too.

Offsets the matcher reports refer to the NFC form of the field (the same string as the input
for virtually all feed text). Casefolding can make the text longer ("ß" -> "ss"), collapsing
spaces shorter; :class:`Folded` keeps breakpoints so any folded offset maps back.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

APOSTROPHES = "'’ʼ‘`´ʹ′＇"
DASHES = "-‐‑‒–—―−﹣－"
_SPACES = "\t\n\r\v\f\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

_TABLE: dict[int, str] = {ord(c): "'" for c in APOSTROPHES}
_TABLE.update({ord(c): " " for c in DASHES})
_TABLE.update({ord(c): " " for c in _SPACES})
_TABLE[ord("ё")] = "е"
# Zero-width characters and soft hyphens would break words apart; they become a letter-less
# joiner only in the slow path (see ``_slow_fold``), so the fast path never sees them.
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_MULTI_SPACE = re.compile(r"  +")


def fold_char(ch: str) -> str:
    """Fold one character (may return 0, 1 or more characters)."""
    if ch in _INVISIBLE:
        return ""
    return ch.casefold().translate(_TABLE)


@dataclass(frozen=True, slots=True)
class Folded:
    """A field's NFC text, its folded form, and the folded -> original offset map."""

    original: str
    folded: str
    # Breakpoints: folded offset _fb[k] corresponds to original offset _ob[k]; between
    # breakpoints the two advance together. Empty = identity.
    _fb: tuple[int, ...] = ()
    _ob: tuple[int, ...] = ()

    def to_original(self, pos: int) -> int:
        if not self._fb:
            return pos
        k = bisect_right(self._fb, pos) - 1
        if k < 0:
            return pos
        return min(self._ob[k] + (pos - self._fb[k]), len(self.original))


def fold(text: str) -> Folded:
    """Fold ``text`` for matching (fast path when the folding keeps every offset)."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    cf = text.casefold()
    if len(cf) != len(text) or (not text.isascii() and any(c in _INVISIBLE for c in text)):
        return _slow_fold(text)
    cf = cf.translate(_TABLE)
    if "  " not in cf:
        return Folded(text, cf)
    # Only runs of spaces to collapse: breakpoints from a regex, no per-character loop.
    parts: list[str] = []
    fb: list[int] = []
    ob: list[int] = []
    last = 0
    out_len = 0
    for m in _MULTI_SPACE.finditer(cf):
        parts.append(cf[last : m.start() + 1])
        out_len += m.start() + 1 - last
        last = m.end()
        fb.append(out_len)
        ob.append(last)
    parts.append(cf[last:])
    return Folded(text, "".join(parts), tuple(fb), tuple(ob))


def _slow_fold(text: str) -> Folded:
    out: list[str] = []
    fb: list[int] = []
    ob: list[int] = []
    n = 0  # folded length so far
    prev_space = False
    for i, ch in enumerate(text):
        piece = fold_char(ch)
        if piece == " ":
            if prev_space:
                piece = ""
            prev_space = True
        elif piece:
            prev_space = piece.endswith(" ")
        if len(piece) != 1:
            out.append(piece)
            n += len(piece)
            fb.append(n)
            ob.append(i + 1)
            continue
        out.append(piece)
        n += 1
    return Folded(text, "".join(out), tuple(fb), tuple(ob))


def fold_phrase(text: str) -> str:
    """Fold a rule phrase (alias, context term or exclusion): as text, trimmed."""
    return fold(unicodedata.normalize("NFC", text)).folded.strip()


def is_word_char(ch: str) -> bool:
    return ch.isalnum()
