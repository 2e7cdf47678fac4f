"""Alerts, delivery attempts, acknowledgements and dead-letter records."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ._base import CountryCode, Text, Timestamp, WireModel
from .document_hit import DocumentHit
from .events import Event
from .rejected import Rejected
from .wanted import WantedPerson

__all__ = [
    "Alert",
    "Band",
    "Urgency",
    "Channel",
    "Delivery",
    "DeliveryIntent",
    "DeliveryStatus",
    "Acknowledgement",
    "Rejected",
    "BureauEscalation",
    "DeliveryKind",
    "Escalation",
    "EscalationState",
    "StoredEscalation",
    "Sighting",
    "alert_id_for",
    "delivery_key",
]

Band = Literal["alert", "review"]
Urgency = Literal["critical", "high", "normal"]
Channel = Literal["sms", "email"]
DeliveryStatus = Literal["sent", "failed", "skipped", "queued", "delivered", "undelivered"]
"""``sent`` (the provider accepted it), ``failed`` (gave up, or the provider reported failure),
``skipped`` (deliberately not sent, e.g. rate limited). Twilio status callbacks add ``queued``,
``delivered`` and ``undelivered``. Every status is final for idempotency: a key that has any
status is never sent again."""
DeliveryKind = Literal["alert", "escalation", "seen_again", "withdrawn", "digest"]
"""``digest``: a review digest email (docs/review.md); its ``alert_id`` is the digest's id, ``D-<bureau>-<time>``."""


def alert_id_for(event_id: str, notice_id: str) -> str:
    """Deterministic alert id: the same (event, notice) pair always yields the same id.

    Short enough to read over the phone and type into an SMS reply (``ACK A-1B2C3D4E5F``).
    """
    digest = hashlib.sha256(f"{event_id}\x1f{notice_id}".encode()).hexdigest()
    return f"A-{digest[:10].upper()}"


def delivery_key(alert_id: str, recipient: str, channel: str) -> str:
    """Idempotency key of one delivery: one message per (alert, recipient, channel)."""
    return f"{alert_id}/{recipient}/{channel}"


class SeenBefore(WireModel):
    """A retro-screening hit: the event happened before the notice was issued (or changed).

    Set only on alerts raised when a new or changed notice re-screens the retained events
    (docs/wanted-lists.md "Retro-screening"); live alerts leave it ``None``.
    """

    occurred_at: Timestamp
    """When the sighting happened (the event's ``occurred_at``)."""
    country: CountryCode
    place: Annotated[Text, Field(max_length=200)] | None = None
    """Border post or consulate, or the tip's city."""
    age_hours: Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
    """How old the sighting was when the alert was raised; urgency follows it."""
    trigger: Literal["new_notice", "changed_notice", "document_reported"]
    """What re-screened the sighting: a new or changed notice, or a newly reported document."""


class Alert(WireModel):
    """A hit of an event against an active notice, with the reasons a duty officer can read."""

    alert_id: str
    event_id: str
    event_type: Literal["border_crossing", "visa_application", "tip"]
    notice_id: str
    """The notice hit; for a document hit, ``document:<report reference>``."""
    band: Band
    score: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
    reasons: list[str]
    urgency: Urgency
    country: CountryCode
    """Where the event happened."""
    requesting_country: CountryCode | None = None
    raised_at: Timestamp
    event: Event
    notice: WantedPerson | None = None
    """The notice hit; ``None`` for a document hit (then ``document`` is set)."""
    document: DocumentHit | None = None
    """A travel document reported stolen, lost, revoked or invalidated (docs/documents.md), or ``None``."""
    seen_before: SeenBefore | None = None
    """Retro-screening context (when and where the person was seen before the notice), or ``None``."""
    post_name: Annotated[Text, Field(max_length=80)] | None = None
    """The bureau directory's name for the event's post (``Bureau.posts``), when one is known; messages
    show it instead of the code the agency sent."""

    @model_validator(mode="after")
    def _one_subject(self) -> Alert:
        if (self.notice is None) == (self.document is None):
            raise ValueError("an alert is about a notice or a reported document: exactly one of them")
        return self


class Delivery(WireModel):
    """One delivery attempt's outcome for (alert, recipient, channel), on ``alerts.deliveries``."""

    key: str
    alert_id: str
    bureau_id: str
    recipient: str
    """Officer id from the bureau directory: never a phone number or a name."""
    channel: Channel
    status: DeliveryStatus
    kind: DeliveryKind = "alert"
    level: int = 0
    """Escalation level: 0 for the first recipients, 1.. for each step of the chain."""
    attempts: int = 1
    provider_id: str | None = None
    error: str | None = None
    at: Timestamp


class DeliveryIntent(WireModel):
    """About to hand one message to its provider: on ``alerts.deliveries.intents``, keyed by ``alert_id``.

    Written (and acknowledged by the brokers) before the first attempt. A key with an intent and
    no outcome on ``alerts.deliveries`` is *in doubt* after a crash: the provider may have it."""

    key: str
    alert_id: str
    bureau_id: str
    recipient: str
    """Officer id from the bureau directory: never a phone number or a name."""
    channel: Channel
    kind: DeliveryKind = "alert"
    level: int = 0
    at: Timestamp


class Acknowledgement(WireModel):
    """An officer acknowledged an alert for their bureau: that bureau's escalation stops."""

    alert_id: str
    bureau_id: str
    officer: str
    channel: Literal["link", "sms", "cli"]
    at: Timestamp


EscalationState = Literal["pending", "acked", "exhausted", "cancelled"]


class BureauEscalation(WireModel):
    level: int = 0
    due_at: Timestamp | None = None
    """When to take the next step if nobody has acknowledged; ``None`` when there is none."""
    state: EscalationState = "pending"
    acked_by: str | None = None


class Escalation(WireModel):
    """Escalation timers of one alert, per bureau, on the compacted ``alerts.escalations`` topic."""

    alert_id: str
    notice_id: str
    urgency: Urgency
    bureaus: dict[str, BureauEscalation]
    updated_at: Timestamp


class StoredEscalation(Escalation):
    """``Escalation`` plus the alert it is about, so a restarted dispatcher can send the next step.

    The value of an ``alerts.escalations`` record (keyed by ``alert_id``)."""

    alert: Alert


class Sighting(WireModel):
    """The first alert for a person at a place, on the compacted ``alerts.sightings`` topic (dedup)."""

    alert_id: str
    notice_id: str
    country: CountryCode
    place: str
    first_seen: Timestamp
    last_seen: Timestamp
    count: int = 1
