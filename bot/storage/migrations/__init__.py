"""Numbered, append-only SQL migrations: NNNN_name.sql, applied in order by PRAGMA user_version."""
