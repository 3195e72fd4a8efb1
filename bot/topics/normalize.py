"""Text folding shared by topic rules and the matcher, with a map back to the original text.

Folding = NFC, ``str.lower`` (Latin and Cyrillic alike), then a one-to-one character table:
every apostrophe variant becomes ``'``, every hyphen/dash and whitespace character becomes a
space, ``ё`` becomes ``е``; finally runs of spaces collapse to one. So "Слов’янськ",
"Словʼянськ" and "Слов'янськ" fold alike, and "three-way talks" / "three way talks" too.

``lower`` rather than ``casefold``: casefold turns "ß" into "ss", which changes offsets in
every German text and forces the slow path; instead a term with "ß" also gets an "ss" variant
(see ``rules.spelling_variants``). The few characters whose lower case is longer ("İ") or that
are invisible (soft hyphen, zero-width space: they fold to nothing) take a slower path that
keeps breakpoints, so any folded offset maps back to the original.

Offsets the matcher reports refer to the NFC form of the field (the same string as the input
for virtually all feed text).
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
_TABLE_CHARS = {chr(k): v for k, v in _TABLE.items() if chr(k) != v}
_TABLE_RE = re.compile("[" + re.escape("".join(_TABLE_CHARS)) + "]")


def _translate(text: str) -> str:
    """``text.translate(_TABLE)``, but much faster on non-ASCII text (str.translate walks a
    dict per character; here only the few table characters present are replaced)."""
    for ch in set(_TABLE_RE.findall(text)):
        text = text.replace(ch, _TABLE_CHARS[ch])
    return text


# Zero-width characters and soft hyphens would break words apart: they fold to nothing.
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_MULTI_SPACE = re.compile(r"  +")


def _irregular_chars() -> str:
    """Characters whose folding is not one character: lower-casing expansions ("İ" -> "i̇") and
    the invisible ones (soft hyphen, zero-width space ...) that fold to nothing."""
    found = set(_INVISIBLE)
    for code in range(0x20000):
        ch = chr(code)
        if len(ch.lower()) != 1 and not (0xD800 <= code <= 0xDFFF):
            found.add(ch)
    return "".join(sorted(found))


_IRREGULAR = re.compile("[" + re.escape(_irregular_chars()) + "]")


def fold_char(ch: str) -> str:
    """Fold one character (may return 0, 1 or more characters)."""
    if ch in _INVISIBLE:
        return ""
    return _translate(ch.lower())


@dataclass(frozen=True, slots=True)
class _Map:
    """Breakpoints from one folding step: output offset ``out[k]`` is input offset ``inp[k]``;
    between breakpoints both advance together."""

    out: tuple[int, ...]
    inp: tuple[int, ...]
    inp_len: int

    def back(self, pos: int) -> int:
        k = bisect_right(self.out, pos) - 1
        if k < 0:
            return min(pos, self.inp_len)
        return min(self.inp[k] + (pos - self.out[k]), self.inp_len)


@dataclass(frozen=True, slots=True)
class Folded:
    """A field's NFC text, its folded form, and the folded -> original offset map."""

    original: str
    folded: str
    _maps: tuple[_Map, ...] = ()  # applied last to first; empty = identity

    def to_original(self, pos: int) -> int:
        for step in reversed(self._maps):
            pos = step.back(pos)
        return pos


def fold(text: str) -> Folded:
    """Fold ``text`` for matching. Fast path (C-level string methods only) unless the text
    has characters that fold to more or fewer than one character, or runs of spaces."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    maps: list[_Map] = []
    if text.isascii() or _IRREGULAR.search(text) is None:
        cf = text.lower()
        if len(cf) != len(text):  # an expansion the table above does not know: be exact
            cf, step = _fold_per_char(text)
            maps.append(step)
        else:
            cf = _translate(cf)
    else:
        cf, step = _fold_irregular(text)
        maps.append(step)
    if "  " in cf:
        cf, step = _collapse_spaces(cf)
        maps.append(step)
    return Folded(text, cf, tuple(maps))


def _fold_irregular(text: str) -> tuple[str, _Map]:
    parts: list[str] = []
    out: list[int] = []
    inp: list[int] = []
    n = 0
    last = 0
    for m in _IRREGULAR.finditer(text):
        i = m.start()
        if i > last:
            seg = _translate(text[last:i].lower())
            parts.append(seg)
            n += len(seg)
        piece = fold_char(text[i])
        parts.append(piece)
        n += len(piece)
        out.append(n)
        inp.append(i + 1)
        last = i + 1
    seg = _translate(text[last:].lower())
    parts.append(seg)
    return "".join(parts), _Map(tuple(out), tuple(inp), len(text))


def _fold_per_char(text: str) -> tuple[str, _Map]:
    parts: list[str] = []
    out: list[int] = []
    inp: list[int] = []
    n = 0
    for i, ch in enumerate(text):
        piece = fold_char(ch)
        parts.append(piece)
        n += len(piece)
        if len(piece) != 1:
            out.append(n)
            inp.append(i + 1)
    return "".join(parts), _Map(tuple(out), tuple(inp), len(text))


def _collapse_spaces(cf: str) -> tuple[str, _Map]:
    parts: list[str] = []
    out: list[int] = []
    inp: list[int] = []
    last = 0
    n = 0
    for m in _MULTI_SPACE.finditer(cf):
        parts.append(cf[last : m.start() + 1])
        n += m.start() + 1 - last
        last = m.end()
        out.append(n)
        inp.append(last)
    parts.append(cf[last:])
    return "".join(parts), _Map(tuple(out), tuple(inp), len(cf))


def fold_phrase(text: str) -> str:
    """Fold a rule phrase (alias, context term or exclusion): as text, trimmed."""
    return fold(unicodedata.normalize("NFC", text)).folded.strip()


def is_word_char(ch: str) -> bool:
    return ch.isalnum()


# --- the scan form: what the matcher's automaton runs over ---
# Casefolded text in which every character that is not a letter or digit is a space, behind
# one leading space, so every word starts right after a space. Automaton keys are " " + the
# first word(s) of a term, so the automaton's root has one child and word starts come free.
# Hits are then verified on the folded text (apostrophes, hyphens and the rest intact).
_SCAN_BYTES = bytes(
    c if (0x61 <= c <= 0x7A or 0x30 <= c <= 0x39 or c >= 0x80) else 0x20 for c in range(256)
)
_SCAN_PUNCT = (
    "\u00a0’‘ʼ“”„‚«»‹›–—‐‑‒―−…•·´′″¡¿§¶°№\u2009\u202f\u2007\u2002\u2003\u2004\u2005"
    "\u2006\u2008\u200a\u2028\u2029\u205f\u3000\u1680\u2000\u2001\u0085"
    "©®™€£₴₽†×→►▶■▪●★"
)
_NONWORD = re.compile(r"[^\w ]|_")


@dataclass(frozen=True, slots=True)
class Scanned:
    """One field prepared for matching.

    ``scan[i + 1]`` corresponds to base offset ``i``; the base is the lower-cased NFC text
    (fast path: same offsets as the original) or the collapsed folded text (slow path: text
    whose folding changes its length, see :func:`fold`); :meth:`to_original` maps back.
    """

    original: str
    scan: str
    _cf: str | None = None  # fast path: lower-cased original, translated on demand
    _folded: str | None = None  # slow path: fully folded text
    _maps: tuple[_Map, ...] = ()

    def view(self, start: int, stop: int) -> str:
        """The folded text of base offsets ``start:stop``."""
        if self._folded is not None:
            return self._folded[start:stop]
        assert self._cf is not None
        return _translate(self._cf[start:stop])

    def to_original(self, pos: int) -> int:
        for step in reversed(self._maps):
            pos = step.back(pos)
        return pos


def scan_form(folded: str) -> str:
    """A folded phrase as the automaton sees it (letters and digits, single spaces)."""
    return " ".join(_NONWORD.sub(" ", folded).split())


def prepare(text: str) -> Scanned:
    """Prepare one field for the matcher (fast path: C-level string operations only)."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    cf = text.lower()
    if len(cf) == len(text) and (text.isascii() or not any(c in text for c in _INVISIBLE)):
        return Scanned(text, _scan_of(cf), _cf=cf)
    f = fold(text)
    return Scanned(text, _scan_of(f.folded), _folded=f.folded, _maps=f._maps)


def _scan_of(cf: str) -> str:
    """Casefolded text -> scan form, same length plus a space at either end."""
    scan = (
        cf.encode("utf-8", "surrogatepass").translate(_SCAN_BYTES).decode("utf-8", "surrogatepass")
    )
    if not scan.isascii():
        for ch in _SCAN_PUNCT:
            if ch in scan:
                scan = scan.replace(ch, " ")
        if "ё" in scan:
            scan = scan.replace("ё", "е")
    return f" {scan} "
