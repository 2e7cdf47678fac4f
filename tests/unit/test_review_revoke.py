"""Revoking a clearance, pure: which clearances an officer lists, who may revoke, the ``revoked`` record, and that
every worker's clearance table and every queue treat it as the item's last word."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from consumers.review_clearances import clearances_of, find_clearance, revocation, revoke
from consumers.review_rules import DecisionRefused, Principal, decide, entry_of, find_visible
from schemas import Person, WantedPerson
from schemas.reviews import ClearedIdentity, ReviewDecision, Revoked
from schemas.wanted import fingerprint
from streams.clearances import ClearanceTable
from tests import factories as f

from .alert_factory import NOTICE
from .review_factory import T0, review_item

KE = Principal("ke-analyst-2", frozenset({"ncb-ke"}))
FR = Principal("fr-analyst-1", frozenset({"ncb-fr"}))
DAYS = 180
NOTICE_MODEL = WantedPerson.model_validate(NOTICE)
IDENTITY = ClearedIdentity(document_country="RW", document_number="RW5550001", birth_date="1951-07-11")


def _cleared(item_id: str = "A-1", *, bureau: str = "ncb-ke", days_ago: float = 1.0, outcome: str = "not_the_person",
             identity: ClearedIdentity | None = IDENTITY) -> ReviewDecision:
    clears = outcome == "not_the_person"
    return ReviewDecision(item_id=item_id, alert_id=item_id, notice_id=NOTICE_MODEL.notice_id, bureau_id=bureau,
                          officer=f"{bureau[4:]}-analyst-1", outcome=outcome,  # type: ignore[arg-type]
                          reason="other birth date on file", at=T0 - timedelta(days=days_ago),
                          identity=identity if clears else None,
                          notice_fingerprint=fingerprint(NOTICE_MODEL) if clears else None,
                          referred_to="ncb-rw" if outcome == "unsure" else None)


def _by_id(*decisions: ReviewDecision) -> dict[str, ReviewDecision]:
    return {d.item_id: d for d in decisions}


def test_an_officer_lists_the_clearances_of_their_bureau_that_still_hold_newest_first() -> None:
    old, new = _cleared("A-OLD", days_ago=30), _cleared("A-NEW", days_ago=2)
    decisions = _by_id(old, new, _cleared("A-FR", bureau="ncb-fr"), _cleared("A-EXPIRED", days_ago=DAYS + 1),
                       _cleared("A-NOTHING", identity=None), _cleared("A-CONF", outcome="confirm"),
                       _cleared("A-UNSURE", outcome="unsure"))
    assert [d.item_id for d in clearances_of(decisions, KE, T0, DAYS)] == ["A-NEW", "A-OLD"]
    assert [d.item_id for d in clearances_of(decisions, FR, T0, DAYS)] == ["A-FR"]


def test_revoking_records_who_when_why_and_the_clearance_it_ends() -> None:
    cleared = _cleared()
    record = revoke(_by_id(cleared), KE, "A-1", "  passport reported stolen since  ", T0, DAYS)
    assert (record.outcome, record.officer, record.bureau_id, record.reason, record.at) == (
        "revoked", "ke-analyst-2", "ncb-ke", "passport reported stolen since", T0)
    assert record.revokes == Revoked(officer="ke-analyst-1", bureau_id="ncb-ke", at=cleared.at)
    assert (record.item_id, record.alert_id, record.notice_id) == (cleared.item_id, cleared.alert_id, cleared.notice_id)
    assert record.identity is None and record.notice_fingerprint is None, "a revocation keeps no personal data"
    assert ReviewDecision.model_validate_json(record.model_dump_json()) == record


def test_an_officer_cannot_revoke_another_bureaus_clearance_it_answers_like_none() -> None:
    decisions = _by_id(_cleared("A-KE"))
    for item_id in ("A-KE", "A-DOESNOTEXIST"):
        with pytest.raises(DecisionRefused) as refused:
            revoke(decisions, FR, item_id, "crafted", T0, DAYS)
        assert refused.value.status == 404 and "no such clearance of your bureau" in str(refused.value)
    assert find_clearance(decisions, FR, "A-KE", T0, DAYS) is None


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001, "bell\x07"])
def test_a_revocation_needs_a_reason(reason: str) -> None:
    with pytest.raises(DecisionRefused) as refused:
        revoke(_by_id(_cleared()), KE, "A-1", reason, T0, DAYS)
    assert refused.value.status == 400


@pytest.mark.parametrize(("last", "message"), [
    (None, "no decision on record for item A-1"),
    (_cleared(outcome="confirm"), "item A-1 is not a clearance: its last decision is confirm"),
    (_cleared(outcome="unsure"), "item A-1 is not a clearance: its last decision is unsure"),
    (_cleared(identity=None), "item A-1 cleared nothing"),
    (_cleared(days_ago=DAYS + 1), "the clearance of item A-1 expired on"),
])
def test_the_command_line_says_why_an_item_cannot_be_revoked(last: ReviewDecision | None, message: str) -> None:
    with pytest.raises(DecisionRefused, match=message):
        revocation(last, "A-1", "ops-admin", last.bureau_id if last else "", "because", T0, DAYS)


def test_a_revoked_clearance_cannot_be_revoked_again_and_is_listed_no_more() -> None:
    record = revoke(_by_id(_cleared()), KE, "A-1", "stolen passport", T0, DAYS)
    with pytest.raises(DecisionRefused, match="revoked already"):
        revocation(record, "A-1", "ops-admin", "ncb-ke", "again", T0, DAYS)
    assert clearances_of(_by_id(record), KE, T0, DAYS) == []


def test_an_analyst_cannot_choose_revoked_for_an_open_item() -> None:
    item = review_item(["ncb-ke"])
    with pytest.raises(DecisionRefused, match="decision must be one of confirm, not_the_person, unsure"):
        decide(find_visible({item.item_id: item}, {}, KE, item.item_id), KE, "revoked", "crafted", T0,
               identity=None, notice_fingerprint="")


def test_a_revoked_item_stays_out_of_the_queue() -> None:
    item = review_item(["ncb-ke"])
    cleared = _cleared(item.item_id)
    assert entry_of(item, revoke(_by_id(cleared), KE, item.item_id, "stolen passport", T0, DAYS)) is None


@pytest.mark.parametrize("change", [{"revokes": None}, {"outcome": "confirm"}])
def test_revoked_goes_with_revokes_and_only_with_it(change: dict[str, Any]) -> None:
    record = revoke(_by_id(_cleared()), KE, "A-1", "stolen passport", T0, DAYS)
    with pytest.raises(ValidationError, match="revokes is required with outcome revoked, and only with it"):
        ReviewDecision.model_validate({**record.model_dump(), **change})


def test_a_decision_written_before_revocations_existed_still_reads() -> None:
    old = _cleared().model_dump(mode="json")
    del old["revokes"]
    assert ReviewDecision.model_validate(old).revokes is None


def test_every_workers_table_drops_a_revoked_clearance_and_the_namesake_is_screened_again() -> None:
    cleared = _cleared()
    table = ClearanceTable("reviews.decisions", {}, days=DAYS)
    person = Person.model_validate(f.traveler("MBARUSHIMANZI", "ATHANASIUS", dob="1951-07-11", nationality="RW",
                                              passport="RW5550001"))
    assert table._apply(b"A-1", cleared.model_dump_json().encode()) is None
    assert table.lookup(NOTICE_MODEL, person, T0) is not None
    record = revoke(_by_id(cleared), KE, "A-1", "stolen passport", T0, DAYS)
    assert table._apply(b"A-1", record.model_dump_json().encode()) is None
    assert table.lookup(NOTICE_MODEL, person, T0) is None and len(table) == 0
