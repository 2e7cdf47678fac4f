"""Cleared namesakes: a clearance suppresses a hit only for the same live clearance, notice, document and birth date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from matching.clearance import check, clearance_key, identity_of
from schemas import WantedPerson
from schemas.events import Person
from schemas.reviews import Clearance, ClearedIdentity, ReviewDecision
from tests import factories as f

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
NOTICE = WantedPerson.model_validate(f.notice("Quennell", "Hesper", notice_id="2026/1", dob="1981-04-02",
                                              nationality="FR", passport="FR9990001"))
FP = "fp-1"


def _traveller(**over: object) -> Person:
    base = f.traveler("QUENNELL", "HESPER", dob="1981-06-19", nationality="FR", passport="12AB 34567")
    return Person.model_validate({**base, **over})


def _clearance(**over: object) -> Clearance:
    values: dict[str, object] = {
        "notice_id": "2026/1", "notice_fingerprint": FP, "cleared_by": "fr-analyst-1", "bureau_id": "ncb-fr",
        "identity": {"document_country": "FR", "document_number": "12AB34567", "birth_date": "1981-06-19"},
        "at": NOW - timedelta(days=10), "expires_at": NOW + timedelta(days=170),
    }
    return Clearance.model_validate({**values, **over})


def test_the_same_identity_on_the_same_unchanged_notice_is_cleared() -> None:
    verdict = check(_clearance(), NOTICE, FP, _traveller(), NOW)
    assert verdict.applies
    assert "fr-analyst-1" in verdict.why and "ncb-fr" in verdict.why


def test_the_document_is_compared_as_icao_prints_it() -> None:
    person = _traveller(document={"type": "passport", "number": "12ab-345<67", "country": "FR"})
    assert check(_clearance(), NOTICE, FP, person, NOW).applies


@pytest.mark.parametrize(("person", "clearance", "fingerprint", "now", "why"), [
    ({"birth_date": "1981-06-20"}, {}, FP, NOW, "another birth date"),
    ({"birth_date": "1981-06"}, {}, FP, NOW, "no full birth date"),
    ({"birth_date": None}, {}, FP, NOW, "no full birth date"),
    ({"document": {"type": "passport", "number": "12AB34568", "country": "FR"}}, {}, FP, NOW, "another document"),
    ({"document": {"type": "passport", "number": "12AB34567", "country": "BE"}}, {}, FP, NOW, "another document"),
    ({"document": None}, {}, FP, NOW, "no document"),
    ({"document": {"type": "passport", "number": "12AB34567"}}, {}, FP, NOW, "no document"),
    ({}, {}, "fp-2", NOW, "notice changed"),
    ({}, {"notice_id": "2026/2"}, FP, NOW, "another notice"),
    ({}, {}, FP, NOW + timedelta(days=171), "expired or revoked"),
    ({}, {"revoked_at": NOW - timedelta(minutes=1)}, FP, NOW, "expired or revoked"),
])
def test_a_clearance_never_suppresses_when_anything_differs(person: dict[str, object], clearance: dict[str, object],
                                                            fingerprint: str, now: datetime, why: str) -> None:
    verdict = check(_clearance(**clearance), NOTICE, fingerprint, _traveller(**person), now)
    assert not verdict.applies
    assert why in verdict.why


def test_a_hit_on_the_notices_own_document_is_never_cleared() -> None:
    own = {"document_country": "FR", "document_number": "FR9990001", "birth_date": "1981-06-19"}
    person = _traveller(document={"type": "passport", "number": "FR 999 0001", "country": "FR"})
    verdict = check(_clearance(identity=own), NOTICE, FP, person, NOW)
    assert not verdict.applies and "notice's own" in verdict.why


def test_a_revocation_after_now_does_not_void_it_yet() -> None:
    assert check(_clearance(revoked_at=NOW + timedelta(hours=1)), NOTICE, FP, _traveller(), NOW).applies


def test_identity_and_key() -> None:
    identity = identity_of(_traveller())
    assert identity == ClearedIdentity(document_country="FR", document_number="12AB34567", birth_date="1981-06-19")
    assert clearance_key("2026/1", identity) == "2026/1|FR:12AB34567"
    assert identity_of(_traveller(document={"type": "passport", "number": "12/AB", "country": "FR"})) is None


def test_only_a_not_the_person_decision_carries_an_identity() -> None:
    decision = {"item_id": "A-1", "alert_id": "A-1", "notice_id": "2026/1", "bureau_id": "ncb-fr", "officer": "fr-1",
                "outcome": "confirm", "at": NOW.isoformat(),
                "identity": {"document_country": "FR", "document_number": "X1", "birth_date": "1981-06-19"}}
    with pytest.raises(ValidationError, match="not_the_person"):
        ReviewDecision.model_validate(decision)
    assert ReviewDecision.model_validate({**decision, "outcome": "not_the_person"}).identity is not None


@given(st.integers(min_value=-400, max_value=400), st.integers(min_value=1, max_value=365))
def test_a_clearance_applies_exactly_while_it_is_live(offset_days: int, lifetime_days: int) -> None:
    clearance = _clearance(at=NOW, expires_at=NOW + timedelta(days=lifetime_days))
    now = NOW + timedelta(days=offset_days)
    assert check(clearance, NOTICE, FP, _traveller(), now).applies == (now < clearance.expires_at)
