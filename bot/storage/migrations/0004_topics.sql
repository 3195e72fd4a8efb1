-- Tracked topics: shipped ones (guild_id NULL, apply to every server) and per-server ones.
CREATE TABLE topics (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER,                   -- NULL = shipped with beatwatch (seeds/topics.json)
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL,             -- folded name; unique per server and across shipped
    any_of        TEXT NOT NULL,             -- JSON list of aliases
    all_of        TEXT NOT NULL DEFAULT '[]',-- JSON list of context groups (lists of terms)
    none_of       TEXT NOT NULL DEFAULT '[]',-- JSON list of exclusions
    ping_role_id  INTEGER,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX topics_guild_name ON topics (ifnull(guild_id, -1), name_key);

-- One counter bumped by every change to topics: matchers compiled for an older version are stale.
CREATE TABLE topics_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO topics_version (id, version) VALUES (1, 1);

CREATE TRIGGER topics_bump_insert AFTER INSERT ON topics
BEGIN UPDATE topics_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER topics_bump_update AFTER UPDATE ON topics
BEGIN UPDATE topics_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER topics_bump_delete AFTER DELETE ON topics
BEGIN UPDATE topics_version SET version = version + 1 WHERE id = 1; END;
