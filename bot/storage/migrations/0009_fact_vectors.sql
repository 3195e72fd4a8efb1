-- The meaning layer: one sentence vector per fact (bot.meaning.model, 256 int8 = 256 bytes),
-- made at ingest and re-made by the analysis-version upgrade. NULL for facts an older
-- analysis stored (start-up re-analyses them).
ALTER TABLE facts ADD COLUMN vec BLOB;
