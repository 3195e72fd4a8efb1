"""Names that only look alike: the Unicode confusable skeleton (UTS #39, section 4).

``Donbаs`` with a Cyrillic ``а``, ``Ｄｏｎｂａｓ`` in full-width letters and ``D0nbas`` with a zero
read as "Donbas" on screen. Two names are look-alikes when their :func:`lookalike_key` is the
same: NFKC (full-width and other compatibility forms), then every character replaced by its
prototype from Unicode's confusables table (``confusables.txt`` beside this module, UTS #39
data) as written (Greek ``Ε`` looks like ``E``, its lower case ``ε`` does not), then case folded
(the prototype of ``0`` is ``O``, so ``D0nbas`` is ``donbas``). Pure; the table is read once.
"""

from __future__ import annotations

import functools
import unicodedata
from importlib import resources


@functools.cache
def _prototypes() -> dict[str, str]:
    table: dict[str, str] = {}
    text = resources.files("bot.topics").joinpath("confusables.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        source, _, target = line.partition(";")
        table[chr(int(source, 16))] = "".join(chr(int(cp, 16)) for cp in target.split())
    return table


def skeleton(text: str) -> str:
    """UTS #39 ``skeleton(X)``: NFD, each character to its prototype, NFD again."""
    table = _prototypes()
    mapped = "".join(table.get(ch, ch) for ch in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


def lookalike_key(name: str) -> str:
    """Equal for names a reader cannot tell apart (case and compatibility forms included)."""
    return unicodedata.normalize("NFC", skeleton(unicodedata.normalize("NFKC", name)).casefold())


def differing_chars(name: str, other: str) -> list[str]:
    """The characters of ``name`` that ``other`` lacks, named ("'а' CYRILLIC SMALL LETTER A")."""
    theirs = set(unicodedata.normalize("NFC", other).casefold())
    found = []
    for ch in dict.fromkeys(unicodedata.normalize("NFC", name)):
        if ch.casefold() not in theirs and not ch.isspace():
            found.append(f"{ch!r} {unicodedata.name(ch, f'U+{ord(ch):04X}')}")
    return found
