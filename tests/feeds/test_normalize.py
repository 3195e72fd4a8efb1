"""Normalisation: canonical links, entry keys, plain text, dates, language."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.feeds.discovery import find_feed_links, looks_like_html
from bot.feeds.normalize import canonical_link, entry_key
from bot.feeds.parser import parse_feed
from bot.feeds.plaintext import html_to_text

NOW = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
FEED = "https://www.example.org/rss"


def test_canonical_link_drops_tracking_and_fragment():
    assert (
        canonical_link(
            "HTTPS://WWW.Example.ORG:443/a/b?id=7&utm_source=x&fbclid=1&gclid=2&mc_cid=3#frag"
        )
        == "https://www.example.org/a/b?id=7"
    )
    assert canonical_link("/news/1?at_medium=RSS&CMP=twt", FEED) == "https://www.example.org/news/1"
    assert canonical_link("http://example.org:8080") == "http://example.org:8080/"
    assert canonical_link("javascript:alert(1)") is None and canonical_link("") is None


def test_entry_key_precedence():
    assert (
        entry_key("https://x.org/1", "https://x.org/other", "T", "d", FEED)
        == "guid:https://x.org/1"
    )
    assert entry_key("1234", None, "T", "d", FEED) == "guid:www.example.org:1234"
    assert entry_key(None, "https://x.org/1", "T", "d", FEED) == "link:https://x.org/1"
    a = entry_key(None, None, "Title", "Mon", FEED)
    assert a.startswith("hash:") and a == entry_key(None, None, "Title", "Mon", FEED)
    assert a != entry_key(None, None, "Title", "Tue", FEED)


def test_html_to_text():
    html = (
        "<p>Talks in <b>Geneva</b>&nbsp;&amp; Abu&#160;Dhabi</p><script>var x = '<p>no</p>';</script>"
        "<style>p{}</style><ul><li>one</li><li>two</li></ul>Tail &lt;3"
    )
    assert html_to_text(html) == "Talks in Geneva & Abu Dhabi\n\none\n\ntwo\n\nTail <3"
    assert html_to_text("AT&T says   hi\n") == "AT&T says hi"
    assert html_to_text("a < b and c > d") == "a < b and c > d"
    assert html_to_text(None) == ""


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="uk">
  <title type="html">Нова &lt;b&gt;стрічка&lt;/b&gt;</title>
  <link href="https://news.example.ua/"/>
  <entry>
    <id>tag:news.example.ua,2026:1</id>
    <title>Переговори щодо Донбасу</title>
    <link rel="alternate" href="/a/1?utm_campaign=x"/>
    <updated>2026-01-31T22:00:00+02:00</updated>
    <content type="html">&lt;p&gt;Перший абзац.&lt;/p&gt;&lt;p&gt;Другий абзац.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>No date, no id, no link</title>
    <summary>Text only.</summary>
  </entry>
  <entry><summary></summary></entry>
</feed>""".encode()


def test_atom_entry_is_normalised():
    parsed = parse_feed(
        ATOM, {"content-type": "application/atom+xml"}, "https://news.example.ua/feed", NOW
    )
    assert parsed.title == "Нова стрічка" and parsed.language == "uk" and not parsed.bozo
    first, second = parsed.entries
    a = first.article
    assert a.entry_key == "guid:tag:news.example.ua,2026:1"
    assert a.url == "https://news.example.ua/a/1"
    assert a.published == datetime(2026, 1, 31, 20, 0, tzinfo=UTC) and not first.date_missing
    assert a.text == "Перший абзац.\n\nДругий абзац." and a.language == "uk"
    assert a.publisher == "Нова стрічка"
    b = second.article
    assert second.date_missing and b.published == NOW and b.entry_key.startswith("hash:")
    assert parsed.skipped == 1
    assert any("no usable date" in p for p in parsed.problems())


def test_publisher_falls_back_to_host():
    doc = b'<rss version="2.0"><channel><item><title>x</title><link>https://a.org/1</link></item></channel></rss>'
    parsed = parse_feed(doc, {}, "https://www.wire.example/rss", NOW)
    assert parsed.entries[0].article.publisher == "wire.example"


def test_future_dates_are_not_trusted():
    doc = (
        b'<rss version="2.0"><channel><title>T</title><item><title>x</title><link>https://a.org/1</link>'
        b"<pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item></channel></rss>"
    )
    entry = parse_feed(doc, {}, FEED, NOW).entries[0]
    assert entry.date_missing and entry.article.published == NOW


def test_autodiscovery_links():
    page = b"""<!DOCTYPE html><html><head><base href="https://site.example/news/">
    <link rel="alternate" type="application/atom+xml" href="atom.xml" title="Atom">
    <link rel="alternate" type="application/rss+xml" href="/rss.xml" title="RSS">
    <link rel="stylesheet" href="/s.css"></head><body>...</body></html>"""
    assert looks_like_html(page)
    assert not looks_like_html(b'<?xml version="1.0"?><rss version="2.0"></rss>', "text/html")
    assert find_feed_links(page, "https://site.example/") == [
        "https://site.example/rss.xml",
        "https://site.example/news/atom.xml",
    ]
    parsed = parse_feed(page, {"content-type": "text/html"}, "https://site.example/", NOW)
    assert parsed.is_html and parsed.feed_links[0] == "https://site.example/rss.xml"


def test_known_entries_are_counted_not_worked_out():
    full = parse_feed(ATOM, {}, "https://news.example.ua/feed", NOW)
    keys = frozenset(e.article.entry_key for e in full.entries)
    again = parse_feed(ATOM, {}, "https://news.example.ua/feed", NOW, known=keys)
    assert again.entries == [] and again.known == 2 and again.is_feed
    assert "the feed has no entries" not in again.problems()
    one = parse_feed(ATOM, {}, "https://news.example.ua/feed", NOW, known=frozenset(list(keys)[:1]))
    assert len(one.entries) == 1 and one.known == 1


# Anything a terminal acts on (tab and newline aside): ESC, BEL, CSI, OSC, NEL, DEL ...
TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\u009b31m\u009d8;;http://evil/\u009c\x7f\x85\x0b"


def _hostile_feed(raw: bool) -> bytes:
    """Control characters in every text field: raw (not well-formed XML, so feedparser's
    loose parser reads it) or as character references inside escaped HTML (the fast path)."""
    if raw:
        bad = ESCAPES
        html = f"&lt;p&gt;Shelling{bad} resumed&lt;/p&gt;"
    else:
        bad = "\u009b31m\u009d8;;x\u009c\u0085"  # C1: allowed characters in XML 1.0
        html = "&lt;p&gt;Shelling&amp;#27;]0;pwned&amp;#7; resumed&amp;#x1b;[2J&lt;/p&gt;"
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Wire{bad}</title><link>https://news.example.org/{bad}</link>"
        f"<item><guid>g1</guid><title>Port{bad} hit</title>"
        f"<link>https://news.example.org/a{bad}b</link><description>{html}</description>"
        f"<content:encoded xmlns:content='http://purl.org/rss/1.0/modules/content/'>{html}"
        "</content:encoded><pubDate>Sun, 01 Feb 2026 08:00:00 GMT</pubDate></item>"
        "</channel></rss>"
    ).encode()


def test_feed_text_carries_no_terminal_controls():
    for raw in (False, True):
        parsed = parse_feed(_hostile_feed(raw), {}, FEED, NOW)
        assert len(parsed.entries) == 1, (raw, parsed.bozo_reason)
        article = parsed.entries[0].article
        fields = {
            "feed title": parsed.title,
            "site": parsed.site_url or "",
            "problem": parsed.bozo_reason,
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "publisher": article.publisher,
            "url": article.url or "",
        }
        dirty = {k: v for k, v in fields.items() if TERMINAL_CONTROLS.search(v)}
        assert not dirty, (raw, dirty)
        assert article.title.startswith("Port") and article.title.endswith("hit")
        assert "Shelling" in article.summary and "resumed" in article.summary
    assert canonical_link("https://x.org/a\x1bb") == "https://x.org/a%1Bb"
    assert find_feed_links(
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/f\x1b.xml">'
        b'<link rel="alternate" type="application/rss+xml" href="http://u:p@x.org/f">',
        "https://x.org/",
    ) == ["https://x.org/f%1B.xml"]
