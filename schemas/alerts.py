"""Alerts, delivery attempts, acknowledgements and dead-letter records."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from pydantic import Field

from ._base import CountryCode, Timestamp, WireModel
from .events import Event
from .wanted import WantedPerson

__all__ = [
    "Alert",
    "Band",
    "Urgency",
    "Channel",
    "Delivery",
    "DeliveryStatus",
    "Acknowledgement",
    "Rejected",
    "alert_id_for",
    "delivery_key",
]

Band = Literal["alert", "review"]
Urgency = Literal["critical", "high", "normal"]
Channel = Literal["sms", "email"]
DeliveryStatus = Literal["sent", "failed", "skipped"]
"""Final states only: ``sent`` (the provider accepted it), ``failed`` (gave up), ``skipped`` (nothing to send to)."""


def alert_id_for(event_id: str, notice_id: str) -> str:
    """Deterministic alert id: the same (event, notice) pair always yields the same id.

    Short enough to read over the phone and type into an SMS reply (``ACK A-1B2C3D4E5F``).
    """
    digest = hashlib.sha256(f"{event_id}\x1f{notice_id}".encode()).hexdigest()
    return f"A-{digest[:10].upper()}"


def delivery_key(alert_id: str, recipient: str, channel: str) -> str:
    """Idempotency key of one delivery: one message per (alert, recipient, channel)."""
    return f"{alert_id}/{recipient}/{channel}"


class Alert(WireModel):
    """A hit of an event against an active notice, with the reasons a duty officer can read."""

    alert_id: str
    event_id: str
    event_type: Literal["border_crossing", "visa_application", "tip"]
    notice_id: str
    band: Band
    score: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
    reasons: list[str]
    urgency: Urgency
    country: CountryCode
    """Where the event happened."""
    requesting_country: CountryCode | None = None
    raised_at: Timestamp
    event: Event
    notice: WantedPerson


class Delivery(WireModel):
    """One delivery attempt's outcome for (alert, recipient, channel), on ``alerts.deliveries``."""

    key: str
    alert_id: str
    bureau_id: str
    recipient: str
    """Officer id from the bureau directory: never a phone number or a name."""
    channel: Channel
    status: DeliveryStatus
    attempts: int = 1
    provider_id: str | None = None
    error: str | None = None
    at: Timestamp


class Acknowledgement(WireModel):
    alert_id: str
    officer: str
    channel: Literal["link", "sms", "cli"]
    at: Timestamp


class Rejected(WireModel):
    """Dead-letter record on ``events.rejected``: where the bad record was, its bytes, and why."""

    topic: str
    partition: int
    offset: int
    raw: str
    """The original value, base64."""
    error: str


