"""Operating beatwatch: heartbeat and health, doctor checks, online backups, retention,
metrics (a counter registry in :mod:`bot.ops.counters`, the HTTP endpoint in
:mod:`bot.ops.metrics`) and the ``.env.example`` / settings-table generator. Discord-free."""
