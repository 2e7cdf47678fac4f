"""Cleared namesakes: does an analyst's "not the person" still hold for this event and this notice?

An analyst who found that a traveller is not the listed person clears that identity for that
notice (``schemas.Clearance``). Later events with the same identity are then answered
``cleared``: no review, no alert. A clearance is narrow on purpose; :func:`check` lets it
suppress a hit only when every one of these holds:

1. it is live: not expired, not revoked;
2. it is for this notice, and the notice has not changed since (same content fingerprint);
3. the event names the same identity: the same travel document (issuing country and number, as
   ICAO Doc 9303 prints it) **and** the same full birth date. An event without a document or a
   full birth date is never cleared;
4. the event's document is not one of the notice's own documents: a hit on the listed person's
   own passport is never suppressed, whoever cleared what.

Pure: no I/O; the caller passes the notice's fingerprint and the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from schemas import WantedPerson
from schemas.documents import normalise_number
from schemas.events import Person
from schemas.reviews import Clearance, ClearedIdentity

__all__ = ["Verdict", "identity_of", "clearance_key", "check"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a clearance suppresses the hit and, when it does not, which condition failed."""

    applies: bool
    why: str


def identity_of(person: Person) -> ClearedIdentity | None:
    """The identity an analyst can clear: document country and number, and a full birth date; else ``None``."""
    doc, born = person.document, person.birth_date
    if doc is None or doc.country is None or born is None or len(born) != 10:
        return None
    try:
        number = normalise_number(doc.number)
    except ValueError:
        return None
    return ClearedIdentity(document_country=doc.country, document_number=number, birth_date=born)


def clearance_key(notice_id: str, identity: ClearedIdentity) -> str:
    """Key of a clearance in a store: one per (notice, document); the birth date must match on top."""
    return f"{notice_id}|{identity.document_country}:{identity.document_number}"


def _own_document(notice: WantedPerson, identity: ClearedIdentity) -> bool:
    for doc in notice.documents:
        try:
            number = normalise_number(doc.number)
        except ValueError:
            continue
        if number == identity.document_number and (doc.country is None or doc.country == identity.document_country):
            return True
    return False


def check(clearance: Clearance, notice: WantedPerson, notice_fingerprint: str, person: Person, now: datetime) -> Verdict:
    """Does ``clearance`` suppress the hit of ``person`` on ``notice`` at ``now``? See the module doc."""
    if not clearance.live(now):
        return Verdict(False, "clearance expired or revoked")
    if clearance.notice_id != notice.notice_id:
        return Verdict(False, "clearance is for another notice")
    if clearance.notice_fingerprint != notice_fingerprint:
        return Verdict(False, "notice changed since the clearance")
    identity = identity_of(person)
    if identity is None:
        return Verdict(False, "event has no document or no full birth date")
    if (identity.document_country, identity.document_number) != (
            clearance.identity.document_country, clearance.identity.document_number):
        return Verdict(False, "another document")
    if identity.birth_date != clearance.identity.birth_date:
        return Verdict(False, "another birth date")
    if _own_document(notice, identity):
        return Verdict(False, "the event's document is one of the notice's own")
    return Verdict(True, f"cleared by {clearance.cleared_by} ({clearance.bureau_id}) on {clearance.at.date().isoformat()}")
