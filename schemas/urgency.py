"""How urgent an alert is: it follows the event, and a caution flag raises it (docs/architecture.md, "Bands and urgency").

Pure and in ``schemas`` so that both sides use the one rule: the worker for a hit it raises, and the
review console for a review item an analyst confirms (``schemas.reviews.confirmed_alert``).
"""

from __future__ import annotations

from .alerts import Urgency

__all__ = ["urgency_for"]

_BASE_URGENCY: dict[str, Urgency] = {
    "border_crossing": "critical",
    "visa_application": "high",
    "tip": "normal",
}
_RAISED: dict[Urgency, Urgency] = {"normal": "high", "high": "critical", "critical": "critical"}


def urgency_for(event_type: str, caution: str | None, band: str) -> Urgency:
    """Urgency follows the event: border crossing ``critical``, visa application ``high``, tip ``normal``; a
    caution flag on the notice raises it one step.

    A review-band hit is never more than ``normal``: it is recorded for an analyst, not pushed.
    """
    if band == "review":
        return "normal"
    urgency = _BASE_URGENCY[event_type]
    return _RAISED[urgency] if caution else urgency
