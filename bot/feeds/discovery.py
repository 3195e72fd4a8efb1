"""Feed autodiscovery: ``<link rel="alternate" type="application/rss+xml" href=...>`` in a web page."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from bot.feeds.plaintext import quote_controls

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/xml",
    "text/xml",
)
_PREFERENCE = {t: i for i, t in enumerate(FEED_TYPES)}
SNIFF_BYTES = 1024


class _LinkFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (type, href, title)
        self.base: str | None = None
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"]
        elif tag in ("link", "a"):
            rels = values.get("rel", "").lower().split()
            kind = values.get("type", "").lower().split(";")[0].strip()
            if "alternate" in rels and kind in _PREFERENCE and values.get("href"):
                self.links.append((kind, values["href"], values.get("title", "")))
        elif tag == "body" and self.links:
            self.done = True


def looks_like_html(body: bytes, content_type: str = "") -> bool:
    """True for a web page (not a feed), judged by Content-Type and the first bytes."""
    head = body[:SNIFF_BYTES].lstrip().lower()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:].lstrip()
    if head.startswith((b"<rss", b"<feed", b"<rdf", b"<?xml")):
        return b"<html" in head and b"<rss" not in head and b"<feed" not in head
    if head.startswith((b"<!doctype html", b"<html")):
        return True
    return "html" in content_type.lower() and b"<rss" not in head and b"<feed" not in head


def find_feed_links(body: bytes | str, base_url: str) -> list[str]:
    """Feed URLs announced by a web page, best first (RSS/Atom before generic XML)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    finder = _LinkFinder()
    try:
        finder.feed(text[:500_000])
        finder.close()
    except (AssertionError, ValueError):
        pass
    base = urljoin(base_url, finder.base) if finder.base else base_url
    ranked = sorted(enumerate(finder.links), key=lambda item: (_PREFERENCE[item[1][0]], item[0]))
    urls: list[str] = []
    for _, (_, href, _) in ranked:
        try:
            url = quote_controls(urljoin(base, href.strip()))
            credentials = "@" in urlsplit(url).netloc
        except ValueError:
            continue
        if credentials:  # never fetched (the guard refuses them), so never shown either
            continue
        if url.startswith(("http://", "https://")) and url not in urls:
            urls.append(url)
    return urls
