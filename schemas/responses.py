"""Answers to the publishing agency, on ``responses.<agency>`` keyed by ``event_id``.

A response carries nothing personal that the agency did not send itself: no name, birth date or
document of the notice, only what the officer at the desk needs to act.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import Timestamp, WireModel
from .document_hit import DocumentHit

__all__ = ["Response", "ResponseHit", "AppliedClearance", "CallBureau", "ResponseResult", "response_topic", "ACTIONS"]

ResponseResult = Literal["no_hit", "review", "hit", "cleared", "rejected"]

ACTIONS: dict[str, str] = {
    "red": "Hold the traveller and contact your national bureau now.",
    "war_crimes": "Hold the traveller and contact your national bureau now.",
    "national": "Hold the traveller and contact your national bureau now.",
    "diffusion": "Do not let the traveller leave before you have contacted your national bureau.",
    "document": "Document reported stolen or lost: keep the document, hold the traveller and contact your "
                "national bureau now.",
    "cleared": "A possible match was cleared earlier by your national bureau for this traveller and document: "
               "proceed with normal checks.",
    "review": "Possible match, under review by your national bureau. Proceed with normal checks; "
              "the bureau will contact you if needed.",
}
"""What the officer at the desk should do, by notice type (and for a review-band hit)."""


class CallBureau(WireModel):
    id: str
    name: str
    phone: str | None = None
    """The bureau's 24/7 number, E.164."""


class ResponseHit(WireModel):
    alert_id: str
    band: Literal["alert", "review"]
    action: str
    notice_type: str
    caution: str | None = None
    call: CallBureau | None = None
    document: DocumentHit | None = None
    """For a reported document (``notice_type: document``): the report's reference, status, reporting
    country and date (docs/documents.md); never the number."""


class AppliedClearance(WireModel):
    """A hit not raised because an analyst cleared this traveller for that notice (docs/review.md)."""

    alert_id: str
    """The alert the hit would have been (the same id as the cleared one's, for the same notice)."""
    cleared_by: str
    """The officer's id, never a name."""
    bureau_id: str
    cleared_at: Timestamp
    expires_at: Timestamp


class Response(WireModel):
    event_id: str
    """The event answered; for a record too broken to name one, ``<topic>:<partition>:<offset>``."""
    event_type: Literal["border_crossing", "visa_application", "tip"] | None = None
    agency: str
    result: ResponseResult
    hits: list[ResponseHit] = Field(default_factory=list)
    cleared: list[AppliedClearance] = Field(default_factory=list)
    """Hits suppressed by an analyst's clearance (result ``cleared`` when nothing else hit)."""
    error: str | None = None
    """For ``rejected``: why the record was refused (field paths and rules, never the values)."""
    responded_at: Timestamp


def response_topic(agency: str) -> str:
    """``responses.<agency>`` (before the settings' prefix)."""
    return f"responses.{agency}"
