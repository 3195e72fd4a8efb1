-- Facts: one row per sentence (or heading) of an article, with its structure as JSON,
-- and an FTS5 index over normalised terms (stemmed words + e_<entity> + marker terms).
CREATE TABLE facts (
    id           INTEGER PRIMARY KEY,
    article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,            -- order in the article (0 = title)
    kind         TEXT NOT NULL CHECK (kind IN ('title', 'heading', 'sentence')),
    text         TEXT NOT NULL,
    section      TEXT NOT NULL DEFAULT '',    -- heading the sentence sits under
    entities     TEXT NOT NULL DEFAULT '[]',  -- JSON [[canonical, type], ...]
    context      TEXT NOT NULL DEFAULT '[]',  -- JSON [canonical, ...] from heading + previous sentence
    quantities   TEXT NOT NULL DEFAULT '[]',  -- JSON [{kind, value, unit, text}]
    dates        TEXT NOT NULL DEFAULT '[]',  -- JSON [{date, precision, text, relative}]
    first_date   TEXT,                        -- earliest resolved date (YYYY-MM-DD) or NULL
    attribution  TEXT,                        -- who said/reported it (canonical name or phrase)
    published    TEXT NOT NULL,               -- the article's publication time (ISO UTC)
    added_at     TEXT NOT NULL,               -- when the fact was stored (ISO UTC)
    terms        TEXT NOT NULL,               -- what facts_fts indexes
    UNIQUE (article_id, position)
);
CREATE INDEX facts_added_at ON facts (added_at);
CREATE INDEX facts_first_date ON facts (first_date) WHERE first_date IS NOT NULL;

CREATE VIRTUAL TABLE facts_fts USING fts5(
    terms,
    content = 'facts',
    content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 0 tokenchars '_'",
    detail = 'column'
);
-- Document frequencies for choosing the rarest query terms.
CREATE VIRTUAL TABLE facts_vocab USING fts5vocab(facts_fts, 'row');

CREATE TRIGGER facts_ai AFTER INSERT ON facts BEGIN
    INSERT INTO facts_fts (rowid, terms) VALUES (new.id, new.terms);
END;
CREATE TRIGGER facts_ad AFTER DELETE ON facts BEGIN
    INSERT INTO facts_fts (facts_fts, rowid, terms) VALUES ('delete', old.id, old.terms);
END;

-- Which version of the analysis (bot.facts.ingest.ANALYSIS_VERSION) produced each article's
-- facts; start-up re-analyses articles with an older one.
CREATE TABLE IF NOT EXISTS fact_analysis (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS fact_analysis_version ON fact_analysis (version);
