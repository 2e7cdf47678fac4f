"""The review queue's pure rules: who sees what, what is open, filters, order, and the decision record."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consumers.review_rules import (
    DecisionRefused,
    FilterError,
    Principal,
    QueueFilter,
    decide,
    find_visible,
    open_queue,
    queue_depths,
)
from matching.clearance import identity_of
from schemas import event_subject
from schemas.reviews import ReviewDecision, ReviewItem
from schemas.wanted import fingerprint

from .review_factory import T0, crossing, review_item, visa

FR = Principal("fr-analyst-1", frozenset({"ncb-fr"}))
KE = Principal("ke-analyst-1", frozenset({"ncb-ke"}))
RW = Principal("rw-analyst-1", frozenset({"ncb-rw"}))
WCU = Principal("wcu-analyst-1", frozenset({"war-crimes-unit"}))


def _items(*items: ReviewItem) -> dict[str, ReviewItem]:
    return {i.item_id: i for i in items}


def _decide(item: ReviewItem, who: Principal, outcome: str, reason: str = "checked the passport") -> ReviewDecision:
    entry = find_visible(_items(item), {}, who, item.item_id)
    person = event_subject(item.alert.event)
    return decide(entry, who, outcome, reason, T0, identity=identity_of(person),
                  notice_fingerprint=fingerprint(item.alert.notice))


def test_an_officer_sees_only_items_routed_to_one_of_their_bureaus() -> None:
    ke_item = review_item(["ncb-ke", "ncb-rw"], event=crossing(1))
    wcu_item = review_item(["ncb-ke", "war-crimes-unit"], event=crossing(2))
    items = _items(ke_item, wcu_item)
    assert [e.item.item_id for e in open_queue(items, {}, FR, QueueFilter(), T0)] == []
    assert {e.item.item_id for e in open_queue(items, {}, KE, QueueFilter(), T0)} == {ke_item.item_id, wcu_item.item_id}
    assert [e.item.item_id for e in open_queue(items, {}, WCU, QueueFilter(), T0)] == [wcu_item.item_id]
    assert find_visible(items, {}, FR, ke_item.item_id) is None
    assert find_visible(items, {}, FR, "A-DOESNOTEXIST") is None


def test_the_queue_is_oldest_first_and_filters_by_bureau_event_type_and_age() -> None:
    old = review_item(["ncb-ke"], queued_minutes_ago=600, event=crossing(3))
    new = review_item(["ncb-ke", "ncb-fr"], queued_minutes_ago=5, event=crossing(4))
    mid = review_item(["ncb-fr"], queued_minutes_ago=90, event=visa(5))
    both = Principal("duo", frozenset({"ncb-ke", "ncb-fr"}))
    items = _items(new, mid, old)

    def ids(query: QueueFilter) -> list[str]:
        return [e.item.item_id for e in open_queue(items, {}, both, query, T0)]

    assert ids(QueueFilter()) == [old.item_id, mid.item_id, new.item_id]
    assert ids(QueueFilter.parse({"bureau": "ncb-fr"})) == [mid.item_id, new.item_id]
    assert ids(QueueFilter.parse({"event_type": "visa_application"})) == [mid.item_id]
    assert ids(QueueFilter.parse({"min_age_hours": "1"})) == [old.item_id, mid.item_id]
    assert ids(QueueFilter.parse({"min_age_hours": "", "event_type": "", "bureau": ""})) == ids(QueueFilter())


@pytest.mark.parametrize(("query", "message"), [
    ({"event_type": "parade"}, "event_type must be one of"),
    ({"min_age_hours": "soon"}, "min_age_hours must be a number"),
    ({"min_age_hours": "-1"}, "between 0 and"),
    ({"min_age_hours": "nan"}, "between 0 and"),
])
def test_a_bad_filter_is_a_clear_error(query: dict[str, str], message: str) -> None:
    with pytest.raises(FilterError, match=message):
        QueueFilter.parse(query)


def test_decided_items_leave_the_queue_and_unsure_moves_the_item_to_the_requesting_bureau() -> None:
    confirmed = review_item(["ncb-ke", "ncb-rw"], event=crossing(6))
    cleared = review_item(["ncb-ke"], event=crossing(7))
    referred = review_item(["ncb-ke"], event=crossing(8), requesting_bureau="ncb-rw")
    items = _items(confirmed, cleared, referred)
    decisions = {d.item_id: d for d in (_decide(confirmed, KE, "confirm"), _decide(cleared, KE, "not_the_person"),
                                        _decide(referred, KE, "unsure"))}
    assert decisions[referred.item_id].referred_to == "ncb-rw"
    assert open_queue(items, decisions, KE, QueueFilter(), T0) == []
    rw_queue = open_queue(items, decisions, RW, QueueFilter(), T0)
    assert [e.item.item_id for e in rw_queue] == [referred.item_id]
    assert rw_queue[0].referral is decisions[referred.item_id]
    assert queue_depths(items, decisions, T0) == {"ncb-rw": (1, 600.0)}


def test_queue_depth_and_oldest_age_per_bureau() -> None:
    a = review_item(["ncb-ke", "ncb-rw"], queued_minutes_ago=30, event=crossing(9))
    b = review_item(["ncb-ke"], queued_minutes_ago=5, event=crossing(10))
    assert queue_depths(_items(a, b), {}, T0) == {"ncb-ke": (2, 1800.0), "ncb-rw": (1, 1800.0)}


def test_not_the_person_records_the_identity_and_the_notice_fingerprint() -> None:
    item = review_item(["ncb-ke"], event=crossing(11, passport="RW5550001"))
    d = _decide(item, KE, "not_the_person", "  different father's name on file \r\n")
    assert (d.outcome, d.bureau_id, d.officer, d.reason) == ("not_the_person", "ncb-ke", "ke-analyst-1",
                                                             "different father's name on file")
    assert d.identity is not None
    assert (d.identity.document_country, d.identity.document_number, d.identity.birth_date) == (
        "RW", "RW5550001", "1951-03-01")
    assert d.notice_fingerprint == fingerprint(item.alert.notice)
    assert (d.alert_id, d.notice_id) == (item.alert.alert_id, item.alert.notice_id)


def test_confirm_and_unsure_record_no_identity() -> None:
    item = review_item(["ncb-ke"], event=crossing(12))
    for outcome in ("confirm", "unsure"):
        d = _decide(item, KE, outcome)
        assert d.identity is None and d.notice_fingerprint is None


def test_without_document_not_the_person_is_recorded_but_clears_nothing() -> None:
    item = review_item(["ncb-ke"], event=crossing(13, passport=None))
    d = _decide(item, KE, "not_the_person")
    assert d.outcome == "not_the_person" and d.identity is None


@pytest.mark.parametrize(("who", "outcome", "reason", "item_kw", "status", "message"), [
    (FR, "confirm", "x", {}, 404, "no such item in your queue"),
    (KE, "maybe", "x", {}, 400, "decision must be one of"),
    (KE, "confirm", "   ", {}, 400, "give a reason"),
    (KE, "confirm", "x" * 2001, {}, 400, "longer than 2000"),
    (KE, "confirm", "bell\x07", {}, 400, "control characters"),
    (KE, "unsure", "x", {"requesting_bureau": None}, 400, "no bureau serves"),
    (RW, "unsure", "x", {}, 400, "you are the requesting bureau"),
])
def test_a_decision_that_may_not_be_recorded_is_refused_with_the_reason(
        who: Principal, outcome: str, reason: str, item_kw: dict[str, object], status: int, message: str) -> None:
    item = review_item(["ncb-ke", "ncb-rw"], event=crossing(14), **item_kw)  # type: ignore[arg-type]
    with pytest.raises(DecisionRefused, match=message) as refused:
        _decide(item, who, outcome, reason)
    assert refused.value.status == status


def test_an_officer_of_another_bureau_cannot_decide_even_with_the_item_in_hand() -> None:
    """The entry is looked up for the deciding officer; handing another bureau's entry to decide() is refused too."""
    item = review_item(["ncb-ke"], event=crossing(15))
    ke_entry = find_visible(_items(item), {}, KE, item.item_id)
    assert ke_entry is not None
    with pytest.raises(DecisionRefused) as refused:
        decide(ke_entry, FR, "confirm", "x", T0, identity=None, notice_fingerprint="")
    assert refused.value.status == 404


def test_after_referral_only_the_requesting_bureau_may_decide() -> None:
    item = review_item(["ncb-ke"], event=crossing(16), requesting_bureau="ncb-rw")
    referral = _decide(item, KE, "unsure")
    decisions = {item.item_id: referral}
    assert find_visible(_items(item), decisions, KE, item.item_id) is None
    entry = find_visible(_items(item), decisions, RW, item.item_id)
    final = decide(entry, RW, "confirm", "matches our file", T0 + timedelta(hours=1), identity=None,
                   notice_fingerprint="")
    assert (final.bureau_id, final.outcome, final.referred_to) == ("ncb-rw", "confirm", None)


def test_decisions_are_due_for_deletion_after_the_retention_period() -> None:
    from consumers.review_rules import due_for_deletion

    item = review_item(["ncb-ke"], event=crossing(17))
    d = _decide(item, KE, "confirm")
    assert due_for_deletion({item.item_id: d}, T0 + timedelta(days=364, hours=23), timedelta(days=365)) == []
    assert due_for_deletion({item.item_id: d}, T0 + timedelta(days=365), timedelta(days=365)) == [item.item_id]
