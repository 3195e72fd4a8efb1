-- The Discord shell: what editors did with an alert's buttons, and the mutes they set. Owner: DISCORD.

-- One row per (alert, action): who pressed "Mark verified" / "Mute this story" / "Mute this source".
CREATE TABLE alert_actions (
    alert_id   INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    action     TEXT NOT NULL CHECK (action IN ('verified', 'muted_story', 'muted_source')),
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    user_name  TEXT NOT NULL DEFAULT '',
    at         TEXT NOT NULL,
    PRIMARY KEY (alert_id, action)
);

-- A muted story gets no more alert updates in that server.
CREATE TABLE muted_stories (
    guild_id   INTEGER NOT NULL,
    story_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (guild_id, story_id)
);

-- A muted (topic, outlet) pair raises no alerts in that server.
CREATE TABLE muted_sources (
    guild_id   INTEGER NOT NULL,
    topic      TEXT NOT NULL,
    publisher  TEXT NOT NULL,
    user_id    INTEGER NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (guild_id, topic, publisher)
);
