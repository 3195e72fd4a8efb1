"""Feed entry -> :class:`bot.models.Article`: canonical link, stable entry key, plain text,
UTC dates (missing -> first-seen), language.

Entry key precedence (as miniflux's adapter): the entry's guid/id, else its canonical link,
else a hash of title + date. Opaque guids ("1234") are scoped by the feed's host so two
publishers' numbering cannot collide; URL-like guids and links are global, so the same story
carried by two feeds of one outlet is stored once. A repost with a new timestamp keeps its
guid/link and therefore its key: it is not new.
"""

from __future__ import annotations

import calendar
import hashlib
import time
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bot.feeds.plaintext import html_to_text, one_line, quote_controls
from bot.models import Article
from bot.storage.articles import content_hash

MAX_TITLE = 500
MAX_SUMMARY = 5_000
MAX_BODY = 100_000
FUTURE_SLACK = timedelta(days=2)
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)

_TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_")
_TRACKING_NAMES = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "yclid",
        "igshid", "_ga", "_gl", "_hsenc", "_hsmi", "ref_src", "ref", "cmp", "cmpid", "ocid", "ito",
        "smid", "smtyp", "ncid", "s_cid", "spm", "rss", "feed", "feedname", "xtor", "mkt_tok",
        "oly_enc_id", "oly_anon_id", "vero_id", "wt_mc", "wt.mc_id", "sr_share", "taid", "traffic_source",
    }
)  # fmt: skip


def canonical_link(url: str | None, base: str | None = None) -> str | None:
    """Absolute http(s) link without tracking parameters or fragment, host lower-cased."""
    if not url:
        return None
    url = quote_controls(url)
    # An absolute http(s) link needs no join (urljoin would give it back unchanged).
    if base and not url[:8].lower().startswith(("http://", "https://")):
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = ""
    if parts.query:
        kept = [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not (k.lower().startswith(_TRACKING_PREFIXES) or k.lower() in _TRACKING_NAMES)
        ]
        query = urlencode(kept, doseq=True)
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


def _looks_global(value: str) -> bool:
    low = value[:12].lower()
    return low.startswith(("http://", "https://", "tag:", "urn:"))


def entry_key(guid: str | None, link: str | None, title: str, date_text: str, feed_url: str) -> str:
    if guid:
        guid = guid.strip()
    if guid:
        if _looks_global(guid):
            return f"guid:{guid[:1000]}"
        host = urlsplit(feed_url).hostname or feed_url
        return f"guid:{host}:{guid[:1000]}"
    if link:
        return f"link:{link[:1000]}"
    digest = hashlib.sha256(f"{feed_url}\x1f{title}\x1f{date_text}".encode()).hexdigest()
    return f"hash:{digest[:40]}"


def language_tag(value: Any) -> str | None:
    """'en-US' -> 'en'; None when absent or not a language tag."""
    if not isinstance(value, str):
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    if 2 <= len(primary) <= 3 and primary.isalpha():
        return primary
    return None


def _struct_to_dt(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _text(detail: Mapping[str, Any] | None, value: Any) -> str:
    if not isinstance(value, str):
        return ""
    kind = str((detail or {}).get("type", "")) if isinstance(detail, Mapping) else ""
    if kind == "text/plain" and "<" not in value and "&" not in value:
        return one_line(value) if "\n" not in value else html_to_text(value)
    return html_to_text(value)


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ", limit - 200)
    return (cut[:space] if space > 0 else cut).rstrip() + "…"


@dataclass(frozen=True)
class NormalizedEntry:
    article: Article
    date_missing: bool
    content_hash: str = ""  # articles.content_hash, computed off the event loop


@dataclass(frozen=True)
class KnownEntry:
    """An entry whose key the caller already knows: its text was not worked out."""

    key: str


def _dates(entry: Mapping[str, Any], first_seen: datetime) -> tuple[datetime, str, bool]:
    """(published, the date text used in hash keys, date missing)."""
    published = None
    date_text = ""
    for field in ("published_parsed", "updated_parsed", "created_parsed"):
        published = _struct_to_dt(entry.get(field))
        if published is not None:
            date_text = str(entry.get(field.removesuffix("_parsed")) or published.isoformat())
            break
    date_missing = published is None
    if published is None or published < EARLIEST or published > first_seen + FUTURE_SLACK:
        published = first_seen
        date_missing = True
    return published, date_text, date_missing


def normalize_entry(
    entry: Mapping[str, Any],
    *,
    feed_url: str,
    publisher: str,
    feed_language: str | None,
    first_seen: datetime,
    known: AbstractSet[str] = frozenset(),
) -> NormalizedEntry | KnownEntry | None:
    """One feedparser entry as an Article; None when it has nothing readable.

    Entries whose key is in ``known`` come back as :class:`KnownEntry` without the costly
    part (HTML to text, hashing): a changed feed usually brings one new entry among fifty.
    """
    base = entry.get("link") if isinstance(entry.get("link"), str) else None
    link = canonical_link(base, feed_url) if base else None
    if link is None:
        for candidate in entry.get("links") or ():
            href = candidate.get("href") if isinstance(candidate, Mapping) else None
            if href and candidate.get("rel", "alternate") == "alternate":
                link = canonical_link(href, feed_url)
                if link:
                    break

    title = one_line(_text(entry.get("title_detail"), entry.get("title")))
    guid = entry.get("id") if isinstance(entry.get("id"), str) else None
    published, date_text, date_missing = _dates(entry, first_seen)
    if title and known:
        early = entry_key(guid, link, title, date_text, feed_url)
        if early in known:
            return KnownEntry(early)

    summary = _text(entry.get("summary_detail"), entry.get("summary"))
    body = ""
    best_len = 0
    for content in entry.get("content") or ():
        if isinstance(content, Mapping) and isinstance(content.get("value"), str):
            value = content["value"]
            if len(value) > best_len:
                best_len = len(value)
                body = value
                if content.get("type") == "text/plain" and "<" not in value:
                    body = value
    if body:
        body = html_to_text(body)
    if body and summary and (body == summary or summary.startswith(body)):
        body = ""
    if summary and body.startswith(summary[:200]) and len(body) > len(summary):
        summary = ""
    if not title:
        source = summary or body
        title = one_line(source)[:160]
    if not title:
        return None

    key = entry_key(guid, link, title, date_text, feed_url)

    language = None
    for detail in (entry.get("title_detail"), entry.get("summary_detail")):
        if isinstance(detail, Mapping):
            language = language_tag(detail.get("language"))
            if language:
                break
    language = language or feed_language

    article = Article(
        entry_key=key,
        url=link,
        title=_clip(title, MAX_TITLE),
        summary=_clip(summary, MAX_SUMMARY),
        body=_clip(body, MAX_BODY),
        publisher=publisher,
        published=published,
        first_seen=first_seen,
        language=language,
        source="feed",
    )
    return NormalizedEntry(
        article=article,
        date_missing=date_missing,
        content_hash=content_hash(article.title, article.text),
    )
