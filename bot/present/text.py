"""Text rules shared by every surface: make feed text inert, clip it, pack whole lines.

One place for them, so Discord, the console and the CLI show feed text the same way:

- :func:`inert` - no mention can fire from feed text on Discord: a zero-width space after every
  ``@`` (``@everyone``, ``@here``, ``@user``) and after the ``<`` of ``<@..>``, ``<@&..>``,
  ``<#..>``, ``</..>``, ``<:..>``, ``<a:..>`` and ``<t:..>``. Still readable as written.
- :func:`clip` - at most ``limit`` characters, cut at a word boundary with an ellipsis.
- :func:`pack` - whole lines up to a limit, then "…and N more"; :func:`chunks` - whole lines over
  as many chunks as needed. A single line longer than the limit is clipped, never split.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

ZWSP = "\u200b"
ELLIPSIS = "…"
MORE = "…and {n} more"

_ANGLE_MENTION = re.compile(r"<(?=[@#:/]|a:|t:)")


def inert(text: str) -> str:
    """Text that can never mention anyone on Discord, shown (almost) as written."""
    text = (text or "").replace("@", "@" + ZWSP)
    return _ANGLE_MENTION.sub("<" + ZWSP, text)


def visible(text: str) -> str:
    """What :func:`inert` text reads as where nothing pings (a terminal)."""
    return text.replace(ZWSP, "")


def clip(text: str, limit: int) -> str:
    """``text`` if it fits, else cut (at a word boundary when one is near) with an ellipsis."""
    text = text or ""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[: max(0, limit)]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def one_line(text: str) -> str:
    """Runs of whitespace (newlines included) as one space."""
    return " ".join((text or "").split())


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def pack(lines: Iterable[str], limit: int, *, more: str = MORE, sep: str = "\n") -> str:
    """Whole lines joined up to ``limit`` characters; the last line says how many were left
    out. Empty lines stay (a blank line between blocks); a lone line too long is clipped."""
    items = list(lines)
    full = sep.join(items)
    if len(full) <= limit:
        return full
    reserve = len(more.format(n=len(items))) + len(sep)
    out: list[str] = []
    used = 0
    for line in items:
        cost = len(line) + (len(sep) if out else 0)
        if used + cost + reserve > limit:
            break
        out.append(line)
        used += cost
    if not out:
        out = [clip(items[0], limit - reserve)]
    out.append(more.format(n=len(items) - len(out)))
    return sep.join(out)


def chunks(lines: Sequence[str], limit: int, *, sep: str = "\n") -> list[str]:
    """Whole lines in as many chunks of at most ``limit`` characters as needed."""
    if limit < 1:
        raise ValueError("limit must be positive")
    out: list[str] = []
    current: list[str] = []
    size = 0
    for raw in lines:
        line = clip(raw, limit)
        extra = len(line) + (len(sep) if current else 0)
        if current and size + extra > limit:
            out.append(sep.join(current))
            current, size = [], 0
            extra = len(line)
        current.append(line)
        size += extra
    if current:
        out.append(sep.join(current))
    return out


_ONE_ERRORS = re.compile(r"\b1 consecutive errors\b")


def singular_counts(text: str) -> str:
    """'1 consecutive errors' (a feed's stored reason, written for any count) -> '1 consecutive
    error'."""
    return _ONE_ERRORS.sub("1 consecutive error", text)


_BARS = "▁▂▃▄▅▆▇█"


def sparkline(counts: Sequence[int]) -> str:
    """Counts as a text sparkline (``▁▃█▂``): the same in Discord and a terminal; a day with
    nothing is the lowest bar, the busiest day the highest."""
    if not counts:
        return ""
    top = max(counts)
    if top <= 0:
        return _BARS[0] * len(counts)
    return "".join(
        _BARS[0] if n <= 0 else _BARS[max(1, round(n / top * (len(_BARS) - 1)))] for n in counts
    )
