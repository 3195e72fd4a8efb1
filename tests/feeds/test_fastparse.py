"""The expat fast path gives the same articles as feedparser, and hands anything unusual
back to feedparser."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from bot.feeds import parser as parser_module
from bot.feeds import plaintext
from bot.feeds.fastparse import fast_parse
from bot.feeds.parser import ParsedFeed, parse_feed
from tests.conftest import shared_path

NOW = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
FEED = "https://news.example.org/rss"
HEADER_SETS = [
    {},
    {"content-type": "text/xml; charset=utf-8", "content-language": "de-DE"},
    {"content-type": "text/plain"},
]


def _both(body: bytes, headers: dict[str, str]) -> tuple[ParsedFeed, ParsedFeed]:
    fast = parse_feed(body, headers, FEED, NOW)
    slow = parse_feed(body, headers, FEED, NOW, slow_only=True)
    return fast, slow


def _assert_same(fast: ParsedFeed, slow: ParsedFeed, where: object) -> None:
    feed_fields = ("title", "site_url", "language", "version", "bozo", "skipped", "is_html")
    assert [getattr(fast, f) for f in feed_fields] == [getattr(slow, f) for f in feed_fields], where
    assert len(fast.entries) == len(slow.entries), where
    for mine, theirs in zip(fast.entries, slow.entries, strict=True):
        # Whole articles: key, canonical link, title, summary, body, dates, language, hash.
        assert mine == theirs, (where, mine.article.entry_key)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("headers", HEADER_SETS)
def test_real_captures_same_articles_either_way(headers: dict[str, str]):
    files = _files(shared_path("corpus", "feeds"))
    accepted = 0
    for path in files:
        body = path.read_bytes()
        if fast_parse(body, headers) is None:
            continue
        accepted += 1
        _assert_same(*_both(body, headers), path.name)
    # Most real news feeds are plain RSS/Atom and take the fast path.
    assert accepted >= len(files) * 0.7


@pytest.mark.parametrize("headers", HEADER_SETS)
def test_feedparser_suite_same_articles_either_way(headers: dict[str, str]):
    files = _files(shared_path("corpus", "feedparser-tests"))
    accepted = 0
    for path in files:
        body = path.read_bytes()
        if fast_parse(body, headers) is None:
            continue
        accepted += 1
        _assert_same(*_both(body, headers), path.name)
    assert accepted > 300


def _rss(items: str, head: str = "", decl: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return (
        f'{decl}<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" '
        f'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>News &amp; Views</title>'
        f"<link>https://news.example.org/</link><language>en-gb</language>{head}{items}"
        f"</channel></rss>"
    ).encode()


ITEMS = (
    "<item><title>Talks on security guarantees resume</title>"
    "<guid>https://news.example.org/a/1?utm_source=rss</guid>"
    "<description>&lt;p&gt;Delegations met in &lt;b&gt;Geneva&lt;/b&gt;.&lt;/p&gt;</description>"
    "<content:encoded><![CDATA[<p>Delegations met in Geneva.</p><p>More text.</p>]]></content:encoded>"
    "<pubDate>Sun, 01 Feb 2026 08:15:00 +0200</pubDate></item>"
    '<item><title>Opaque guid</title><guid isPermaLink="false">12345</guid>'
    "<link>https://news.example.org/a/2#top</link><dc:date>2026-01-31T22:00:00Z</dc:date>"
    "<media:description>Photo caption</media:description><description>Body</description></item>"
)


def test_plain_rss_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch):
    body = _rss(ITEMS)
    slow = parse_feed(body, {}, FEED, NOW, slow_only=True)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("feedparser must not run for a plain feed")

    monkeypatch.setattr(parser_module.feedparser, "parse", refuse)
    fast = parse_feed(body, {}, FEED, NOW)
    _assert_same(fast, slow, "plain rss")
    first, second = (e.article for e in fast.entries)
    assert first.url == "https://news.example.org/a/1"  # permalink guid is the link
    assert first.published == datetime(2026, 2, 1, 6, 15, tzinfo=UTC)
    # The body repeats the summary and goes on: the summary is dropped (normalisation's rule).
    assert first.body == "Delegations met in Geneva.\n\nMore text." and not first.summary
    assert second.entry_key == "guid:news.example.org:12345"
    assert second.url == "https://news.example.org/a/2"
    assert second.published == datetime(2026, 1, 31, 22, 0, tzinfo=UTC)
    assert fast.title == "News & Views" and fast.language == "en"


def test_atom_and_rdf_match_feedparser():
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="uk">'
        b'<title type="html">Kyiv &lt;i&gt;desk&lt;/i&gt;</title><link href="https://k.example/"/>'
        b"<entry><id>tag:k.example,2026:1</id><title>Donbas front</title>"
        b'<link rel="alternate" type="text/html" href="https://k.example/1"/>'
        b'<link rel="enclosure" href="https://k.example/1.jpg"/>'
        b"<updated>2026-01-30T10:00:00+02:00</updated><published>2026-01-30T09:00:00Z</published>"
        b'<summary type="text">Short.</summary><content type="html">&lt;p&gt;Long text.&lt;/p&gt;'
        b"</content></entry><entry><title>No link</title><id>urn:uuid:1</id>"
        b"<updated>2026-01-30T11:00:00Z</updated></entry></feed>"
    )
    rdf = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        b'<channel rdf:about="https://r.example/"><title>R</title><link>https://r.example/</link>'
        b'</channel><item rdf:about="https://r.example/1"><title>One</title>'
        b"<link>https://r.example/1</link><dc:date>2026-01-29T08:00:00+01:00</dc:date></item></rdf:RDF>"
    )
    for body in (atom, rdf):
        assert fast_parse(body, {}) is not None
        _assert_same(*_both(body, {}), body[:60])
    fast = parse_feed(atom, {}, FEED, NOW)
    assert [e.article.url for e in fast.entries] == ["https://k.example/1", None]
    assert fast.entries[0].article.language == "uk"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e "x">]><rss version="2.0"><channel>'
            b"<item><title>&e;</title></item></channel></rss>",
            id="doctype-entities",
        ),
        pytest.param(_rss("<item><title>Broken</title>"), id="malformed"),
        pytest.param(
            "\ufeff".encode("utf-16-le") + _rss(ITEMS).decode().encode("utf-16-le"), id="utf16"
        ),
        pytest.param(
            b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>T</title><id>x</id>'
            b'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi</p></div>'
            b"</content></entry></feed>",
            id="xhtml-content",
        ),
        pytest.param(
            b'<rss version="0.91"><channel><item><title>T</title></item></channel></rss>',
            id="rss091",
        ),
        pytest.param(b"<opml><body/></opml>", id="unknown-root"),
        pytest.param(
            b"<!--" + b"x" * 5000 + b'--><!DOCTYPE rss [<!ENTITY e "x">]><rss version="2.0">'
            b"<channel><item><title>&e;</title></item></channel></rss>",
            id="doctype-after-long-comment",
        ),
        pytest.param(_rss(""), id="no-entries"),
        pytest.param(
            _rss(ITEMS.replace("<title>Opaque", '<title xml:base="/x">Opaque')), id="xml-base"
        ),
        pytest.param(
            _rss(ITEMS, decl='<?xml version="1.0" encoding="utf-16"?>'), id="declared-utf16"
        ),
    ],
)
def test_unusual_documents_go_to_feedparser(body: bytes):
    assert fast_parse(body, {}) is None
    fast, slow = _both(body, {})
    _assert_same(fast, slow, "fallback")


def test_a_fast_path_crash_falls_back_to_feedparser(monkeypatch: pytest.MonkeyPatch):
    def crash(body: bytes, headers: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(parser_module, "fast_parse", crash)
    parsed = parse_feed(_rss(ITEMS), {}, FEED, NOW)
    assert len(parsed.entries) == 2 and not parsed.bozo


def test_header_charset_disagreeing_with_document_goes_to_feedparser():
    body = _rss(ITEMS.replace("Geneva", "Genève"))
    assert fast_parse(body, {"content-type": "application/rss+xml; charset=utf-8"}) is not None
    headers = {"content-type": "application/rss+xml; charset=iso-8859-1"}
    assert fast_parse(body, headers) is None
    assert parse_feed(body, headers, FEED, NOW).entries  # feedparser's reading, as before


def test_single_byte_encodings_read_like_feedparser():
    items = "<item><title>Переговори щодо Донбасу</title><link>https://u.example/1</link></item>"
    body = _rss(items, decl='<?xml version="1.0" encoding="windows-1251"?>')
    body = body.decode("utf-8").encode("cp1251")
    assert fast_parse(body, {}) is not None
    fast, slow = _both(body, {})
    _assert_same(fast, slow, "cp1251")
    assert fast.entries[0].article.title == "Переговори щодо Донбасу"
    assert feedparser.parse(body).entries[0].title == "Переговори щодо Донбасу"


EDGE_FRAGMENTS = [
    "<p>a &amp; b</p>",
    '<img alt="x &amp;amp; y" src=a>',
    "<P CLASS=x>T</P><br/>tail",
    '<a href="x>y">z</a>',
    "<p>&#39;q&#39; &nbsp;x</p>&amp",
    "<IMG ALT=hi><img alt=''>",
    "<ul><li>one</li><li>two</li></ul>",
]


def _html_parser_text(value: str) -> str:
    reader = plaintext._TextParser()
    reader.feed(value)
    reader.close()
    return plaintext.collapse("".join(reader.parts))


def test_plain_tag_reader_matches_html_parser():
    fragments = set(EDGE_FRAGMENTS)
    folder = shared_path("corpus", "feeds")
    for path in _files(folder):
        doc = fast_parse(path.read_bytes(), {})
        for entry in doc["entries"] if doc else ():
            fragments.add(entry.get("summary", ""))
            fragments.update(c["value"] for c in entry.get("content", ()))
    quick = 0
    for value in fragments:
        if "<" not in value or plaintext._plain_fragment_text(value) is None:
            continue
        quick += 1
        assert plaintext.html_to_text(value) == _html_parser_text(value), value[:200]
    assert quick > 500


@pytest.mark.parametrize(
    "value",
    ["<p>a</p><!-- c -->", "<script>x<y</script>b", "a < b <p>c</p>", "<p>x</p><![CDATA[y]]>"],
)
def test_unusual_markup_is_read_by_html_parser(value: str):
    assert plaintext._plain_fragment_text(value) is None
    assert plaintext.html_to_text(value) == _html_parser_text(value)
