-- /ask answers kept with their message (DISCORD): the Sources button under an answer carries the
-- answer's id and lists exactly the citations that answer gave, after a restart too.
CREATE TABLE answers (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    question    TEXT NOT NULL,
    answer_json TEXT NOT NULL,          -- bot.models.Answer as JSON
    created_at  TEXT NOT NULL
);
CREATE INDEX answers_created ON answers (created_at);
