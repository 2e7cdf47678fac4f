"""The worker's Prometheus metrics and its ``/metrics``, ``/health`` and ``/ready`` pages.

Served by Faust's own web server (the worker's ``--web-port``), one registry per app, so a test
that builds two apps gets two sets of counters. The screening agent calls two one-liners:
:meth:`WorkerMetrics.screened` once per batch of records, :meth:`WorkerMetrics.alert_raised` after producing
each alert.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

import faust
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.process_collector import ProcessCollector

from infra import TopicMetadata

__all__ = ["LATENCY_BUCKETS", "WorkerMetrics", "install_pages"]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)
"""Seconds. A border crossing must alert within seconds; minutes mean a backlog."""
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
"""Events per screening batch (``streams.screen_agent.MAX_BATCH`` at most)."""


class WorkerMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)
        self.events = Counter("fugitive_alerts_events_screened_total", "Event records read by the screening agents.",
                              ["event_type"], registry=r)
        self.rejected = Counter("fugitive_alerts_events_rejected_total",
                                "Event records refused (sent to events.rejected).", ["event_type"], registry=r)
        self.lost = Counter("fugitive_alerts_dead_letters_lost_total",
                            "Refused records whose dead letter or rejection answer could not be produced "
                            "(their coordinates are logged).", ["path"], registry=r)
        self.alerts = Counter("fugitive_alerts_alerts_raised_total", "Alerts produced to the alerts topic.",
                              ["band"], registry=r)
        self.batches = Histogram("fugitive_alerts_screening_batch_events",
                                 "Events per batch a screening agent took (1 at rest; up to 256 while a backlog "
                                 "drains).", ["event_type"], buckets=BATCH_BUCKETS, registry=r)
        self.latency = Histogram("fugitive_alerts_event_to_alert_seconds",
                                 "From the event record's timestamp to its alert being produced.",
                                 buckets=LATENCY_BUCKETS, registry=r)
        self.wanted = Gauge("fugitive_alerts_wanted_notices", "Active notices in this worker's wanted list.",
                            registry=r)
        self.cleared = Counter("fugitive_alerts_hits_cleared_total",
                               "Hits not raised because an analyst had cleared the traveller (docs/review.md).",
                               registry=r)
        self.clearances = Gauge("fugitive_alerts_clearances", "Clearances on record in this worker (live or not).",
                                registry=r)
        for event_type in ("border_crossing", "visa_application", "tip"):  # series exist at 0 from the start
            self.events.labels(event_type)
            self.rejected.labels(event_type)
            self.batches.labels(event_type)
        for band in ("alert", "review"):
            self.alerts.labels(band)
        for path in ("screen", "ingest"):
            self.lost.labels(path)

    def dead_letter_lost(self, path: str) -> None:
        """A record of ``path`` (screen, ingest) left no dead letter or answer: only a log line."""
        self.lost.labels(path).inc()

    def screened(self, event_type: str, count: int = 1, rejected: int = 0) -> None:
        """``count`` event records handled by an agent (a batch), ``rejected`` of them dead-lettered."""
        self.events.labels(event_type).inc(count)
        self.batches.labels(event_type).observe(count)
        if rejected:
            self.rejected.labels(event_type).inc(rejected)

    def alert_raised(self, band: str, event_timestamp: float | None) -> None:
        """One alert produced; ``event_timestamp`` is the source record's (epoch seconds)."""
        self.alerts.labels(band).inc()
        if event_timestamp:
            self.latency.observe(max(0.0, time.time() - event_timestamp))

    def hits_cleared(self, count: int) -> None:
        self.cleared.inc(count)

    def watch_clearances(self, size: Callable[[], int]) -> None:
        self.clearances.set_function(lambda: float(size()))

    def watch_wanted_list(self, size: Callable[[], int]) -> None:
        self.wanted.set_function(lambda: float(size()))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _BrokerProbe:
    """Is the broker reachable? A cluster description (admin API), cached for a couple of seconds."""

    def __init__(self, client_kwargs: dict[str, Any], ttl: float = 2.0) -> None:
        self.client_kwargs, self.ttl = client_kwargs, ttl
        self._at, self._ok = 0.0, False
        self._metadata: TopicMetadata | None = None

    async def __call__(self) -> bool:
        if time.monotonic() - self._at < self.ttl:
            return self._ok
        try:
            if self._metadata is None:
                self._metadata = TopicMetadata(self.client_kwargs, request_timeout_ms=3000)
                await asyncio.wait_for(self._metadata.start(), 3.0)
            await asyncio.wait_for(self._metadata.describe_cluster(), 3.0)
            self._ok = True
        except Exception:  # noqa: BLE001 - any failure means "not reachable now"; the next probe retries
            self._ok = False
            if self._metadata is not None:
                metadata, self._metadata = self._metadata, None
                await metadata.close()
        self._at = time.monotonic()
        return self._ok


def _recovered(app: faust.App) -> bool:
    """True once Faust has recovered the worker's first assignment and resumed its partitions (its table
    recovery's ``completed`` event, set once and never cleared)."""
    recovery = getattr(app.tables, "recovery", None)  # faust.tables.TableManager; the type only declares the ABC
    return bool(recovery is not None and recovery.completed.is_set())


def install_pages(app: faust.App, metrics: WorkerMetrics, *, ready: Sequence[asyncio.Event],
                  client_kwargs: dict[str, Any]) -> None:
    """``/metrics`` (Prometheus), ``/health`` (the process answers), ``/ready`` (broker up, wanted list and
    bureau directory loaded, and the worker's first partition assignment taken and recovered: from then on
    it answers events; a later rebalance does not make it unready)."""
    broker_ok = _BrokerProbe(client_kwargs)

    @app.page("/metrics")
    async def prometheus(view: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        return view.bytes(metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    @app.page("/health")
    async def health(view: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        return view.json({"status": "ok"})

    @app.page("/ready")
    async def readiness(view: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        checks = {"broker": await broker_ok(), "wanted_list_loaded": all(e.is_set() for e in ready),
                  "partitions_assigned": _recovered(app)}
        return view.json({"ready": all(checks.values()), **checks}, status=200 if all(checks.values()) else 503)
