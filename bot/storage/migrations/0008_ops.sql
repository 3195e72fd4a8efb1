-- Operations: the heartbeat the running bot writes (read by `beatwatch health` and /status),
-- and a record of each retention run.
CREATE TABLE ops_heartbeats (
    component   TEXT PRIMARY KEY,            -- 'app': the running bot (Discord or console mode)
    state       TEXT NOT NULL CHECK (state IN ('running', 'stopped')),
    at          TEXT NOT NULL,               -- ISO 8601 UTC of the last beat
    started_at  TEXT NOT NULL,               -- when the process that beats started
    pid         INTEGER NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''     -- short key=value status, e.g. 'mode=discord'
);

CREATE TABLE ops_retention_runs (
    id                INTEGER PRIMARY KEY,
    at                TEXT NOT NULL,
    articles_deleted  INTEGER NOT NULL,
    articles_kept     INTEGER NOT NULL,      -- old enough to prune but still cited
    outbox_deleted    INTEGER NOT NULL
);
