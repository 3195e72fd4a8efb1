"""OPML 2.0 feed lists in and out (the standard library; no DTDs, no entities).

``parse`` reads the outlines that carry an ``xmlUrl`` (at any depth: categories are folders),
refusing a document with a DOCTYPE or an entity declaration before any XML parser sees it (no
entity expansion, no external resources). ``serialise`` writes an OPML 2.0 document of feeds.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Literal

from bot.errors import UserFacingError

MAX_OPML_BYTES = 1024 * 1024
MAX_OPML_FEEDS = 200
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str = ""


Outcome = Literal["added", "already", "refused"]


@dataclass(frozen=True)
class ImportResult:
    """What became of one feed of an imported file."""

    url: str
    title: str
    outcome: Outcome
    reason: str = ""


def parse(data: bytes) -> list[OpmlFeed]:
    """The feeds of an OPML file, in document order, each URL once. UserFacingError if the file
    is not usable OPML (too large, a DTD or entities, not XML, no ``<opml>``, too many feeds)."""
    if len(data) > MAX_OPML_BYTES:
        raise UserFacingError(f"the OPML file is larger than {MAX_OPML_BYTES // 1024} KB")
    if _DECLARATION.search(data):
        raise UserFacingError("the OPML file declares a DTD or entities; refused for safety")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise UserFacingError(f"not an OPML file (the XML does not parse: {exc})") from exc
    if root.tag.rsplit("}", 1)[-1].lower() != "opml":
        raise UserFacingError(f"not an OPML file (its root element is <{root.tag}>)")
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    for outline in root.iter():
        if outline.tag.rsplit("}", 1)[-1] != "outline":
            continue
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url or url in seen:
            continue
        seen.add(url)
        title = (outline.get("title") or outline.get("text") or "").strip()
        feeds.append(OpmlFeed(url, title))
    if not feeds:
        raise UserFacingError("the OPML file lists no feeds (no outline with an xmlUrl)")
    if len(feeds) > MAX_OPML_FEEDS:
        raise UserFacingError(
            f"the OPML file lists {len(feeds)} feeds; at most {MAX_OPML_FEEDS} per import"
        )
    return feeds


def serialise(feeds: Iterable[OpmlFeed], *, title: str, now: datetime) -> bytes:
    """An OPML 2.0 document listing ``feeds`` (UTF-8, with an XML declaration)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        name = feed.title or feed.url
        ET.SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=feed.url)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
