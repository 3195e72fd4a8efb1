"""Loading the data that ships in ``seeds/``: the seed articles (and, via their own modules,
the default feeds and topics). Invalid seed data raises ``SeedError`` with the file named."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.errors import BeatwatchError
from bot.models import Article


class SeedError(BeatwatchError):
    pass


class SeedArticleMeta(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str
    headline: str
    headline_in_source: bool
    publisher: str
    published: str  # YYYY-MM-DD
    date_basis: str


def _published(day: str) -> datetime:
    # Seed dates are days; noon UTC keeps them on the same calendar day in every newsroom zone.
    return datetime.combine(datetime.strptime(day, "%Y-%m-%d").date(), time(12, 0), tzinfo=UTC)


def _strip_headline(text: str, headline: str) -> str:
    """Seed files repeat the headline at the top; the body is what follows it."""
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and (not lines[0].strip() or lines[0].strip() == headline.strip()):
        lines.pop(0)
    return "\n".join(lines).strip()


def load_seed_articles(seeds_dir: Path) -> list[Article]:
    folder = seeds_dir / "articles"
    manifest = folder / "manifest.json"
    try:
        raw = json.loads(manifest.read_text(encoding="utf-8"))
        metas = [SeedArticleMeta.model_validate(item) for item in raw["articles"]]
    except (OSError, KeyError, TypeError, json.JSONDecodeError, ValidationError) as exc:
        raise SeedError(f"{manifest}: {exc}") from exc
    articles = []
    for meta in metas:
        path = folder / meta.file
        try:
            text = path.read_text(encoding="utf-8")
            published = _published(meta.published)
        except (OSError, ValueError) as exc:
            raise SeedError(f"{path}: {exc}") from exc
        body = _strip_headline(text, meta.headline)
        if not body:
            raise SeedError(f"{path}: no article text")
        articles.append(
            Article(
                entry_key=f"seed:{meta.file}",
                url=None,
                title=meta.headline,
                body=body,
                publisher=meta.publisher,
                published=published,
                first_seen=published,
                language="en",
                source="seed",
            )
        )
    return articles
