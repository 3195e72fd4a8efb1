-- Alerts (one per story per server), the delivery outbox, digest runs. Owner: ALERTS.

-- One row per (server, story): later articles of the story update it (outlets, version).
CREATE TABLE alerts (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    story_id       INTEGER NOT NULL,
    topic          TEXT NOT NULL,                  -- primary topic (coalescing key)
    topics         TEXT NOT NULL DEFAULT '[]',     -- JSON list of every topic that matched
    topic_id       INTEGER,
    article_id     INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    title          TEXT NOT NULL,
    url            TEXT,
    publisher      TEXT NOT NULL,
    published      TEXT NOT NULL,
    alias          TEXT NOT NULL DEFAULT '',
    snippet        TEXT NOT NULL DEFAULT '',
    outlets        TEXT NOT NULL DEFAULT '[]',     -- JSON list, order of joining the story
    article_count  INTEGER NOT NULL DEFAULT 1,
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'delivered', 'held', 'digested', 'failed')),
    hold_reason    TEXT,                           -- 'quiet hours' / 'paused'
    channel_id     INTEGER,
    ping_role_id   INTEGER,
    message_ref    TEXT,                           -- transport's reference once delivered
    combined_id    INTEGER,                        -- outbox id of the combined message it went in
    version        INTEGER NOT NULL DEFAULT 1,     -- bumped on every change of its content
    shown_version  INTEGER NOT NULL DEFAULT 0,     -- version the posted message shows
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    delivered_at   TEXT,
    UNIQUE (guild_id, story_id)
);
CREATE INDEX alerts_guild_topic ON alerts (guild_id, topic, delivered_at);
CREATE INDEX alerts_guild_updated ON alerts (guild_id, updated_at);

-- Everything to send, written in the transaction that caused it; deleted by retention.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    channel_id       INTEGER,
    kind             TEXT NOT NULL
                     CHECK (kind IN ('alert', 'edit', 'combined', 'notice', 'digest')),
    alert_id         INTEGER REFERENCES alerts (id) ON DELETE CASCADE,
    source_key       TEXT,                         -- idempotency of producers (notice/digest)
    group_key        TEXT,                         -- rows of one group go out in id order
    position         INTEGER,                      -- place in its channel's queue (NULL = id)
    payload          TEXT NOT NULL DEFAULT '{}',   -- JSON (notice/digest/combined content)
    version          INTEGER NOT NULL DEFAULT 1,   -- part of dedupe_key; bumped by edits
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sent', 'held', 'merged', 'failed',
                                       'waiting_channel')),  -- waiting: no channel set yet
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT,
    message_ref      TEXT,
    created_at       TEXT NOT NULL,
    sent_at          TEXT,
    UNIQUE (guild_id, source_key)
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_alert ON outbox (alert_id);

-- Small durable cursors (e.g. the last feed_health_events id turned into notices).
CREATE TABLE alert_cursors (
    name   TEXT PRIMARY KEY,
    value  INTEGER NOT NULL
);

-- One row per server per local date: a digest is never sent twice nor skipped silently.
CREATE TABLE digest_runs (
    guild_id    INTEGER NOT NULL,
    period      TEXT NOT NULL,                     -- local date 'YYYY-MM-DD' in the guild's tz
    status      TEXT NOT NULL
                CHECK (status IN ('queued', 'sent', 'empty', 'waiting_channel')),
    since       TEXT NOT NULL,
    until       TEXT NOT NULL,
    chunks      INTEGER NOT NULL DEFAULT 0,
    started_at  TEXT NOT NULL,
    sent_at     TEXT,
    PRIMARY KEY (guild_id, period)
);
