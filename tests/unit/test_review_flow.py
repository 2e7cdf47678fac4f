"""The review flow's pure parts: the worker's clearances (apply, revoke, look up), a screening that answers
``cleared``, the alert a confirm makes, the review item a review hit becomes and the digest email."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from alerting import render_digest, review_item_for
from schemas import Bureau, BureauDirectory, Person, WantedPerson, alert_id_for
from schemas.reviews import ClearedIdentity, ReviewDecision, confirmed_alert
from streams import screen_record
from streams.clearances import ClearanceTable
from tests import factories as f

from .alert_factory import NOTICE, matcher_with
from .review_factory import review_item

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
NOTICE_MODEL = WantedPerson.model_validate(NOTICE)
NAMESAKE = f.traveler("MBARUSHIMANZI", "ATHANASIUS", dob="1951-07-11", nationality="RW", passport="RW5550001")


def _decision(item_id: str = "A-1", outcome: str = "not_the_person", *, days_ago: float = 1.0,
              notice: WantedPerson = NOTICE_MODEL, passport: str = "RW5550001", dob: str = "1951-07-11") -> bytes:
    from schemas.wanted import fingerprint

    identity = ClearedIdentity(document_country="RW", document_number=passport, birth_date=dob)
    decision = ReviewDecision(item_id=item_id, alert_id=item_id, notice_id=notice.notice_id, bureau_id="ncb-ke",
                              officer="ke-analyst-1", outcome=outcome, reason="checked",  # type: ignore[arg-type]
                              at=NOW - timedelta(days=days_ago),
                              identity=identity if outcome == "not_the_person" else None,
                              notice_fingerprint=fingerprint(notice) if outcome == "not_the_person" else None,
                              referred_to="ncb-rw" if outcome == "unsure" else None)
    return decision.model_dump_json().encode()


def _table(*records: tuple[str, bytes | None]) -> ClearanceTable:
    table = ClearanceTable("reviews.decisions", {}, days=180)
    for key, value in records:
        assert table._apply(key.encode(), value) is None
    return table


def _person(**over: Any) -> Person:
    return Person.model_validate({**NAMESAKE, **over})


def test_a_not_the_person_decision_clears_that_identity_for_that_notice() -> None:
    clearance = _table(("A-1", _decision())).lookup(NOTICE_MODEL, _person(), NOW)
    assert clearance is not None and (clearance.cleared_by, clearance.bureau_id) == ("ke-analyst-1", "ncb-ke")


@pytest.mark.parametrize(("person", "notice", "why"), [
    ({"birth_date": "1951-07-12"}, NOTICE_MODEL, "another birth date"),
    ({"document": {"type": "passport", "number": "RW5550009", "country": "RW"}}, NOTICE_MODEL, "another document"),
    ({"birth_date": "1951"}, NOTICE_MODEL, "no full birth date"),
    ({}, NOTICE_MODEL.model_copy(update={"birth_dates": ["1951-03-02"]}), "the notice changed since"),
    ({}, NOTICE_MODEL.model_copy(update={"notice_id": "2026/99999"}), "another notice"),
])
def test_the_worker_never_applies_a_clearance_when_anything_differs(person: dict[str, Any], notice: WantedPerson,
                                                                     why: str) -> None:
    assert _table(("A-1", _decision())).lookup(notice, _person(**person), NOW) is None, why


def test_a_clearance_of_the_notices_own_document_never_suppresses() -> None:
    own = {"type": "passport", "number": "RW7000001", "country": "RW"}
    table = _table(("A-1", _decision(passport="RW7000001")))
    assert table.lookup(NOTICE_MODEL, _person(document=own), NOW) is None


def test_a_clearance_expires_after_clearance_days() -> None:
    assert _table(("A-1", _decision(days_ago=179))).lookup(NOTICE_MODEL, _person(), NOW) is not None
    assert _table(("A-1", _decision(days_ago=181))).lookup(NOTICE_MODEL, _person(), NOW) is None


@pytest.mark.parametrize("later", [_decision("A-1", "confirm"), None])
def test_a_later_decision_on_the_item_or_its_tombstone_revokes_the_clearance(later: bytes | None) -> None:
    table = _table(("A-1", _decision()), ("A-1", later))
    assert table.lookup(NOTICE_MODEL, _person(), NOW) is None and len(table) == 0


def test_another_items_clearance_of_the_same_identity_still_holds_after_one_is_revoked() -> None:
    table = _table(("A-1", _decision()), ("A-2", _decision("A-2", days_ago=2)), ("A-1", None))
    assert table.lookup(NOTICE_MODEL, _person(), NOW) is not None


def test_an_invalid_decision_is_refused_with_a_reason() -> None:
    table = ClearanceTable("reviews.decisions", {}, days=180)
    assert table._apply(b"A-1", b'{"item_id": 1}') is not None and len(table) == 0


def _screen(event: dict[str, Any], table: ClearanceTable) -> Any:
    return screen_record(json.dumps(event).encode(), topic="t", partition=0, offset=0,
                         expected_type=event["event_type"], screener=matcher_with(NOTICE),
                         clearances=lambda notice, person: table.lookup(notice, person, NOW))


def test_a_cleared_namesake_is_answered_cleared_with_no_alert_and_who_cleared_it() -> None:
    event = f.border_crossing(NAMESAKE, country="KE")
    outcome = _screen(event, _table(("A-1", _decision())))
    assert outcome.alerts == [] and outcome.response is not None
    assert outcome.response.result == "cleared" and outcome.response.hits == []
    [applied] = outcome.response.cleared
    assert applied.alert_id == alert_id_for(event["event_id"], NOTICE["notice_id"])
    assert (applied.cleared_by, applied.bureau_id, applied.cleared_at) == ("ke-analyst-1", "ncb-ke",
                                                                           NOW - timedelta(days=1))
    assert "MBARUSHIMANZI" not in outcome.response.model_dump_json()


def test_without_a_clearance_the_same_namesake_is_a_review_hit() -> None:
    outcome = _screen(f.border_crossing(NAMESAKE, country="KE"), _table())
    assert [a.band for a in outcome.alerts] == ["review"] and outcome.response.result == "review"
    assert outcome.response.cleared == []


@pytest.mark.parametrize(("event", "caution", "urgency"), [
    (f.border_crossing(NAMESAKE, country="KE"), None, "critical"),
    (f.visa_application(NAMESAKE, country="FR"), None, "high"),
    (f.visa_application(NAMESAKE, country="FR"), "armed", "critical"),
    (f.tip("Athanasius Mbarushimanzi", "seen at the market", country="CD"), None, "normal"),
    (f.tip("Athanasius Mbarushimanzi", "seen at the market", country="CD"), "violent", "high"),
])
def test_a_confirmed_item_becomes_an_alert_with_its_event_types_urgency(event: dict[str, Any], caution: str | None,
                                                                         urgency: str) -> None:
    item = review_item(["ncb-ke"], event=event, notice={**NOTICE, "caution": caution})
    decision = ReviewDecision.model_validate_json(_decision(item.item_id, "confirm"))
    alert = confirmed_alert(item, decision)
    assert (alert.alert_id, alert.band, alert.urgency) == (item.item_id, "alert", urgency)
    assert alert.reasons[-1] == "confirmed in review by ke-analyst-1 (ncb-ke)" and alert.raised_at == decision.at


DIRECTORY = BureauDirectory.model_validate({"bureaus": [
    {"id": "ncb-ke", "name": "NCB Nairobi", "country": "KE", "posts": {"NBO-JKIA-T1": "Nairobi JKIA T1"},
     "officers": [{"id": "ke-analyst", "name": "Analyst KE", "email": "a@ke.example", "role": "analyst"}]},
    {"id": "ncb-rw", "name": "NCB Kigali", "country": "RW",
     "officers": [{"id": "rw-duty", "name": "Duty RW", "email": "d@rw.example"}]},
    {"id": "wcu", "name": "War Crimes Unit", "subscription": {"offences": ["genocide"]},
     "officers": [{"id": "wcu-duty", "name": "Duty WCU", "email": "d@wcu.example"}]},
]})


def test_a_review_hit_becomes_an_item_for_every_bureau_it_routes_to() -> None:
    alert = review_item(["x"]).alert
    item = review_item_for(alert, DIRECTORY)
    assert (item.item_id, item.queued_at, item.requesting_bureau) == (alert.alert_id, alert.raised_at, "ncb-rw")
    assert item.bureaus == ["ncb-ke", "ncb-rw", "wcu"]
    assert review_item_for(alert, DIRECTORY) == item, "a replayed alert is the same item"


def test_the_digest_lists_ids_places_and_links_and_no_personal_data() -> None:
    items = [review_item(["ncb-ke"], event=f.border_crossing(NAMESAKE, country="KE", event_id=f"bc-d-{n}"))
             for n in range(3)]
    bureau: Bureau = DIRECTORY.bureaus[0]
    content = render_digest(bureau, items, "https://review.example/")
    assert content.subject == "[REVIEW] 3 new items to review for NCB Nairobi"
    for item in items:
        assert f"https://review.example/items/{item.item_id}" in content.text and item.item_id in content.html
    assert "KE NBO-JKIA-T1" in content.text
    found = f.leaked(content.subject + content.text + content.html, "MBARUSHIMANZI", "ATHANASIUS", "RW5550001",
                   "RW7000001", "1951")
    assert not found, found


def _digests(leader: bool = False) -> Any:
    from consumers.review_digest import ReviewDigests
    from schemas import Settings

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    return ReviewDigests(settings, publisher=None, sender=None,  # type: ignore[arg-type]
                         directory=lambda: DIRECTORY, leader=lambda: leader)


def test_the_digest_loop_queues_new_items_per_bureau_and_drops_decided_ones() -> None:
    loop = _digests()
    first, second = review_item(["ncb-ke", "wcu"]), review_item(["ncb-ke"], event=f.border_crossing(NAMESAKE))
    for item in (first, second):
        loop.items.values[item.item_id] = item
        loop._on_item(item.item_id, item)
    assert loop.state.queued() == {"ncb-ke": (first.item_id, second.item_id), "wcu": (first.item_id,)}
    loop._on_decision(first.item_id, ReviewDecision.model_validate_json(_decision(first.item_id, "confirm")))
    assert loop.state.queued() == {"ncb-ke": (second.item_id,)}


def test_an_unsure_decision_queues_the_item_for_the_bureau_it_was_referred_to() -> None:
    loop = _digests()
    item = review_item(["ncb-ke"])
    loop.items.values[item.item_id] = item
    loop._on_item(item.item_id, item)
    loop._on_decision(item.item_id, ReviewDecision.model_validate_json(_decision(item.item_id, "unsure")))
    assert loop.state.queued() == {"ncb-rw": (item.item_id,)}


def test_a_digest_is_named_by_its_bureau_and_when_its_interval_closed() -> None:
    from alerting import digest_id

    assert digest_id("ncb-ke", datetime(2026, 12, 4, 18, 3, 12, 500, tzinfo=UTC)) == "D-ncb-ke-20261204T180312Z"


def test_digests_are_neither_rate_limited_nor_counted_towards_the_limit() -> None:
    from alerting import DeliveryLimits
    from schemas import Delivery, Settings

    limits = DeliveryLimits(Settings(_env_file=None, rate_limit_email=1))  # type: ignore[call-arg]
    digest = Delivery(key="D-ncb-ke-20261204T180312Z/ncb-ke.ke-analyst.digest/email", alert_id="D-ncb-ke-20261204T180312Z",
                      bureau_id="ncb-ke", recipient="ke-analyst", channel="email", status="sent", kind="digest",
                      at=NOW)
    assert limits.count([digest]) == 0
    assert limits.refusal("ke-analyst", "email", "alert", NOW.timestamp()) is None
    assert limits.refusal("ke-analyst", "email", "digest", NOW.timestamp()) is None
