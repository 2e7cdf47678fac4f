"""Topic names (DESIGN.md "Topics"). Prefix them with ``Settings.topic``."""

from __future__ import annotations

__all__ = [
    "BORDER_CROSSINGS",
    "VISA_APPLICATIONS",
    "TIPS",
    "REJECTED",
    "WANTED",
    "ALERTS",
    "DELIVERIES",
    "ACKS",
    "BUREAUS",
    "ESCALATIONS",
    "SIGHTINGS",
    "DELIVERY_FAILURES",
    "DELIVERY_INTENTS",
    "RETRO_FINGERPRINTS",
    "EVENT_TOPICS",
    "COMPACTED",
    "INGEST_PREFIX",
    "ingest_topic",
]

BORDER_CROSSINGS = "events.border-crossings"
VISA_APPLICATIONS = "events.visa-applications"
TIPS = "events.tips"
REJECTED = "events.rejected"
WANTED = "wanted.notices"
ALERTS = "alerts"
DELIVERIES = "alerts.deliveries"
ACKS = "alerts.acks"
BUREAUS = "bureaus"
ESCALATIONS = "alerts.escalations"
SIGHTINGS = "alerts.sightings"
DELIVERY_FAILURES = "alerts.deliveries.dead"
DELIVERY_INTENTS = "alerts.deliveries.intents"
"""alert_id -> DeliveryIntent: a message about to be handed to its provider (reconciled after a crash)."""
RETRO_FINGERPRINTS = "wanted.retro-fingerprints"
"""notice_id -> fingerprint of the notice content last retro-screened (streams/retro_agent.py)."""

EVENT_TOPICS: dict[str, str] = {
    "border_crossing": BORDER_CROSSINGS,
    "visa_application": VISA_APPLICATIONS,
    "tip": TIPS,
}
"""event_type -> topic."""

COMPACTED = frozenset({WANTED, BUREAUS, ESCALATIONS, SIGHTINGS, RETRO_FINGERPRINTS})

INGEST_PREFIX = "ingest."
"""Per-agency ingest topics (issue 6, docs/security.md): ``ingest.<agency>.<kind>``, where only that
agency may write; the worker checks each event and forwards it to ``events.<kind>``."""


def ingest_topic(agency: str, event_type: str) -> str:
    """``ingest.<agency>.border-crossings|visa-applications|tips`` (unprefixed) for ``event_type``."""
    return f"{INGEST_PREFIX}{agency}.{EVENT_TOPICS[event_type].removeprefix('events.')}"
