"""The review records' additions: referral, the clearance a decision makes, and the moved notice fingerprint."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import streams.retro
from schemas import WantedPerson
from schemas.reviews import ReviewDecision, clearance_from
from schemas.wanted import fingerprint

from .alert_factory import NOTICE
from .review_factory import T0

DECISION: dict[str, Any] = {
    "item_id": "A-0123456789", "alert_id": "A-0123456789", "notice_id": "2026/00001", "bureau_id": "ncb-ke",
    "officer": "ke-analyst-1", "outcome": "not_the_person", "reason": "namesake", "at": T0.isoformat(),
    "identity": {"document_country": "RW", "document_number": "RW5550001", "birth_date": "1951-03-01"},
    "notice_fingerprint": "f" * 32,
}


def test_fingerprint_moved_to_schemas_and_is_still_importable_from_streams_retro() -> None:
    assert streams.retro.fingerprint is fingerprint
    assert len(fingerprint(WantedPerson.model_validate(NOTICE))) == 32


def test_unsure_needs_the_bureau_it_was_referred_to_and_only_unsure_has_one() -> None:
    base = {**DECISION, "identity": None, "notice_fingerprint": None}
    assert ReviewDecision.model_validate({**base, "outcome": "unsure", "referred_to": "ncb-rw"}).referred_to == "ncb-rw"
    with pytest.raises(ValidationError, match="referred_to is required"):
        ReviewDecision.model_validate({**base, "outcome": "unsure"})
    with pytest.raises(ValidationError, match="referred_to is required"):
        ReviewDecision.model_validate({**base, "outcome": "confirm", "referred_to": "ncb-rw"})


def test_not_the_person_makes_a_clearance_that_expires_after_the_configured_days() -> None:
    clearance = clearance_from(ReviewDecision.model_validate(DECISION), days=180)
    assert clearance is not None
    assert (clearance.notice_id, clearance.cleared_by, clearance.bureau_id) == ("2026/00001", "ke-analyst-1", "ncb-ke")
    assert clearance.expires_at == T0 + timedelta(days=180)
    assert clearance.live(T0 + timedelta(days=179)) and not clearance.live(T0 + timedelta(days=180))


@pytest.mark.parametrize("change", [
    {"outcome": "confirm", "identity": None},
    {"identity": None},
    {"notice_fingerprint": None},
])
def test_a_decision_that_clears_nothing_makes_no_clearance(change: dict[str, Any]) -> None:
    assert clearance_from(ReviewDecision.model_validate({**DECISION, **change}), days=180) is None


@settings(deadline=None)  # behaviour, not timing: a busy machine is slow at times
@given(st.dictionaries(st.sampled_from([*sorted(DECISION), "referred_to", "extra"]),
                       st.none() | st.text(max_size=30) | st.integers()))
def test_decisions_round_trip_and_garbage_is_a_validation_error_not_a_crash(data: dict[str, Any]) -> None:
    try:
        decision = ReviewDecision.model_validate({**DECISION, **data})
    except ValidationError as exc:
        assert exc.errors()
    else:
        assert ReviewDecision.model_validate_json(decision.model_dump_json()) == decision
