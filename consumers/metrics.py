"""Prometheus metrics of the dispatcher and the lag monitor, and an aiohttp ``/metrics`` handler.

Dispatcher: one call per final delivery outcome, ``record_delivery(alert, delivery)``, counts it by
channel and outcome and observes the alert-to-provider hand-off latency. Serve them with
``app.router.add_get("/metrics", metrics_handler())`` on the dispatcher's web app.

Lag monitor: :class:`LagMetrics` mirrors the latest :class:`consumers.lag.LagReport`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.process_collector import ProcessCollector

from schemas import Alert, Delivery

from .burrow import Status

if TYPE_CHECKING:
    from .lag import LagReport

__all__ = ["DISPATCHER", "DispatcherMetrics", "LagMetrics", "metrics_handler", "record_delivery"]

HANDOFF_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)
"""Seconds from an alert being raised to the SMS or email provider accepting the message."""


class DispatcherMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self.deliveries = Counter("fugitive_alerts_deliveries_total",
                                  "Final delivery outcomes, by channel and outcome (sent, failed, skipped).",
                                  ["channel", "outcome"], registry=self.registry)
        self.handoff = Histogram("fugitive_alerts_alert_to_provider_seconds",
                                 "From the alert being raised to the provider accepting the message.",
                                 ["channel"], buckets=HANDOFF_BUCKETS, registry=self.registry)
        for channel in ("sms", "email"):  # series exist at 0 from the start
            self.handoff.labels(channel)
            for outcome in ("sent", "failed"):
                self.deliveries.labels(channel, outcome)

    def record_delivery(self, alert: Alert | None, delivery: Delivery) -> None:
        """``alert`` None: a delivery of no alert (a review digest), counted but not in the hand-off latency."""
        self.deliveries.labels(delivery.channel, delivery.status).inc()
        if delivery.status == "sent" and alert is not None:
            self.handoff.labels(delivery.channel).observe(
                max(0.0, (delivery.at - alert.raised_at).total_seconds()))


DISPATCHER = DispatcherMetrics(CollectorRegistry())
"""The dispatcher process's metrics (one dispatcher per process)."""
ProcessCollector(registry=DISPATCHER.registry)


def record_delivery(alert: Alert | None, delivery: Delivery) -> None:
    """Count one final delivery outcome (call once per outcome written to ``alerts.deliveries``)."""
    DISPATCHER.record_delivery(alert, delivery)


def metrics_handler(registry: CollectorRegistry | None = None) -> Callable[[web.Request], Awaitable[web.Response]]:
    """An aiohttp GET handler serving ``registry`` (default: the dispatcher's) in the exposition format."""
    reg = registry if registry is not None else DISPATCHER.registry

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(reg), headers={"Content-Type": CONTENT_TYPE_LATEST})

    return handler


class LagMetrics:
    """Gauges mirroring the newest lag report (cleared first, so vanished partitions disappear)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        labels = ["group", "topic", "partition"]
        self.lag = Gauge("fugitive_alerts_consumer_lag_records", "End offset minus committed offset.", labels,
                         registry=r)
        self.lag_seconds = Gauge("fugitive_alerts_consumer_lag_seconds",
                                 "Age of the oldest record the group has not consumed (0 when caught up).",
                                 labels, registry=r)
        self.partition_status = Gauge("fugitive_alerts_consumer_partition_status",
                                      "1 for the partition's current Burrow status.", [*labels, "status"], registry=r)
        self.group_status = Gauge("fugitive_alerts_consumer_group_status",
                                  "1 for the group's current status (worst partition), 0 for the others.",
                                  ["group", "status"], registry=r)
        self.group_members = Gauge("fugitive_alerts_consumer_group_members", "Active members of the group.",
                                   ["group"], registry=r)
        self.evaluations = Counter("fugitive_alerts_lag_evaluations_total", "Lag evaluations, by result.",
                                   ["result"], registry=r)
        self.review_depth = Gauge("fugitive_alerts_review_queue_depth", "Open review items in the bureau's queue.",
                                  ["bureau"], registry=r)
        self.review_oldest = Gauge("fugitive_alerts_review_oldest_item_age_seconds",
                                   "Age of the oldest open review item in the bureau's queue (0 when empty).",
                                   ["bureau"], registry=r)
        self.end_offset = Gauge("fugitive_alerts_topic_end_offset",
                                "Sum of the topic's end offsets (records ever written); rate() gives throughput.",
                                ["topic"], registry=r)

    def update(self, report: LagReport) -> None:
        for gauge in (self.lag, self.lag_seconds, self.partition_status, self.group_status, self.group_members):
            gauge.clear()
        for g in report.groups:
            for status in Status:
                self.group_status.labels(g.group, status.value).set(1.0 if g.status is status else 0.0)
            self.group_members.labels(g.group).set(g.members)
            for p in g.partitions:
                key = (g.group, p.topic, str(p.partition))
                self.lag.labels(*key).set(p.lag)
                self.lag_seconds.labels(*key).set(p.lag_seconds)
                self.partition_status.labels(*key, p.status.value).set(1.0)
        self.evaluations.labels("ok").inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
