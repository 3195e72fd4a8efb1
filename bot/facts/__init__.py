"""Fact store: ingest (sentences -> facts), retrieval, answer composition."""
