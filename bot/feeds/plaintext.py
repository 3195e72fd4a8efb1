"""Feed HTML -> plain text. beatwatch never renders feed HTML, so nothing is sanitised: we keep
the readable text only (script/style/template content dropped, entities unescaped, whitespace
collapsed, block elements separated by blank lines).

C0 and C1 control characters (ESC, BEL, CSI, OSC ...) never survive: feed text is printed to
terminals (`feeds check`, `alerts list`, `alerts deliver`, console mode), where they would
move the cursor, retitle the window or hide text. The whitespace ones become spaces.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_SPACE = re.compile(r"[ \t\r\f\v\x1c-\x1f\x85\u00a0\u200b]+")
# C0/C1 controls that are not whitespace (tab, newline, CR, VT, FF, FS-US and NEL are).
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
# In URLs: the same and VT/FF/FS-US/NEL (tab, newline and CR are dropped by urlsplit).
_URL_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINES = re.compile(r"\s*\n\s*")
_BLANKS = re.compile(r"\n{3,}")
_MARKUP = re.compile(r"<[A-Za-z!/?]|&[#A-Za-z0-9]+;?")
_SKIP = frozenset({"script", "style", "template", "noscript", "iframe", "object", "svg", "math"})
_BLOCK = frozenset(
    {
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
        "blockquote", "section", "article", "header", "footer", "figure", "figcaption", "pre",
        "hr", "dd", "dt", "dl", "aside", "nav", "main", "address", "center",
    }
)  # fmt: skip


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip_depth += 1
        elif tag in _BLOCK:
            self.parts.append("\n\n")
        elif tag == "img":
            alt = next((v for k, v in attrs if k == "alt" and v), None)
            if alt and not self.skip_depth:
                self.parts.append(f" {alt} ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n\n")
        elif tag == "img":
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.parts.append(data)


def quote_controls(url: str) -> str:
    """``url`` with control characters percent-encoded (UTF-8, as browsers do)."""
    return _URL_CONTROLS.sub(
        lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url.strip()
    )


def collapse(text: str) -> str:
    """Collapse runs of spaces; keep paragraph breaks as one blank line."""
    text = _SPACE.sub(" ", _CONTROLS.sub("", text))
    text = _LINES.sub("\n", text)
    text = text.replace("\n", "\n\n") if "\n" in text else text
    return _BLANKS.sub("\n\n", text).strip()


def one_line(text: str) -> str:
    return " ".join(_CONTROLS.sub("", text).split())


# A plain start or end tag: name, then quoted/unquoted attributes. Fragments made only of
# these (no comments, no script/style, no stray "<") are read by one regex pass instead of
# html.parser, with the same result (checked over the feed corpora in tests/feeds).
_PLAIN_TAG = re.compile(
    r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*"""
    r"""(?:\s*=\s*(?:"[^"<]*"|'[^'<]*'|[^\s"'=<>`]+))?)*)\s*(/?)>"""
)
_ALT = re.compile(r"""\salt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)


def _plain_fragment_text(value: str) -> str | None:
    """The text of a fragment of plain tags, or None when html.parser must read it."""
    parts: list[str] = []
    pos = 0
    for match in _PLAIN_TAG.finditer(value):
        start = match.start()
        if "<" in value[pos:start]:
            return None
        if start > pos:
            data = value[pos:start]
            parts.append(html.unescape(data) if "&" in data else data)
        pos = match.end()
        tag = match.group(2).lower()
        if tag in _SKIP:
            return None
        if tag in _BLOCK:
            parts.append("\n\n")
        elif tag == "img" and not match.group(1):
            alt = _ALT.search(match.group(3))
            text = next((g for g in alt.groups() if g is not None), "") if alt else ""
            if text:
                parts.append(f" {html.unescape(text)} ")
    if "<" in value[pos:]:
        return None
    data = value[pos:]
    parts.append(html.unescape(data) if "&" in data else data)
    return "".join(parts)


def html_to_text(value: str | None) -> str:
    """Readable text of an HTML fragment (or of plain text that may carry entities)."""
    if not value:
        return ""
    if not _MARKUP.search(value):
        return collapse(value)
    if "<" not in value:
        return collapse(html.unescape(value))
    quick = _plain_fragment_text(value)
    if quick is not None:
        return collapse(quick)
    parser = _TextParser()
    try:
        parser.feed(value)
        parser.close()
    except (AssertionError, ValueError):  # html.parser on hostile input; keep what it got
        pass
    return collapse("".join(parser.parts))
