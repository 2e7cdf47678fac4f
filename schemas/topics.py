"""Topic names (docs/records.md has each topic's key and value). Prefix them with ``Settings.topic``."""

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
    "DOCUMENTS",
    "REVIEWS",
    "REVIEW_DECISIONS",
    "DOCUMENT_CHECKS",
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
DOCUMENTS = "documents.reported"
"""``<issuing country>:<number>`` -> ReportedDocument, or null when recovered (schemas/documents.py)."""
REVIEWS = "reviews"
"""item id -> ReviewItem: a review-band hit waiting for an analyst (schemas/reviews.py, docs/review.md)."""
REVIEW_DECISIONS = "reviews.decisions"
"""item id -> ReviewDecision (compacted; a null value is a retention tombstone)."""
DOCUMENT_CHECKS = "documents.checks"
"""``<issuing country>:<number>`` -> DocumentCheck: an event's document, routed to the worker that holds it
(schemas/checks.py). Same partition count as ``documents.reported``."""

EVENT_TOPICS: dict[str, str] = {
    "border_crossing": BORDER_CROSSINGS,
    "visa_application": VISA_APPLICATIONS,
    "tip": TIPS,
}
"""event_type -> topic."""

COMPACTED = frozenset({WANTED, BUREAUS, ESCALATIONS, SIGHTINGS, RETRO_FINGERPRINTS, DOCUMENTS, REVIEW_DECISIONS})

INGEST_PREFIX = "ingest."
"""Per-agency ingest topics (issue 6, docs/security.md): ``ingest.<agency>.<kind>``, where only that
agency may write; the worker checks each event and forwards it to ``events.<kind>``."""


def ingest_topic(agency: str, event_type: str) -> str:
    """``ingest.<agency>.border-crossings|visa-applications|tips`` (unprefixed) for ``event_type``."""
    return f"{INGEST_PREFIX}{agency}.{EVENT_TOPICS[event_type].removeprefix('events.')}"
