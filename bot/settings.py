"""The one settings class. Loaded once in ``bot.__main__`` and passed down; never at import time.

Every field is read from an environment variable ``BEATWATCH_<FIELD>`` (or a ``.env`` file).
``.env.example`` in ``deploy/`` lists them all; a test keeps the two in step.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BEATWATCH_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    # --- core ---
    discord_token: SecretStr | None = Field(
        default=None,
        description="Discord bot token. Without it `beatwatch run` starts console mode.",
    )
    database_path: Path = Field(
        default=Path("data/beatwatch.sqlite3"),
        description="SQLite database file (created if missing, readable by its owner only).",
    )
    start_lock_wait_seconds: float = Field(
        default=30.0,
        ge=0,
        description="How long start-up retries a database another process holds locked, "
        "then exits with an error.",
    )
    seeds_dir: Path = Field(
        default=PROJECT_ROOT / "seeds",
        description="Folder with the seed articles, default feeds and topics.",
    )
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR.")

    # --- discord ---
    dev_guild_id: int | None = Field(
        default=None, description="If set, slash commands are synced to this guild on start."
    )
    newsroom_role: str | None = Field(
        default=None,
        description="Optional role name that may use management commands besides Manage Server.",
    )

    # --- feeds ---
    poll_interval_seconds: int = Field(
        default=600, ge=5, description="How often each feed is polled."
    )
    fetch_timeout_seconds: float = Field(
        default=20.0, gt=0, description="Total time for one fetch."
    )
    connect_timeout_seconds: float = Field(
        default=5.0, gt=0, description="TCP/TLS connect timeout."
    )
    max_body_bytes: int = Field(
        default=5_000_000,
        ge=10_000,
        description="Largest feed body accepted (after decompression).",
    )
    max_concurrent_fetches: int = Field(default=20, ge=1, description="Feeds fetched at once.")
    allow_private_hosts: bool = Field(
        default=False,
        description=(
            "Allow feed URLs on loopback/private networks (tests, intranet feeds). Link-local, "
            "cloud metadata (169.254.169.254), unspecified (0.0.0.0), multicast and reserved "
            "addresses stay refused."
        ),
    )
    user_agent: str = Field(
        default="beatwatch/0.1 (+https://github.com/beatwatch/beatwatch; newsroom feed reader)",
        description="User-Agent sent with every feed request.",
    )
    failing_after_errors: int = Field(
        default=3, ge=1, description="Consecutive errors before a feed is reported failing."
    )
    disable_after_errors: int = Field(
        default=10, ge=1, description="Consecutive errors before a feed is disabled."
    )

    # --- alerts & digests ---
    default_timezone: str = Field(default="Europe/Kyiv", description="Timezone for new servers.")
    default_digest_time: str = Field(
        default="08:00", description="Daily digest time (HH:MM) for new servers."
    )
    coalesce_window_seconds: int = Field(
        default=300, ge=0, description="Alerts of one topic within this window are combined."
    )
    coalesce_threshold: int = Field(
        default=3, ge=2, description="Alerts of one topic in the window before they are combined."
    )
    alert_hold_seconds: int = Field(
        default=20,
        ge=0,
        description="A new alert waits this long before it is sent, so alerts arriving together can be combined.",
    )
    delivery_interval_seconds: int = Field(
        default=5, ge=1, description="How often the outbox is delivered."
    )
    delivery_max_attempts: int = Field(
        default=150,
        ge=1,
        description="Temporary delivery failures retried (backoff 5 s doubling to 5 min, so about 12 h) before a message is marked failed.",
    )
    story_window_hours: int = Field(
        default=72,
        ge=1,
        description="Articles further apart than this are never the same story (exact copies excepted).",
    )

    # --- operations ---
    retention_days: int = Field(
        default=180, ge=1, description="Articles older than this are pruned."
    )
    outbox_retention_days: int = Field(
        default=30, ge=1, description="Delivered alerts kept this long."
    )
    metrics_port: int | None = Field(
        default=None, description="If set, Prometheus metrics are served on 127.0.0.1:PORT."
    )
    metrics_host: str = Field(
        default="127.0.0.1", description="Address the metrics endpoint binds to."
    )
    heartbeat_interval_seconds: int = Field(
        default=60, ge=1, description="How often the running bot records that it is alive."
    )
    health_max_age_minutes: int = Field(
        default=5,
        ge=1,
        description="`beatwatch health` fails when the last heartbeat is older than this.",
    )

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("log_level must be DEBUG, INFO, WARNING or ERROR")
        return value

    @field_validator("default_digest_time")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        hours, _, minutes = value.partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
            raise ValueError("default_digest_time must be HH:MM (24-hour)")
        return f"{int(hours):02d}:{int(minutes):02d}"

    @field_validator("default_timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value
