"""What has already been delivered: the ``alerts.deliveries`` topic read back into memory.

Sending is idempotent per (alert, recipient, channel): before the dispatcher sends, it looks the
key up here. The log is rebuilt from Kafka whenever the dispatcher is assigned partitions of
``alerts``, from the same partitions of ``alerts.deliveries`` (both are keyed by ``alert_id`` and
have the same partition count, so an alert and its deliveries live in partitions of one number).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import structlog
from pydantic import ValidationError

from schemas import Delivery

from .replay import replay_partitions

__all__ = ["DeliveryLog"]

log = structlog.get_logger(__name__)


class DeliveryLog:
    def __init__(self, topic: str, client_kwargs: dict[str, Any]) -> None:
        self.topic = topic
        self.client_kwargs = client_kwargs
        self._final: dict[str, Delivery] = {}

    def get(self, key: str) -> Delivery | None:
        return self._final.get(key)

    def record(self, delivery: Delivery) -> None:
        self._final[delivery.key] = delivery

    def __len__(self) -> int:
        return len(self._final)

    def all(self) -> list[Delivery]:
        return list(self._final.values())

    def for_alert(self, alert_id: str) -> list[Delivery]:
        return [d for d in self._final.values() if d.alert_id == alert_id]

    async def load(self, partitions: Iterable[int]) -> int:
        """Read the given partitions from the beginning to their current end; return records read."""
        return await replay_partitions(self.topic, partitions, self.client_kwargs, self._apply)

    def _apply(self, rec: Any) -> None:
        try:
            self.record(Delivery.model_validate_json(rec.value or b""))
        except ValidationError:
            log.warning("unreadable delivery record", topic=self.topic, partition=rec.partition, offset=rec.offset)
