"""Escalation timers kept in Kafka: the compacted ``alerts.escalations`` topic, one record per alert.

The record holds the alert itself and, per bureau, the escalation level reached, when the next
step is due and whether someone acknowledged. It is written after every change, keyed by
``alert_id`` (so it lives in the partition of the same number as the alert), and read back for
the partitions a dispatcher is assigned. A restart or rebalance therefore neither loses a timer
nor repeats a step: a step's messages have idempotent delivery keys, and the level is written
after they are sent, so a crash in between replays the step without sending anything twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import structlog
from pydantic import ValidationError

from schemas import Alert, BureauEscalation, Escalation, Settings, Urgency

from .replay import replay_partitions

__all__ = ["EscalationStore", "StoredEscalation", "timeout_for"]

log = structlog.get_logger(__name__)


def timeout_for(settings: Settings, urgency: Urgency) -> timedelta | None:
    """Time without acknowledgement before the next step, by urgency; ``None`` = never escalate."""
    minutes = {"critical": settings.escalate_critical_minutes, "high": settings.escalate_high_minutes,
               "normal": settings.escalate_normal_minutes}[urgency]
    return timedelta(minutes=minutes) if minutes > 0 else None


class StoredEscalation(Escalation):
    """``Escalation`` plus the alert it is about, so a restarted dispatcher can send the next step."""

    alert: Alert


class EscalationStore:
    def __init__(self, topic: str, client_kwargs: dict[str, Any]) -> None:
        self.topic = topic
        self.client_kwargs = client_kwargs
        self.items: dict[str, StoredEscalation] = {}

    async def load(self, partitions: Iterable[int]) -> int:
        """Read the given partitions to their end, adding what they hold; return how many are held."""
        await replay_partitions(self.topic, partitions, self.client_kwargs, self._apply)
        return len(self.items)

    def _apply(self, rec: Any) -> None:
        key = rec.key.decode() if rec.key else ""
        if rec.value is None:
            self.items.pop(key, None)
            return
        try:
            self.items[key] = StoredEscalation.model_validate_json(rec.value)
        except ValidationError:
            log.warning("unreadable escalation record", partition=rec.partition, offset=rec.offset)

    def clear(self) -> None:
        self.items.clear()

    def get(self, alert_id: str) -> StoredEscalation | None:
        return self.items.get(alert_id)

    def put(self, item: StoredEscalation) -> StoredEscalation:
        self.items[item.alert_id] = item
        return item

    @staticmethod
    def new(alert: Alert, bureau_ids: list[str], due_at: datetime | None, now: datetime) -> StoredEscalation:
        state = "pending" if due_at else "exhausted"
        return StoredEscalation(
            alert_id=alert.alert_id, notice_id=alert.notice_id, urgency=alert.urgency, alert=alert,
            bureaus={b: BureauEscalation(level=0, due_at=due_at, state=state) for b in bureau_ids},
            updated_at=now,
        )

    @staticmethod
    def with_bureau(item: StoredEscalation, bureau_id: str, now: datetime, **changes: Any) -> StoredEscalation:
        bureaus = dict(item.bureaus)
        bureaus[bureau_id] = bureaus.get(bureau_id, BureauEscalation()).model_copy(update=changes)
        return item.model_copy(update={"bureaus": bureaus, "updated_at": now})

    def due(self, now: datetime) -> list[tuple[StoredEscalation, str, BureauEscalation]]:
        """(escalation, bureau id, state) for every pending step whose time has come."""
        return [
            (item, bureau_id, b)
            for item in self.items.values()
            for bureau_id, b in item.bureaus.items()
            if b.state == "pending" and b.due_at is not None and b.due_at <= now
        ]

    def for_notice(self, notice_id: str) -> list[StoredEscalation]:
        return [i for i in self.items.values() if i.notice_id == notice_id]
