"""Process-wide metric counters, importable from any area (no I/O, no discord).

    from bot.ops import counters
    counters.POLLS.inc()
    counters.FETCH_ERRORS.inc(kind="timeout")
    counters.ARTICLES_STORED.inc(len(new))
    counters.ALERTS_QUEUED.inc(); counters.ALERTS_DELIVERED.inc(); counters.ALERTS_RETRIED.inc()
    counters.DIGEST_RUNS.inc()
    counters.ASK_LATENCY.observe(seconds)

``REGISTRY.render()`` gives the Prometheus text exposition format (version 0.0.4);
:mod:`bot.ops.metrics` serves it when ``BEATWATCH_METRICS_PORT`` is set.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Sequence

_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LabelKey = tuple[tuple[str, str], ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(key: _LabelKey, extra: tuple[tuple[str, str], ...] = ()) -> str:
    pairs = key + extra
    if not pairs:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in pairs) + "}"


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if value != int(value) else str(int(value))


class _Metric:
    kind = "untyped"

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> None:
        if not _NAME.match(name):
            raise ValueError(f"bad metric name {name!r}")
        self.name = name
        self.help = help_text
        self.labelnames = tuple(labelnames)
        self._lock = threading.Lock()

    def _key(self, labels: dict[str, str]) -> _LabelKey:
        if set(labels) != set(self.labelnames):
            raise ValueError(f"{self.name} takes labels {self.labelnames}, got {sorted(labels)}")
        return tuple((n, str(labels[n])) for n in self.labelnames)

    def samples(self) -> list[str]:
        raise NotImplementedError

    def render(self) -> str:
        head = f"# HELP {self.name} {self.help}\n# TYPE {self.name} {self.kind}\n"
        return head + "".join(line + "\n" for line in self.samples())


class Counter(_Metric):
    kind = "counter"

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labelnames)
        self._values: dict[_LabelKey, float] = {} if labelnames else {(): 0.0}

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if amount < 0:
            raise ValueError("counters only go up")
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        return self._values.get(self._key(labels), 0.0)

    def samples(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        return [f"{self.name}{_labels(k)} {_number(v)}" for k, v in items]


class Gauge(_Metric):
    kind = "gauge"

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labelnames)
        self._values: dict[_LabelKey, float] = {} if labelnames else {(): 0.0}

    def set(self, value: float, **labels: str) -> None:
        with self._lock:
            self._values[self._key(labels)] = float(value)

    def value(self, **labels: str) -> float:
        return self._values.get(self._key(labels), 0.0)

    def samples(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        return [f"{self.name}{_labels(k)} {_number(v)}" for k, v in items]


DEFAULT_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Histogram(_Metric):
    kind = "histogram"

    def __init__(
        self, name: str, help_text: str, buckets: Sequence[float] = DEFAULT_BUCKETS
    ) -> None:
        super().__init__(name, help_text)
        self.buckets = tuple(sorted(buckets)) + (math.inf,)
        self._counts = [0] * len(self.buckets)
        self._sum = 0.0
        self._count = 0

    def observe(self, value: float) -> None:
        with self._lock:
            self._sum += value
            self._count += 1
            for i, bound in enumerate(self.buckets):
                if value <= bound:
                    self._counts[i] += 1

    @property
    def count(self) -> int:
        return self._count

    def samples(self) -> list[str]:
        with self._lock:
            lines = [
                f'{self.name}_bucket{{le="{_number(b)}"}} {c}'
                for b, c in zip(self.buckets, self._counts, strict=True)
            ]
            lines.append(f"{self.name}_sum {_number(self._sum)}")
            lines.append(f"{self.name}_count {self._count}")
        return lines


class Registry:
    def __init__(self) -> None:
        self._metrics: dict[str, _Metric] = {}

    def _add(self, metric: _Metric) -> _Metric:
        if metric.name in self._metrics:
            raise ValueError(f"metric {metric.name} registered twice")
        self._metrics[metric.name] = metric
        return metric

    def counter(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> Counter:
        metric = Counter(name, help_text, labelnames)
        self._add(metric)
        return metric

    def gauge(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> Gauge:
        metric = Gauge(name, help_text, labelnames)
        self._add(metric)
        return metric

    def histogram(
        self, name: str, help_text: str, buckets: Sequence[float] = DEFAULT_BUCKETS
    ) -> Histogram:
        metric = Histogram(name, help_text, buckets)
        self._add(metric)
        return metric

    def get(self, name: str) -> _Metric | None:
        return self._metrics.get(name)

    def render(self) -> str:
        return "".join(m.render() for m in self._metrics.values())


REGISTRY = Registry()

POLLS = REGISTRY.counter("beatwatch_feed_polls_total", "Feed polls attempted.")
FETCH_ERRORS = REGISTRY.counter(
    "beatwatch_feed_fetch_errors_total",
    "Feed fetches that failed, by kind (timeout, http, too_large, parse, network, blocked).",
    ("kind",),
)
ARTICLES_STORED = REGISTRY.counter("beatwatch_articles_stored_total", "New articles stored.")
ALERTS_QUEUED = REGISTRY.counter("beatwatch_alerts_queued_total", "Alerts put in the outbox.")
ALERTS_DELIVERED = REGISTRY.counter(
    "beatwatch_alerts_delivered_total", "Outbox messages delivered."
)
ALERTS_RETRIED = REGISTRY.counter(
    "beatwatch_alerts_retried_total", "Outbox deliveries that failed and will be retried."
)
DIGEST_RUNS = REGISTRY.counter("beatwatch_digest_runs_total", "Daily digests posted.")
ASK_LATENCY = REGISTRY.histogram(
    "beatwatch_ask_latency_seconds", "Time to answer one question (/ask, `beatwatch ask`)."
)
HEARTBEAT_FAILURES = REGISTRY.counter(
    "beatwatch_heartbeat_failures_total", "Heartbeats that could not be written (database busy)."
)
RETENTION_DELETED = REGISTRY.counter(
    "beatwatch_retention_deleted_total", "Rows removed by retention, by table.", ("table",)
)

# Gauges read from the database when /metrics is scraped (bot.ops.metrics), so they are right
# even for work the counters above did not see (another process, before a restart).
ROWS = REGISTRY.gauge(
    "beatwatch_rows", "Rows in the database by table and state.", ("table", "state")
)
HEARTBEAT_AGE = REGISTRY.gauge(
    "beatwatch_heartbeat_age_seconds", "Seconds since the running bot last wrote its heartbeat."
)
