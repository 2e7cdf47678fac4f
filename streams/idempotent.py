"""The worker's producer is idempotent, as every other producer of the project.

Faust asks for ``acks=all`` and idempotence only under ``exactly_once``; under ``at_least_once`` its
producer has ``acks`` from the settings (the worker sets -1, i.e. all) and no idempotence. When a
partition leader dies mid-request the producer retries against the new leader, and without
idempotence a retry whose first attempt was in fact written is written twice. Alerts and responses
are idempotent downstream (deterministic alert ids), so this removes duplicate records, not
duplicate messages; it costs nothing measurable (a producer id and sequence numbers per batch).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka

__all__ = ["set_idempotent_producer"]


class IdempotentProducer(faust_aiokafka.Producer):
    """Faust's aiokafka producer with ``acks=all`` and ``enable_idempotence=True`` always."""

    def _settings_extra(self) -> Mapping[str, Any]:
        return {**super()._settings_extra(), "acks": "all", "enable_idempotence": True}


def set_idempotent_producer(app: faust.App) -> None:
    """Make ``app``'s producer idempotent. Call before the worker starts."""
    app.transport.Producer = IdempotentProducer  # type: ignore[misc]  # read from the transport instance
    app.producer_transport.Producer = IdempotentProducer  # type: ignore[misc]
