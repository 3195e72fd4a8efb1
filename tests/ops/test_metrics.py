"""Metrics: counters other areas bump, served in Prometheus text format on loopback only."""

from __future__ import annotations

import aiohttp
import pytest

from bot.clock import FixedClock
from bot.ops import counters
from bot.ops.counters import Registry
from bot.ops.health import last_heartbeat
from bot.ops.metrics import start_metrics_server
from bot.ops.runtime import OpsRuntime
from bot.services import Services


def test_registry_renders_text_format() -> None:
    reg = Registry()
    polls = reg.counter("x_polls_total", "Polls.")
    errors = reg.counter("x_errors_total", "Errors by kind.", ("kind",))
    latency = reg.histogram("x_latency_seconds", "Latency.", buckets=(0.1, 1.0))
    polls.inc()
    polls.inc(2)
    errors.inc(kind="timeout")
    errors.inc(kind='we"ird\n')
    latency.observe(0.05)
    latency.observe(3)
    text = reg.render()
    assert "# TYPE x_polls_total counter\nx_polls_total 3\n" in text
    assert 'x_errors_total{kind="timeout"} 1' in text
    assert 'x_errors_total{kind="we\\"ird\\n"} 1' in text
    assert 'x_latency_seconds_bucket{le="0.1"} 1' in text
    assert 'x_latency_seconds_bucket{le="+Inf"} 2' in text
    assert "x_latency_seconds_count 2" in text
    with pytest.raises(ValueError):
        errors.inc()  # label missing
    with pytest.raises(ValueError):
        polls.inc(-1)
    with pytest.raises(ValueError):
        reg.counter("x_polls_total", "again")


async def test_endpoint_serves_the_shared_registry() -> None:
    counters.POLLS.inc()
    counters.FETCH_ERRORS.inc(kind="timeout")
    counters.ASK_LATENCY.observe(0.2)
    server = await start_metrics_server("127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{server.port}/metrics") as resp:
                assert resp.status == 200
                assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
                body = await resp.text()
    finally:
        await server.close()
    for name in (
        "beatwatch_feed_polls_total",
        "beatwatch_feed_fetch_errors_total",
        "beatwatch_articles_stored_total",
        "beatwatch_alerts_queued_total",
        "beatwatch_alerts_delivered_total",
        "beatwatch_alerts_retried_total",
        "beatwatch_digest_runs_total",
        "beatwatch_ask_latency_seconds_count",
    ):
        assert name in body
    assert 'beatwatch_feed_fetch_errors_total{kind="timeout"}' in body


async def test_runtime_beats_and_serves_metrics_only_when_configured(
    services: Services, clock: FixedClock
) -> None:
    ops = OpsRuntime(services.settings, services.db, clock, mode="console")
    await ops.start()
    assert ops.metrics is None  # off unless BEATWATCH_METRICS_PORT is set
    beat = await last_heartbeat(services.db)
    assert beat is not None and beat.state == "running" and beat.detail == "mode=console"
    await ops.stop()
    beat = await last_heartbeat(services.db)
    assert beat is not None and beat.state == "stopped"

    settings = services.settings.model_copy(update={"metrics_port": 0})
    ops = OpsRuntime(settings, services.db, clock)
    await ops.start()
    try:
        assert ops.metrics is not None and ops.metrics.host == "127.0.0.1"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{ops.metrics.port}/metrics") as resp:
                assert resp.status == 200
                body = await resp.text()
    finally:
        await ops.stop()
    # Database gauges are read at scrape time: the seed articles are there already.
    seeds = await services.db.fetchval("SELECT count(*) FROM articles")
    assert f'beatwatch_rows{{table="articles",state=""}} {seeds}' in body
    assert "beatwatch_heartbeat_age_seconds 0" in body


async def test_ask_records_its_latency(services: Services) -> None:
    before = counters.ASK_LATENCY.count
    await services.facts.ask("Where were the first trilateral talks held?")
    await services.facts.ask("")
    assert counters.ASK_LATENCY.count == before + 2
