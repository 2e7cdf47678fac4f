"""The worker's producer is idempotent, as every other producer of the project.

Faust asks for ``acks=all`` and idempotence only under ``exactly_once``; under ``at_least_once`` its
producer has ``acks`` from the settings (the worker sets -1, i.e. all) and no idempotence. When a
partition leader dies mid-request the producer retries against the new leader, and without
idempotence a retry whose first attempt was in fact written is written twice. Alerts and responses
are idempotent downstream (deterministic alert ids), so this removes duplicate records, not
duplicate messages; it costs nothing measurable (a producer id and sequence numbers per batch).

It also keeps every topic it sends to in the metadata its aiokafka client fetches
(``streams.producer_metadata``): without that, a record already handed over for a topic the client
learnt from a fetch of all topics could wait for a leader forever (aiokafka 0.14, issue #1018).
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types.tuples import RecordMetadata

from .producer_metadata import track_topic

__all__ = ["set_idempotent_producer"]


class IdempotentProducer(faust_aiokafka.Producer):
    """Faust's aiokafka producer with ``acks=all`` and ``enable_idempotence=True`` always, which keeps every
    topic it sends to in its client's metadata."""

    def _settings_extra(self) -> Mapping[str, Any]:
        return {**super()._settings_extra(), "acks": "all", "enable_idempotence": True}

    async def send(self, topic: str, key: bytes | None, value: bytes | None, partition: int | None,
                   timestamp: float | None, headers: Any, *,
                   transactional_id: str | None = None) -> Awaitable[RecordMetadata]:
        """Faust's send, once the topic is tracked by the client that sends it (``track_topic``)."""
        producer = self._transaction_producers.get(transactional_id) if transactional_id else self._producer
        if producer is not None:  # else Faust's send raises as before
            track_topic(producer, topic)
        return await super().send(topic, key, value, partition, timestamp, headers,
                                  transactional_id=transactional_id)


def set_idempotent_producer(app: faust.App) -> None:
    """Make ``app``'s producer idempotent. Call before the worker starts."""
    app.transport.Producer = IdempotentProducer  # type: ignore[misc]  # read from the transport instance
    app.producer_transport.Producer = IdempotentProducer  # type: ignore[misc]
