"""Recent alerts, their delivery state and delivery failures, for the ops dashboard. No personal data.

Tails ``alerts``, ``alerts.deliveries`` and ``alerts.acks`` with a group-less consumer, starting
``since`` seconds back. From an alert it keeps only ids and the verdict (alert, event and notice
ids, urgency, band, event type, country, time): never the event or notice, which hold names.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict, deque
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from infra import TopicMetadata
from schemas import Settings, topics

__all__ = ["Activity"]

_ALERT_FIELDS = ("alert_id", "event_id", "notice_id", "urgency", "band", "event_type", "country", "raised_at")
_FAILED = {"failed", "undelivered"}
_SENT = {"sent", "queued", "delivered"}


class Activity:
    def __init__(self, settings: Settings, *, since: float = 3600.0, keep: int = 200) -> None:
        self.settings, self.since, self.keep = settings, since, keep
        self.names = {settings.topic(topics.ALERTS): "alert", settings.topic(topics.DELIVERIES): "delivery",
                      settings.topic(topics.ACKS): "ack"}
        self.alerts: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.failures: deque[dict[str, Any]] = deque(maxlen=keep)
        self._consumer: AIOKafkaConsumer | None = None
        self._metadata: TopicMetadata | None = None
        self._assigned: set[TopicPartition] = set()

    async def start(self) -> None:
        self._metadata = TopicMetadata(self.settings.kafka_client_kwargs())
        self._consumer = AIOKafkaConsumer(group_id=None, enable_auto_commit=False,
                                          **self.settings.kafka_client_kwargs())
        try:
            await self._metadata.start()
            await self._consumer.start()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
        if self._metadata is not None:
            await self._metadata.close()

    async def poll(self) -> None:
        """Read what arrived since the last poll (assigning partitions that appeared meanwhile)."""
        consumer, metadata = self._consumer, self._metadata
        assert consumer is not None and metadata is not None
        tps = set(await metadata.topic_partitions(self.names))
        new = tps - self._assigned
        if new:
            consumer.assign(sorted(tps))
            starts = await consumer.offsets_for_times({tp: int((time.time() - self.since) * 1000) for tp in new})
            ends = await consumer.end_offsets(list(new))
            for tp in new:
                found = starts.get(tp)
                consumer.seek(tp, found.offset if found is not None else ends[tp])
            self._assigned = tps
        if not tps:
            return
        batches = await consumer.getmany(timeout_ms=200, max_records=5000)
        for records in batches.values():
            for rec in records:
                self._apply(self.names[rec.topic], rec.value)

    def _apply(self, kind: str, value: bytes | None) -> None:
        try:
            data = json.loads(value or b"")
        except ValueError:
            return
        if not isinstance(data, dict) or not isinstance(data.get("alert_id"), str):
            return
        alert_id = data["alert_id"]
        if kind == "alert":
            new = self.alerts.setdefault(alert_id, {"bureaus": [], "sent": 0, "failed": 0, "acked": False})
            new.update({k: data.get(k) for k in _ALERT_FIELDS})
            while len(self.alerts) > self.keep:
                self.alerts.popitem(last=False)
            return
        entry = self.alerts.get(alert_id)
        if kind == "ack":
            if entry is not None:
                entry["acked"] = True
            return
        status, bureau = data.get("status"), data.get("bureau_id")
        if entry is not None:
            if bureau and bureau not in entry["bureaus"]:
                entry["bureaus"].append(bureau)
            if status in _SENT:
                entry["sent"] += 1
            elif status in _FAILED:
                entry["failed"] += 1
        if status in _FAILED:
            self.failures.append({k: data.get(k) for k in ("at", "alert_id", "bureau_id", "recipient", "channel",
                                                           "status", "attempts", "error")})

    @staticmethod
    def _state(entry: dict[str, Any]) -> str:
        if entry["acked"]:
            return "acknowledged"
        if entry["failed"] and not entry["sent"]:
            return "failed"
        if entry["failed"]:
            return "partly failed"
        return "delivered" if entry["sent"] else "pending"

    def recent_alerts(self, limit: int = 50) -> list[dict[str, Any]]:
        """Newest first: ids, urgency, band, bureaus and state."""
        out = []
        for entry in reversed(self.alerts.values()):
            item = {k: entry.get(k) for k in _ALERT_FIELDS}
            item.update(bureaus=sorted(entry["bureaus"]), state=self._state(entry))
            out.append(item)
            if len(out) >= limit:
                break
        return out

    def recent_failures(self, limit: int = 50) -> list[dict[str, Any]]:
        return list(reversed(self.failures))[:limit]
