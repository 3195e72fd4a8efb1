-- Feeds (global per URL), per-server subscriptions, entries seen per feed, health transitions.
CREATE TABLE feeds (
    id               INTEGER PRIMARY KEY,
    url              TEXT NOT NULL UNIQUE,        -- the feed URL (after autodiscovery)
    title            TEXT NOT NULL DEFAULT '',    -- feed title; publisher of its articles
    site_url         TEXT,
    language         TEXT,
    etag             TEXT,                        -- validators for conditional GET
    last_modified    TEXT,
    body_hash        TEXT,                        -- sha256 of the last parsed body
    state            TEXT NOT NULL DEFAULT 'healthy'
                     CHECK (state IN ('healthy', 'failing', 'disabled')),
    state_reason     TEXT,
    error_count      INTEGER NOT NULL DEFAULT 0,  -- consecutive failures
    last_error       TEXT,
    last_error_at    TEXT,
    last_success_at  TEXT,
    last_checked_at  TEXT,
    next_check_at    TEXT NOT NULL,               -- ISO UTC; due when <= now
    baseline_done    INTEGER NOT NULL DEFAULT 0,  -- first successful poll recorded (no alerts)
    bozo             INTEGER NOT NULL DEFAULT 0,  -- last parse was malformed-but-recovered
    entry_count      INTEGER NOT NULL DEFAULT 0,  -- entries in the last parsed body
    created_at       TEXT NOT NULL
);
CREATE INDEX feeds_next_check ON feeds (next_check_at);

CREATE TABLE guild_feeds (
    guild_id    INTEGER NOT NULL,                 -- 0 = console newsroom
    feed_id     INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    channel_id  INTEGER,                          -- optional channel override for alerts
    added_at    TEXT NOT NULL,
    PRIMARY KEY (guild_id, feed_id)
);
CREATE INDEX guild_feeds_feed ON guild_feeds (feed_id);

-- Guilds that already received the default feed list (so a removal is not undone on restart).
CREATE TABLE feed_default_subscriptions (
    guild_id    INTEGER PRIMARY KEY,
    at          TEXT NOT NULL
);

CREATE TABLE feed_entries (
    feed_id     INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    entry_key   TEXT NOT NULL,
    article_id  INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    first_seen  TEXT NOT NULL,
    PRIMARY KEY (feed_id, entry_key)
) WITHOUT ROWID;
CREATE INDEX feed_entries_article ON feed_entries (article_id);

CREATE TABLE feed_health_events (
    id          INTEGER PRIMARY KEY,
    feed_id     INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    old_state   TEXT NOT NULL,
    new_state   TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL
);
CREATE INDEX feed_health_events_at ON feed_health_events (at);
