"""Clearances in the review console and on the command line, pure: which ones hold, who may revoke them, the record.

A clearance is a ``not_the_person`` decision that named an identity (``schemas.reviews.clearance_from``),
the last decision of its item on the compacted ``reviews.decisions``. It **holds** until it expires
(``clearance_days`` after the decision) or is revoked. Revoking writes a new decision on the same
item, outcome ``revoked``, naming the clearance it ends (:class:`~schemas.reviews.Revoked`): as the
item's last word it replaces the clearance in every worker (``streams.clearances``), and the
traveller's next event is screened as if nobody had cleared them.

Who may revoke: an officer of the bureau that cleared (``decision.bureau_id``), exactly as only an
item's bureaus may decide it; anything else is refused like a clearance that does not exist (404).
The command line (``fugitive-alerts review revoke``) acts for the clearing bureau, and says why it
refuses (:func:`revocation`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from schemas.reviews import ReviewDecision, Revoked, clearance_from

from .review_rules import DecisionRefused, Principal, checked_reason

__all__ = ["holds", "clearances_of", "find_clearance", "revocation", "revoke"]

_NOT_YOURS = "no such clearance of your bureau (it may have expired or been revoked already)"


def holds(decision: ReviewDecision, now: datetime, days: int) -> bool:
    """A ``not_the_person`` decision that cleared an identity, not expired at ``now``."""
    clearance = clearance_from(decision, days)
    return clearance is not None and clearance.live(now)


def clearances_of(decisions: Mapping[str, ReviewDecision], principal: Principal, now: datetime,
                  days: int) -> list[ReviewDecision]:
    """The clearances of the officer's bureaus that hold at ``now``, newest first (then by item id)."""
    mine = [d for d in decisions.values() if d.bureau_id in principal.bureaus and holds(d, now, days)]
    return sorted(mine, key=lambda d: (-d.at.timestamp(), d.item_id))


def find_clearance(decisions: Mapping[str, ReviewDecision], principal: Principal, item_id: str, now: datetime,
                   days: int) -> ReviewDecision | None:
    """The item's clearance if it holds and one of the officer's bureaus made it; ``None`` alike otherwise."""
    decision = decisions.get(item_id)
    if decision is None or decision.bureau_id not in principal.bureaus or not holds(decision, now, days):
        return None
    return decision


def revocation(decision: ReviewDecision | None, item_id: str, officer: str, bureau_id: str, reason: str,
               now: datetime, days: int) -> ReviewDecision:
    """The ``revoked`` record that ends the clearance ``decision`` (the item's last decision, or ``None``).

    :class:`~consumers.review_rules.DecisionRefused` says why not: no decision on the item, a decision
    that is not a clearance, one that cleared nothing or has expired, or a bad reason (status 400).
    """
    if decision is None:
        raise DecisionRefused(f"no decision on record for item {item_id}", 404)
    if decision.outcome == "revoked":
        raise DecisionRefused(f"the clearance of item {item_id} was revoked already ({decision.at:%Y-%m-%d %H:%M} UTC)",
                              404)
    if decision.outcome != "not_the_person":
        raise DecisionRefused(f"item {item_id} is not a clearance: its last decision is {decision.outcome}", 404)
    clearance = clearance_from(decision, days)
    if clearance is None:
        raise DecisionRefused(f"item {item_id} cleared nothing (the event had no document or no full birth date)",
                              404)
    if not clearance.live(now):
        raise DecisionRefused(f"the clearance of item {item_id} expired on {clearance.expires_at:%Y-%m-%d}", 404)
    return ReviewDecision(item_id=decision.item_id, alert_id=decision.alert_id, notice_id=decision.notice_id,
                          bureau_id=bureau_id, officer=officer, outcome="revoked", reason=checked_reason(reason),
                          at=now, revokes=Revoked(officer=decision.officer, bureau_id=decision.bureau_id,
                                                  at=decision.at))


def revoke(decisions: Mapping[str, ReviewDecision], principal: Principal, item_id: str, reason: str, now: datetime,
           days: int) -> ReviewDecision:
    """The console's revocation by ``principal``: refused (404) unless one of their bureaus made the clearance."""
    decision = find_clearance(decisions, principal, item_id, now, days)
    if decision is None:
        raise DecisionRefused(_NOT_YOURS, 404)
    return revocation(decision, item_id, principal.officer_id, decision.bureau_id, reason, now, days)
