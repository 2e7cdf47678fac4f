"""What has already been delivered, and what may have been: ``alerts.deliveries`` and
``alerts.deliveries.intents`` read back into memory.

Sending is idempotent per (alert, recipient, channel): before the dispatcher sends, it looks the
key up here. An outcome means "done". An intent without an outcome means "in doubt": a
dispatcher handed the message to its provider, or was about to, and died before recording what
happened (``consumers.sender`` reconciles it). The log is rebuilt from Kafka whenever the
dispatcher is assigned partitions of ``alerts``, from the same partitions of both topics (all
keyed by ``alert_id``, with the same partition count, so an alert and its deliveries live in
partitions of one number).

The outcomes are kept as their records' bytes (:class:`infra.Undecoded`) and decoded when looked
up: the log grows with every message sent, and as models it would be objects the garbage collector
walks on every full collection, a pause in which nothing is sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import structlog
from pydantic import ValidationError

from infra import Undecoded
from schemas import Delivery, DeliveryIntent

from .replay import replay_partitions

__all__ = ["DeliveryLog"]

log = structlog.get_logger(__name__)


class DeliveryLog:
    def __init__(self, topic: str, client_kwargs: dict[str, Any], intents_topic: str | None = None) -> None:
        self.topic = topic
        self.intents_topic = intents_topic
        self.client_kwargs = client_kwargs
        self._final: Undecoded[Delivery] = Undecoded(Delivery.model_validate_json, _json)
        self._by_alert: dict[str, tuple[str, ...]] = {}
        """alert id -> its delivery keys (tuples of strings: not tracked by the garbage collector either)"""
        self._intents: dict[str, DeliveryIntent] = {}

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` has an outcome (nothing decoded)."""
        return key in self._final

    def get(self, key: str) -> Delivery | None:
        """The recorded outcome of ``key`` (decoded anew: a copy), or None."""
        return self._final.get(key)

    def record(self, delivery: Delivery, raw: bytes | None = None) -> None:
        """Keep ``delivery``; ``raw``, when given, is its JSON as published (saves encoding it again)."""
        self._keep(delivery.key, delivery.alert_id, raw if raw is not None else _json(delivery))

    def _keep(self, key: str, alert_id: str, raw: bytes) -> None:
        if key not in self._final:
            self._by_alert[alert_id] = (*self._by_alert.get(alert_id, ()), key)
        self._final.put_raw(key, raw)
        self._intents.pop(key, None)

    def intend(self, intent: DeliveryIntent) -> None:
        if intent.key not in self._final:
            self._intents[intent.key] = intent

    def in_doubt(self, key: str) -> DeliveryIntent | None:
        """The intent of a message with no recorded outcome: the provider may or may not have it."""
        return self._intents.get(key) if key not in self._final else None

    def __len__(self) -> int:
        return len(self._final)

    def all(self) -> list[Delivery]:
        """Every outcome, decoded (the rate limits count them once, when partitions are assigned)."""
        return list(self._final.values())

    def for_alert(self, alert_id: str) -> list[Delivery]:
        return [d for d in (self._final.get(k) for k in self._by_alert.get(alert_id, ())) if d is not None]

    async def load(self, partitions: Iterable[int]) -> int:
        """Read the given partitions from the beginning to their current end; return outcomes read."""
        parts = list(partitions)
        if self.intents_topic is not None:
            await replay_partitions(self.intents_topic, parts, self.client_kwargs, self._apply_intent)
        return await replay_partitions(self.topic, parts, self.client_kwargs, self._apply)

    def _apply(self, rec: Any) -> None:
        try:
            delivery = Delivery.model_validate_json(rec.value or b"")
        except ValidationError:
            log.warning("unreadable delivery record", topic=self.topic, partition=rec.partition, offset=rec.offset)
            return
        self._keep(delivery.key, delivery.alert_id, rec.value)

    def _apply_intent(self, rec: Any) -> None:
        try:
            self.intend(DeliveryIntent.model_validate_json(rec.value or b""))
        except ValidationError:
            log.warning("unreadable delivery intent", topic=self.intents_topic, partition=rec.partition,
                        offset=rec.offset)


def _json(delivery: Delivery) -> bytes:
    return delivery.model_dump_json().encode()
