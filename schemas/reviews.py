"""Review-band hits, analysts' decisions and cleared namesakes (the ``reviews`` and ``reviews.decisions`` topics).

A review-band hit becomes a :class:`ReviewItem` in its bureaus' queue. An analyst decides it
(:class:`ReviewDecision`): ``confirm`` (the hit becomes an alert with its event type's urgency),
``not_the_person`` (the namesake is cleared: a :class:`Clearance` for that notice and that
identity), or ``unsure`` (referred to the requesting bureau's analysts). A clearance is ended
early by a ``revoked`` decision on the same item (:class:`Revoked` names the clearance it ends),
which, the topic being compacted, becomes the item's last word. Decisions are kept on a
compacted topic keyed by item id: Kafka is the audit trail, as for deliveries.

A clearance names the identity it clears by the travel document (issuing country and number, as
ICAO Doc 9303 prints it) **and** the full birth date. It is personal data: it is deleted with a
tombstone after the retention period (docs/security.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ._base import CountryCode, FreeText, Text, Timestamp, WireModel
from .alerts import Alert
from .urgency import urgency_for

__all__ = ["Outcome", "DECIDABLE", "ReviewItem", "ClearedIdentity", "Revoked", "ReviewDecision", "Clearance",
           "clearance_from", "confirmed_alert"]

Outcome = Literal["confirm", "not_the_person", "unsure", "revoked"]
"""``revoked`` ends a ``not_the_person`` clearance; it is not a decision on an open item."""
DECIDABLE: tuple[Outcome, ...] = ("confirm", "not_the_person", "unsure")
"""The outcomes an analyst chooses for an open item."""

_FullDate = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class ReviewItem(WireModel):
    """A review-band hit waiting for an analyst, on ``reviews`` keyed by ``item_id`` (the hit's alert id)."""

    item_id: str
    alert: Alert
    bureaus: list[Annotated[str, Field(min_length=1, max_length=64)]]
    """The bureaus whose analysts may see and decide it (routing of the hit)."""
    queued_at: Timestamp
    requesting_bureau: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    """The bureau of the notice's requesting country, where an ``unsure`` decision refers the item;
    ``None`` when no bureau serves that country (then ``unsure`` is refused)."""


class ClearedIdentity(WireModel):
    """Who was found not to be the listed person: document and full birth date, both required."""

    document_country: CountryCode
    document_number: Annotated[str, Field(pattern=r"^[0-9A-Z]{1,24}$")]
    """Normalised as in ICAO Doc 9303 (``schemas.documents.normalise_number``)."""
    birth_date: _FullDate


class Revoked(WireModel):
    """For ``revoked``: the ``not_the_person`` decision the revocation ends (who cleared, their bureau, when).

    The cleared identity is not repeated: a revocation keeps no personal data beyond its reason."""

    officer: Annotated[str, Field(min_length=1, max_length=64)]
    bureau_id: str
    at: Timestamp


class ReviewDecision(WireModel):
    """An analyst's decision on one item, on the compacted ``reviews.decisions`` topic keyed by ``item_id``."""

    item_id: str
    alert_id: str
    notice_id: str
    bureau_id: str
    """The bureau the deciding officer belongs to."""
    officer: Annotated[str, Field(min_length=1, max_length=64)]
    """Officer id from the bureau directory, never a name."""
    outcome: Outcome
    reason: Annotated[FreeText, Field(max_length=2000)] = ""
    at: Timestamp
    identity: ClearedIdentity | None = None
    """For ``not_the_person``: the identity to clear. ``None`` when the event lacked a document or a
    full birth date: the decision is recorded, but nothing is cleared."""
    notice_fingerprint: Annotated[Text, Field(max_length=128)] | None = None
    """The notice's content fingerprint when it was decided; a changed notice voids the clearance."""
    referred_to: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    """For ``unsure``: the bureau the item was referred to (it moves to that bureau's queue)."""
    revokes: Revoked | None = None
    """For ``revoked``: the clearance it ends. A revocation replaces that decision on the compacted topic."""

    @model_validator(mode="after")
    def _identity_only_when_cleared(self) -> ReviewDecision:
        if self.identity is not None and self.outcome != "not_the_person":
            raise ValueError("identity is only recorded with outcome not_the_person")
        if (self.referred_to is not None) != (self.outcome == "unsure"):
            raise ValueError("referred_to is required with outcome unsure, and only with it")
        if (self.revokes is not None) != (self.outcome == "revoked"):
            raise ValueError("revokes is required with outcome revoked, and only with it")
        return self


class Clearance(WireModel):
    """A cleared namesake: this identity is not the person of this notice, as the notice stood then."""

    notice_id: str
    identity: ClearedIdentity
    notice_fingerprint: Annotated[Text, Field(max_length=128)]
    cleared_by: str
    """Officer id."""
    bureau_id: str
    at: Timestamp
    expires_at: Timestamp
    revoked_at: Timestamp | None = None

    def live(self, now: datetime) -> bool:
        """Not expired and not revoked at ``now``."""
        return now < self.expires_at and (self.revoked_at is None or now < self.revoked_at)


def clearance_from(decision: ReviewDecision, days: int) -> Clearance | None:
    """The clearance a ``not_the_person`` decision makes, valid ``days`` days; ``None`` when it clears nothing."""
    if decision.outcome != "not_the_person" or decision.identity is None or decision.notice_fingerprint is None:
        return None
    return Clearance(notice_id=decision.notice_id, identity=decision.identity,
                     notice_fingerprint=decision.notice_fingerprint, cleared_by=decision.officer,
                     bureau_id=decision.bureau_id, at=decision.at, expires_at=decision.at + timedelta(days=days))


def confirmed_alert(item: ReviewItem, decision: ReviewDecision) -> Alert:
    """The alert a ``confirm`` makes of a review item: the same alert id, band ``alert``, its event type's urgency
    (a caution flag raises it), and a reason naming who confirmed it (ids only)."""
    alert = item.alert
    caution = alert.notice.caution if alert.notice is not None else None
    reason = f"confirmed in review by {decision.officer} ({decision.bureau_id})"
    return alert.model_copy(update={"band": "alert", "urgency": urgency_for(alert.event_type, caution, "alert"),
                                    "reasons": [*alert.reasons, reason], "raised_at": decision.at})
