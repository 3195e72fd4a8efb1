-- Stories: articles that report the same news, grouped by bot/stories (StoryService).
-- Story ids are never reused or renumbered (AUTOINCREMENT); the first article is the one
-- published earliest (the first reporter), outlets are listed in the order they joined.
CREATE TABLE stories (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    first_article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
    title            TEXT NOT NULL,             -- the first article's headline
    first_publisher  TEXT NOT NULL,
    first_published  TEXT NOT NULL,             -- ISO 8601 UTC
    last_published   TEXT NOT NULL,
    article_count    INTEGER NOT NULL DEFAULT 1,
    outlet_count     INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL              -- when an article last joined
);
CREATE INDEX stories_updated ON stories (updated_at);

CREATE TABLE story_articles (
    article_id  INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id    INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,               -- join order within the story (1 = creator)
    publisher   TEXT NOT NULL,
    via         TEXT NOT NULL CHECK (via IN ('new', 'url', 'hash', 'similar')),
    score       REAL,                           -- similarity that joined it (NULL for 'new')
    added_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX story_articles_story ON story_articles (story_id, seq);
