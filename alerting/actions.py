"""What the pure delivery machines ask the Kafka loop to do. Plain values, no I/O.

The machines (``alerting.escalation``, ``alerting.dedup``, ``alerting.plan``) decide; the
dispatcher carries these out, in order, and feeds ``Send.then`` back once the messages are sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas import Alert, DeliveryKind, Sighting, StoredEscalation

from .routing import Recipient

__all__ = ["Send", "Save", "RecordSighting", "Action"]


@dataclass(frozen=True, slots=True)
class Send:
    """Deliver ``kind`` messages of ``alert`` to each recipient (each message idempotent by its key),
    then feed ``then`` (an event of the machine that asked) back, if any."""

    alert: Alert
    recipients: tuple[Recipient, ...]
    kind: DeliveryKind = "alert"
    level: int = 0
    original: str | None = None
    """For a "seen again" update: the earlier alert it refers to."""
    then: object | None = None


@dataclass(frozen=True, slots=True)
class Save:
    """Write this escalation record to ``alerts.escalations`` (keyed by its ``alert_id``)."""

    record: StoredEscalation


@dataclass(frozen=True, slots=True)
class RecordSighting:
    """Write this sighting to ``alerts.sightings`` under ``key``."""

    key: str
    sighting: Sighting


Action = Send | Save | RecordSighting
