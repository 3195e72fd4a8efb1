"""A fast path for well-formed RSS 2.0, RSS 1.0 (RDF) and Atom 1.0: the C XML parser
(expat via :mod:`xml.etree.ElementTree`) instead of feedparser's per-element Python
callbacks, about ten times cheaper on a typical news feed.

:func:`fast_parse` returns what :func:`bot.feeds.parser.parse_feed` reads from feedparser
(``version``, ``feed`` title/link/language, ``entries`` shaped as feedparser entries: ``id``,
``link``, ``links``, ``title``/``title_detail``, ``summary``/``summary_detail``, ``content``,
``published``/``updated``/``created`` with their ``*_parsed`` struct_time), following
feedparser's own rules (guid as link when it is a permalink, a content value copied to the
summary when there is none, the same date parser, the same text clean-up), so normalisation
gives the same articles either way. It returns None for anything it does not model exactly,
and the caller falls back to feedparser: XML errors, a DOCTYPE or entities, xml:base, a BOM
other than UTF-8's, an encoding the HTTP header and the document disagree on (or a
multi-byte one other than UTF-8), an unknown root or RSS version, XHTML, base64 or
by-reference content, feed fields nested inside other elements (a media title is ignored
only under the entry's own non-empty title, as feedparser does), and feeds with no entries.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin

_ATOM = "http://www.w3.org/2005/Atom"
_RSS1 = "http://purl.org/rss/1.0/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_CHANNELS = {
    f"{{{_RSS1}}}channel": "rss10",
    "{http://my.netscape.com/rdf/simple/0.9/}channel": "rss090",
}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_RDF_ABOUT = f"{{{_RDF}}}about"

# feedparser's namespace URI -> prefix map (case-insensitive URIs, as feedparser matches them).
_PREFIXES: dict[str, str] = {k.lower(): v for k, v in _FeedParserMixin.namespaces.items()}

_XML_DECL = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)
_C1_CONTROLS = re.compile("[\x80-\x9f]")
_LINK_ENTITY = re.compile(r"&([A-Za-z0-9_]+);")
# Encodings expat reads the same way feedparser decodes them (single-byte tables + UTF-8).
_SAFE_ENCODINGS = frozenset(
    {"utf-8", "ascii", "iso8859-1", "iso8859-2", "iso8859-5", "iso8859-15", "koi8-r", "koi8-u"}
    | {f"cp125{n}" for n in range(9)}
)

# Names (feedparser's "prefix_local") that feed a field we read. Met anywhere we do not
# model them (nested, repeated, inside an ignored element) the feed goes to feedparser.
_SENSITIVE = frozenset(
    """title link id guid description summary content content_encoded pubdate published issued
    updated modified created lastbuilddate dc_date dc_title dc_description dc_language language
    dcterms_created dcterms_issued dcterms_modified media_title media_description itunes_summary
    abstract body xhtml_body fullitem image textinput source item entry info""".split()
)
_SENSITIVE_LOCAL = frozenset(name.rsplit("_", 1)[-1] for name in _SENSITIVE)
_DATES = {
    "pubdate": "published",
    "published": "published",
    "issued": "published",
    "dcterms_issued": "published",
    "updated": "updated",
    "modified": "updated",
    "dc_date": "updated",
    "dcterms_modified": "updated",
    "created": "created",
    "dcterms_created": "created",
}
# Names feeding the feed's own title/link/language (outside the handled direct children).
_HEAD_FIELDS = frozenset(
    "title link language dc_title dc_language media_title item entry image textinput".split()
)
_TYPE_NAMES = {"text": "text/plain", "plain": "text/plain", "html": "text/html"}
# Description-like elements -> their default content type when they become the summary.
_DESCRIPTIONS = {
    "description": "text/html",
    "dc_description": "text/html",
    "media_description": "text/html",
    "summary": "text/plain",
    "itunes_summary": "text/plain",
}
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


class Unsupported(Exception):
    """The document is outside what the fast path models; use feedparser."""


_XMLNS = re.compile(rb"""xmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*["']([^"']*)["']""")


class _Names:
    """feedparser's dispatch name for an ElementTree tag: '{dc-uri}Date' -> 'dc_date'.

    Known namespace URIs map to feedparser's prefixes; an unknown URI to the document's own
    prefix for it ('' when it is the default namespace), as feedparser does.
    """

    def __init__(self, body: bytes) -> None:
        self.cache: dict[str, str] = {}
        self.unknown: dict[str, set[str]] = {}
        for prefix, uri in _XMLNS.findall(body):
            key = uri.decode("utf-8", "replace")
            if key.lower() not in _PREFIXES:
                self.unknown.setdefault(key, set()).add(prefix.decode("ascii", "replace"))

    def __call__(self, tag: str) -> str:
        name = self.cache.get(tag)
        if name is None:
            name = self.cache[tag] = self._resolve(tag)
        return name

    def _resolve(self, tag: str) -> str:
        if tag[:1] != "{":
            return tag.lower()
        uri, _, local = tag[1:].partition("}")
        local = local.lower()
        prefix = _PREFIXES.get(uri.lower())
        if prefix is None:
            given = self.unknown.get(uri, set())
            if len(given) == 1:
                prefix = next(iter(given))
            elif local in _SENSITIVE_LOCAL:
                raise Unsupported(f"element {local} of an ambiguous namespace")
            else:
                return f"?_{local}"
        return f"{prefix}_{local}" if prefix else local


def _encoding(body: bytes, headers: Mapping[str, str]) -> str | None:
    """The document's encoding when expat and feedparser agree on it; else None."""
    if body[:2] in (b"\xff\xfe", b"\xfe\xff") or body[:4] in (
        b"\x00\x00\xfe\xff",
        b"\xff\xfe\x00\x00",
    ):
        return None
    declared = "utf-8"
    match = _XML_DECL.match(body.removeprefix(b"\xef\xbb\xbf").lstrip()[:200])
    if match:
        declared = match.group(1).decode("ascii")
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        return None
    if body[:3] == b"\xef\xbb\xbf" and name != "utf-8":
        return None
    charset = _CHARSET.search(headers.get("content-type", ""))
    if charset:
        try:
            if codecs.lookup(charset.group(1)).name != name:
                return None
        except LookupError:
            return None
    return name if name in _SAFE_ENCODINGS else None


class _Text:
    """feedparser's clean-up of a text value (strip, UTF-8 mojibake repair, cp1252 map)."""

    def __init__(self, encoding: str) -> None:
        self.utf8 = encoding == "utf-8"

    def __call__(self, element: ET.Element) -> str:
        if len(element):
            raise Unsupported("markup inside a text element")
        output = (element.text or "").strip()
        if output.isascii():
            return output
        if self.utf8:
            try:
                output = output.encode("iso-8859-1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                pass
        return output.translate(_cp1252) if _C1_CONTROLS.search(output) else output


def _lang(element: ET.Element, inherited: str | None) -> str | None:
    value = element.get(_XML_LANG, element.get("lang"))
    if value is None:
        return inherited
    return value or None


def _content_type(element: ET.Element, default: str) -> str:
    """feedparser's content type for a text element (its ``type`` attribute, mapped)."""
    if element.get("mode") is not None:
        raise Unsupported("mode attribute")
    kind = element.get("type", default).lower()
    kind = _TYPE_NAMES.get(kind, kind)
    if kind not in ("text/plain", "text/html"):
        raise Unsupported(f"content type {kind}")
    return kind


def _check_nested(element: ET.Element, names: _Names, titled: bool = False) -> None:
    for inner in element.iter():
        if inner is element:
            continue
        name = names(inner.tag)
        if name == "media_title" and titled:
            continue  # deeper than the entry's own non-empty title: feedparser ignores it
        if name in _SENSITIVE:
            raise Unsupported("feed field nested in another element")


def _entry(
    item: ET.Element, atom: bool, lang: str | None, text: _Text, names: _Names
) -> dict[str, Any]:
    lang = _lang(item, lang)
    entry: dict[str, Any] = {}
    links: list[dict[str, str]] = []
    has_content = False
    about = item.get(_RDF_ABOUT)
    if about:
        entry["id"] = about
    children = [(child, names(child.tag)) for child in item]
    # A media title never wins over the entry's own non-empty title (feedparser's title depth).
    titled = any(n in ("title", "dc_title") for _, n in children) and all(
        (c.text or "").strip() for c, n in children if n in ("title", "dc_title")
    )
    title_locked = False
    for child, name in children:
        if name in ("title", "dc_title"):
            if title_locked:
                continue  # feedparser keeps the first non-empty title of an entry
            kind = _content_type(child, "text/plain")
            entry["title"] = text(child)
            entry["title_detail"] = {"type": kind, "language": _lang(child, lang)}
            title_locked = bool(entry["title"])
        elif name in _DESCRIPTIONS:
            # feedparser: a second description-like element, before any content, is content.
            if "summary" in entry and not has_content:
                has_content = True
                kind = _content_type(child, "text/plain")
                entry.setdefault("content", []).append({"type": kind, "value": text(child)})
                continue
            kind = _content_type(child, _DESCRIPTIONS[name])
            entry["summary"] = text(child)
            entry["summary_detail"] = {"type": kind, "language": _lang(child, lang)}
        elif name in ("content", "content_encoded"):
            if child.get("src") is not None:
                raise Unsupported("content by reference")
            kind = _content_type(child, "text/plain" if name == "content" else "text/html")
            value = text(child)
            has_content = True
            entry.setdefault("content", []).append({"type": kind, "value": value})
            entry.setdefault("summary", value)
        elif name in ("language", "dc_language"):
            _check_nested(child, names)  # an entry's language element is not read
        elif name == "link":
            href = child.get("href")
            if href is None:
                if atom or child.get("rel") is not None or len(child):
                    raise Unsupported("link without href")
                value = text(child).replace("&amp;", "&")
                value = _LINK_ENTITY.sub(r"&\g<1>", value)
                entry["link"] = value
                links.append({"rel": "alternate", "type": "text/html", "href": value})
                continue
            if not href or len(child):
                raise Unsupported("empty link")
            rel = child.get("rel", "alternate")
            kind = child.get("type", "application/atom+xml" if rel == "self" else "text/html")
            kind = {
                "text": "text/plain",
                "html": "text/html",
                "xhtml": "application/xhtml+xml",
            }.get(kind.lower(), kind.lower())
            links.append({"rel": rel, "type": kind, "href": href})
            if rel == "alternate" and kind in _HTML_TYPES:
                entry["link"] = href
        elif name in ("guid", "id"):
            permalink = child.get("isPermaLink", child.get("ispermalink", "true")) == "true"
            value = text(child)
            entry["id"] = value
            if permalink:
                entry.setdefault("link", value)
        elif name in _DATES:
            field = _DATES[name]
            value = text(child)
            entry[field] = value
            entry[f"{field}_parsed"] = _parse_date(value)
        elif name == "source" and not len(child):
            continue  # RSS <source url="...">Outlet</source>: goes to the entry's source
        elif name == "media_title" and titled:
            _check_nested(child, names)  # the entry's own title wins over a media title
        elif name in _SENSITIVE:
            raise Unsupported(f"entry element {name}")
        else:
            _check_nested(child, names, titled)
    entry["links"] = links
    return entry


def fast_parse(body: bytes, headers: Mapping[str, str]) -> dict[str, Any] | None:
    """feedparser's result for a plain RSS 2.0 / RSS 1.0 / Atom feed; None to fall back."""
    encoding = _encoding(body, headers)
    if encoding is None:
        return None
    # Anywhere, not just in the prolog: a DOCTYPE after a long comment still declares entities.
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body or b"xml:base" in body:
        return None
    try:
        root = ET.fromstring(body)
        return _document(root, body, encoding, headers.get("content-language"))
    except (ET.ParseError, Unsupported, ValueError, LookupError):
        return None


def _document(
    root: ET.Element, body: bytes, encoding: str, base_lang: str | None
) -> dict[str, Any] | None:
    text = _Text(encoding)
    names = _Names(body)
    tag = names(root.tag)
    lang = _lang(root, base_lang)
    feed: dict[str, Any] = {}
    if lang:
        feed["language"] = lang.replace("_", "-")
    if tag == "rss":
        if not root.get("version", "").startswith("2."):
            return None
        version, atom = "rss20", False
        channels = [c for c in root if names(c.tag) == "channel"]
        if len(channels) != 1:
            return None
        channel = channels[0]
        items = [c for c in channel if names(c.tag) == "item"]
        head = [c for c in channel if names(c.tag) != "item"]
        if any(names(c.tag) == "item" for c in root if c is not channel):
            return None
    elif root.tag == f"{{{_RDF}}}RDF":
        channels = [c for c in root if names(c.tag) == "channel"]
        if len(channels) != 1 or channels[0].tag not in _RDF_CHANNELS:
            return None
        channel = channels[0]
        version, atom = _RDF_CHANNELS[channel.tag], False
        items = [c for c in root if names(c.tag) == "item"]
        head = list(channel)
        for other in root:
            if other is not channel and names(other.tag) != "item":
                _check_nested_all(other, names)
    elif root.tag == f"{{{_ATOM}}}feed":
        version, atom = "atom10", True
        channel = root
        items = [c for c in root if c.tag == f"{{{_ATOM}}}entry"]
        head = [c for c in root if c.tag != f"{{{_ATOM}}}entry"]
        if any(names(c.tag) in ("item", "entry") for c in head):
            return None
    else:
        return None
    if not items:
        return None
    titles = 0
    for child in head:
        name = names(child.tag)
        if name in ("title", "dc_title"):
            titles += 1
            if titles > 1 or name != "title":
                return None
            _content_type(child, "text/plain")
            feed["title"] = text(child)
        elif name == "link":
            href = child.get("href")
            if href is None:
                if child.get("rel") is not None:
                    return None
                feed["link"] = text(child)
            else:
                rel = child.get("rel", "alternate")
                kind = child.get("type", "application/atom+xml" if rel == "self" else "text/html")
                kind = {"html": "text/html", "xhtml": "application/xhtml+xml"}.get(kind, kind)
                if rel == "alternate" and kind in _HTML_TYPES:
                    feed["link"] = href
        elif name in ("language", "dc_language"):
            feed["language"] = text(child)
        elif name in ("image", "textinput", "item", "entry"):
            continue
        elif name in _HEAD_FIELDS:
            return None
        else:
            for inner in child.iter():
                if inner is not child and names(inner.tag) in _HEAD_FIELDS:
                    return None
    entries = [_entry(item, atom, _lang(channel, lang), text, names) for item in items]
    return {"version": version, "feed": feed, "entries": entries, "bozo": False}


def _check_nested_all(element: ET.Element, names: _Names) -> None:
    for inner in element.iter():
        if names(inner.tag) in ("item", "entry"):
            raise Unsupported("entry outside its place")
