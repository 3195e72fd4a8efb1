-- Articles (seeds and everything the feed watcher stores) and per-server settings.
CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    entry_key     TEXT NOT NULL UNIQUE,      -- stable identity (seed:<file> / feed entry key)
    url           TEXT,                      -- canonical link, no tracking parameters
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    publisher     TEXT NOT NULL,
    published     TEXT NOT NULL,             -- ISO 8601 UTC
    first_seen    TEXT NOT NULL,             -- ISO 8601 UTC
    language      TEXT,
    source        TEXT NOT NULL CHECK (source IN ('seed', 'feed', 'manual')),
    content_hash  TEXT NOT NULL              -- sha256 of normalised title+text
);
CREATE INDEX articles_published ON articles (published);
CREATE INDEX articles_url ON articles (url);
CREATE INDEX articles_content_hash ON articles (content_hash);

CREATE TABLE guilds (
    guild_id          INTEGER PRIMARY KEY,   -- 0 is the console / CLI newsroom
    name              TEXT NOT NULL DEFAULT '',
    alert_channel_id  INTEGER,
    digest_channel_id INTEGER,
    timezone          TEXT NOT NULL DEFAULT 'Europe/Kyiv',
    digest_time       TEXT NOT NULL DEFAULT '08:00',
    quiet_start       TEXT,                  -- HH:MM in the guild's timezone, or NULL
    quiet_end         TEXT,
    alerts_paused     INTEGER NOT NULL DEFAULT 0,
    newsroom_role_id  INTEGER,
    created_at        TEXT NOT NULL
);
