"""Feed pipeline: fetcher -> parser -> normalize -> watcher."""
