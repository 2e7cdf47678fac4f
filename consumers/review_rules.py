"""The review queue's rules, pure: which items are open, who may see and decide them, filters and order.

The queue is derived, never stored: from the items on ``reviews`` and the last decision per item on
``reviews.decisions`` (compacted, keyed by item id):

- no decision yet: the item is open in the queue of every bureau it was routed to (``item.bureaus``);
- last decision ``unsure``: it is open in the queue of the bureau it was referred to, and only there;
- last decision ``confirm``, ``not_the_person`` or ``revoked`` (a clearance ended,
  ``consumers.review_clearances``): it has left the queue.

An officer belongs to one or more bureaus or units (the war-crimes unit is one, and sees the items
routed to it by its subscription). They see and decide an item only while it is in the queue of one
of their bureaus.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from schemas.reviews import DECIDABLE, ClearedIdentity, ReviewDecision, ReviewItem

__all__ = [
    "EVENT_TYPES",
    "Principal",
    "Entry",
    "QueueFilter",
    "FilterError",
    "DecisionRefused",
    "entry_of",
    "may_see",
    "acting_bureau",
    "open_queue",
    "open_entries",
    "find_visible",
    "queue_depths",
    "decide",
    "checked_reason",
    "due_for_deletion",
]

EVENT_TYPES = ("border_crossing", "visa_application", "tip")
OUTCOMES: tuple[str, ...] = DECIDABLE
"""What an analyst may choose for an open item (``revoked`` is not one: it ends a clearance)."""
REASON_MAX = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""What ``schemas`` refuses in free text: control characters other than tabs and line breaks."""


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in officer: their id (from the bureau directory) and the bureaus or units they work for."""

    officer_id: str
    bureaus: frozenset[str]


@dataclass(frozen=True, slots=True)
class Entry:
    """An open item and the bureaus whose queue it is in now."""

    item: ReviewItem
    bureaus: tuple[str, ...]
    referral: ReviewDecision | None = None
    """The ``unsure`` decision that moved it, if any."""


class FilterError(ValueError):
    """A queue filter that cannot be read; the message says which parameter and why."""


class DecisionRefused(ValueError):
    """A decision that may not be recorded. ``status`` is the HTTP status the console answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def entry_of(item: ReviewItem, decision: ReviewDecision | None) -> Entry | None:
    """The item's place in the queues given its last decision; ``None`` once decided."""
    if decision is None:
        return Entry(item, tuple(dict.fromkeys(item.bureaus)))
    if decision.outcome == "unsure" and decision.referred_to is not None:
        return Entry(item, (decision.referred_to,), decision)
    return None


def may_see(principal: Principal, entry: Entry) -> bool:
    """An officer sees an item only while it is in the queue of one of their bureaus."""
    return any(b in principal.bureaus for b in entry.bureaus)


def acting_bureau(principal: Principal, entry: Entry) -> str | None:
    """The bureau under which the officer decides this item (the first of its queues they belong to)."""
    return next((b for b in entry.bureaus if b in principal.bureaus), None)


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the queue page shows: one bureau (of the officer's), one event type, a minimum age."""

    bureau: str | None = None
    event_type: str | None = None
    min_age: timedelta | None = None

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> QueueFilter:
        """From the page's query string (``bureau``, ``event_type``, ``min_age_hours``); empty means any."""
        bureau = query.get("bureau", "").strip() or None
        event_type = query.get("event_type", "").strip() or None
        if event_type is not None and event_type not in EVENT_TYPES:
            raise FilterError(f"event_type must be one of {', '.join(EVENT_TYPES)}")
        raw_age = query.get("min_age_hours", "").strip()
        min_age = None
        if raw_age:
            try:
                hours = float(raw_age)
            except ValueError:
                raise FilterError("min_age_hours must be a number of hours") from None
            if not 0 <= hours <= 24 * 3650:
                raise FilterError("min_age_hours must be between 0 and 87600")
            min_age = timedelta(hours=hours)
        return cls(bureau, event_type, min_age)

    def keeps(self, entry: Entry, now: datetime) -> bool:
        if self.bureau is not None and self.bureau not in entry.bureaus:
            return False
        if self.event_type is not None and entry.item.alert.event_type != self.event_type:
            return False
        return self.min_age is None or now - entry.item.queued_at >= self.min_age


def _open(items: Mapping[str, ReviewItem], decisions: Mapping[str, ReviewDecision]) -> Iterable[Entry]:
    for item_id, item in items.items():
        entry = entry_of(item, decisions.get(item_id))
        if entry is not None:
            yield entry


def open_entries(items: Mapping[str, ReviewItem], decisions: Mapping[str, ReviewDecision]) -> list[Entry]:
    """Every open item, in every queue, oldest first: what a digest loop (re)starts from."""
    return sorted(_open(items, decisions), key=lambda e: (e.item.queued_at, e.item.item_id))


def open_queue(items: Mapping[str, ReviewItem], decisions: Mapping[str, ReviewDecision], principal: Principal,
               query: QueueFilter, now: datetime) -> list[Entry]:
    """The open items the officer may see that pass the filter, oldest first (then by item id)."""
    kept = [e for e in _open(items, decisions) if may_see(principal, e) and query.keeps(e, now)]
    return sorted(kept, key=lambda e: (e.item.queued_at, e.item.item_id))


def find_visible(items: Mapping[str, ReviewItem], decisions: Mapping[str, ReviewDecision], principal: Principal,
                 item_id: str) -> Entry | None:
    """The open item ``item_id`` if the officer may see it; ``None`` alike when absent, decided or not theirs."""
    item = items.get(item_id)
    if item is None:
        return None
    entry = entry_of(item, decisions.get(item_id))
    return entry if entry is not None and may_see(principal, entry) else None


def queue_depths(items: Mapping[str, ReviewItem], decisions: Mapping[str, ReviewDecision],
                 now: datetime) -> dict[str, tuple[int, float]]:
    """bureau -> (open items, age in seconds of its oldest open item)."""
    depths: dict[str, tuple[int, float]] = {}
    for entry in _open(items, decisions):
        age = max(0.0, (now - entry.item.queued_at).total_seconds())
        for bureau in entry.bureaus:
            count, oldest = depths.get(bureau, (0, 0.0))
            depths[bureau] = (count + 1, max(oldest, age))
    return depths


def decide(entry: Entry | None, principal: Principal, outcome: str, reason: str, now: datetime, *,
           identity: ClearedIdentity | None, notice_fingerprint: str) -> ReviewDecision:
    """The decision record for ``outcome`` on ``entry`` by ``principal``; :class:`DecisionRefused` if not allowed.

    ``identity`` is the event person's document and full birth date (``matching.clearance.identity_of``);
    it is kept only for ``not_the_person``. ``unsure`` refers the item to its requesting bureau.
    """
    if entry is None:
        raise DecisionRefused("no such item in your queue (it may have been decided already)", 404)
    bureau = acting_bureau(principal, entry)
    if bureau is None:
        raise DecisionRefused("no such item in your queue (it may have been decided already)", 404)
    if outcome not in OUTCOMES:
        raise DecisionRefused(f"decision must be one of {', '.join(OUTCOMES)}")
    reason = checked_reason(reason)
    referred_to = None
    if outcome == "unsure":
        referred_to = entry.item.requesting_bureau
        if referred_to is None:
            raise DecisionRefused("no bureau serves the notice's requesting country: confirm, or clear it")
        if referred_to in principal.bureaus:
            raise DecisionRefused("you are the requesting bureau: confirm, or clear it")
    alert = entry.item.alert
    return ReviewDecision(
        item_id=entry.item.item_id, alert_id=alert.alert_id, notice_id=alert.notice_id, bureau_id=bureau,
        officer=principal.officer_id, outcome=outcome,  # checked against OUTCOMES
        reason=reason, at=now,
        identity=identity if outcome == "not_the_person" else None,
        notice_fingerprint=notice_fingerprint if outcome == "not_the_person" else None,
        referred_to=referred_to)


def checked_reason(reason: str) -> str:
    """The reason a decision records (trimmed, CRLF as LF); :class:`DecisionRefused` if empty, too long or not text."""
    reason = reason.strip()
    if not reason:
        raise DecisionRefused("give a reason for the decision")
    if len(reason) > REASON_MAX:
        raise DecisionRefused(f"the reason is longer than {REASON_MAX} characters")
    if _CONTROL.search(reason):
        raise DecisionRefused("the reason holds control characters")
    return reason.replace("\r\n", "\n")


def due_for_deletion(decisions: Mapping[str, ReviewDecision], now: datetime, retention: timedelta) -> list[str]:
    """Item ids whose decision is at least ``retention`` old: their record is replaced by a tombstone."""
    return sorted(item_id for item_id, d in decisions.items() if now - d.at >= retention)
