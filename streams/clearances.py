"""Cleared namesakes in every worker: the clearances of the compacted ``reviews.decisions`` topic.

Every worker reads the whole topic (group-less, :class:`infra.CompactedReader`, as the wanted list)
and keeps the live clearances by (notice, document): a ``not_the_person`` decision that names an
identity adds one (``schemas.reviews.clearance_from``, valid ``clearance_days``); any later
decision on the same item (a ``revoked`` one, from the console's Clearances page or
``fugitive-alerts review revoke``), or its tombstone, replaces it, which revokes the clearance. Whether one
suppresses a hit is ``matching.clearance.check`` (pure): same notice, unchanged since, same
document and birth date, not one of the notice's own documents, not expired or revoked.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from matching.clearance import check, clearance_key, identity_of
from schemas import Person, WantedPerson
from schemas.reviews import Clearance, ReviewDecision, clearance_from
from schemas.wanted import fingerprint

from .screening import describe_validation_error
from .wanted_table import CompactedTable

__all__ = ["ClearanceTable"]


class ClearanceTable(CompactedTable):
    """Live clearances from ``reviews.decisions``; :meth:`lookup` is the screening's ``ClearanceLookup``."""

    def __init__(self, topic: str, client_kwargs: dict[str, Any], days: int, **kwargs: Any) -> None:
        self.days = days
        self.by_key: dict[str, dict[str, Clearance]] = {}
        """``clearance_key(notice, identity)`` -> item id -> clearance."""
        self._key_of: dict[str, str] = {}
        super().__init__(topic, client_kwargs, self._apply, **kwargs)

    def _drop(self, item_id: str) -> None:
        key = self._key_of.pop(item_id, None)
        if key is not None:
            held = self.by_key.get(key, {})
            held.pop(item_id, None)
            if not held:
                self.by_key.pop(key, None)

    def _apply(self, key: bytes | None, value: bytes | None) -> str | None:
        if not key:
            return "record without a key"
        item_id = key.decode("utf-8", "replace")
        self._drop(item_id)  # a later decision or a tombstone revokes what the item cleared before
        if value is None:
            return None
        try:
            decision = ReviewDecision.model_validate_json(value)
        except ValidationError as exc:
            return f"invalid decision: {describe_validation_error(exc)}"
        clearance = clearance_from(decision, self.days)
        if clearance is not None:
            ckey = clearance_key(clearance.notice_id, clearance.identity)
            self.by_key.setdefault(ckey, {})[item_id] = clearance
            self._key_of[item_id] = ckey
        return None

    def __len__(self) -> int:
        return len(self._key_of)

    def lookup(self, notice: WantedPerson, person: Person, now: datetime | None = None) -> Clearance | None:
        """The live clearance that suppresses a hit of ``person`` on ``notice``, if any (the latest one)."""
        if not self.by_key:
            return None
        identity = identity_of(person)
        if identity is None:
            return None
        held = self.by_key.get(clearance_key(notice.notice_id, identity))
        if not held:
            return None
        now = now or datetime.now(UTC)
        notice_print = fingerprint(notice)
        applying = [c for c in held.values() if check(c, notice, notice_print, person, now).applies]
        return max(applying, key=lambda c: c.at) if applying else None
