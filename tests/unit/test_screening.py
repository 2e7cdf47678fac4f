"""streams.screening: a raw record in, alerts or one dead-letter record out; never an exception."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import alert_id_for
from streams import screen_record, urgency_for
from tests import factories as f

from .alert_factory import NOTICE, TRAVELER, matcher_with


def _screen(raw: bytes | None, expected: str = "border_crossing", notices=(NOTICE,)):  # type: ignore[no-untyped-def]
    return screen_record(raw, topic="events.border-crossings", partition=0, offset=7, expected_type=expected,
                         screener=matcher_with(*notices))


def test_hit_becomes_alert_with_deterministic_id_and_reasons() -> None:
    event = f.border_crossing(TRAVELER, country="KE")
    outcome = _screen(json.dumps(event).encode())
    assert outcome.rejected is None and len(outcome.alerts) == 1
    alert = outcome.alerts[0]
    assert alert.alert_id == alert_id_for(event["event_id"], NOTICE["notice_id"])
    assert alert.alert_id == _screen(json.dumps(event).encode()).alerts[0].alert_id
    assert alert.band == "alert" and alert.urgency == "critical"
    assert alert.country == "KE" and alert.requesting_country == "RW"
    assert any("birth date" in r for r in alert.reasons)


def test_innocent_traveller_raises_nothing() -> None:
    event = f.border_crossing(f.traveler("OKONKWO", "GRACE", dob="1990-01-01", sex="F", nationality="NG"))
    outcome = _screen(json.dumps(event).encode())
    assert outcome.alerts == [] and outcome.rejected is None


def test_withdrawn_notice_never_alerts() -> None:
    withdrawn = {**NOTICE, "status": "withdrawn"}
    event = f.border_crossing(TRAVELER)
    assert _screen(json.dumps(event).encode(), notices=(withdrawn,)).alerts == []


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty record"),
        (b"{not json", "invalid event"),
        (b"\xff\xfe\x00garbage", "invalid event"),
        (json.dumps({"event_type": "border_crossing"}).encode(), "event_id: Field required"),
    ],
)
def test_bad_input_is_rejected_with_a_reason(raw: bytes, reason: str) -> None:
    outcome = _screen(raw)
    assert outcome.alerts == []
    assert outcome.rejected is not None and reason in outcome.rejected.error
    assert (outcome.rejected.topic, outcome.rejected.partition, outcome.rejected.offset) == ("events.border-crossings", 0, 7)


def test_event_on_the_wrong_topic_is_rejected() -> None:
    visa = f.visa_application(TRAVELER)
    outcome = _screen(json.dumps(visa).encode(), expected="border_crossing")
    assert outcome.rejected is not None and "does not belong on this topic" in outcome.rejected.error


def test_rejection_reason_holds_no_personal_data() -> None:
    event = f.border_crossing(f.traveler("SECRETNAME", "JOHN", dob="1970-13-01"))
    outcome = _screen(json.dumps(event).encode())
    assert outcome.rejected is not None
    assert "SECRETNAME" not in outcome.rejected.error and "1970-13-01" not in outcome.rejected.error


@settings(max_examples=200)
@given(st.binary(max_size=200))
def test_garbage_never_raises(raw: bytes) -> None:
    outcome = _screen(raw)
    assert outcome.rejected is not None


@pytest.mark.parametrize(
    ("event_type", "caution", "band", "expected"),
    [
        ("border_crossing", None, "alert", "critical"),
        ("visa_application", None, "alert", "high"),
        ("tip", None, "alert", "normal"),
        ("tip", "armed", "alert", "high"),
        ("visa_application", "violent", "alert", "critical"),
        ("border_crossing", None, "review", "normal"),
    ],
)
def test_urgency_follows_event_and_caution_raises_it(event_type: str, caution: str | None, band: str,
                                                     expected: str) -> None:
    assert urgency_for(event_type, caution, band) == expected


def test_every_border_crossing_gets_an_answer_even_without_a_hit() -> None:
    innocent = f.border_crossing(f.traveler("OKONKWO", "GRACE", dob="1990-01-01", sex="F", nationality="NG"))
    response = _screen(json.dumps(innocent).encode()).response
    assert response is not None and response.result == "no_hit" and response.hits == []
    assert response.event_id == innocent["event_id"] and response.agency == "ke-immigration"


def test_hit_answer_names_action_reference_and_bureau_but_no_personal_data() -> None:
    from schemas import BureauDirectory

    directory = BureauDirectory.model_validate({"bureaus": [{"id": "ncb-ke", "name": "NCB Nairobi", "country": "KE",
                                                             "hotline": "+254202012345",
                                                             "officers": [{"id": "d", "name": "D"}]}]})
    event = f.border_crossing(TRAVELER, country="KE")
    outcome = screen_record(json.dumps(event).encode(), topic="t", partition=0, offset=0,
                            expected_type="border_crossing", screener=matcher_with(NOTICE), directory=directory)
    response = outcome.response
    assert response is not None and response.result == "hit"
    [hit] = response.hits
    assert hit.alert_id == outcome.alerts[0].alert_id and hit.notice_type == "red"
    assert hit.action.startswith("Hold the traveller")
    assert hit.call is not None and (hit.call.id, hit.call.phone) == ("ncb-ke", "+254202012345")
    text = response.model_dump_json()
    assert not f.leaked(text, "Mbarushimanzi", "1951", "RW7000001")


def test_tip_is_answered_only_on_request() -> None:
    quiet = f.tip("Athanasius Mbarushimanzi", "seen at the market")
    asking = {**f.tip("Athanasius Mbarushimanzi", "seen at the market"), "respond": True}
    assert screen_record(json.dumps(quiet).encode(), topic="t", partition=0, offset=0, expected_type="tip",
                         screener=matcher_with(NOTICE)).response is None
    response = screen_record(json.dumps(asking).encode(), topic="t", partition=0, offset=0, expected_type="tip",
                             screener=matcher_with(NOTICE)).response
    assert response is not None and response.result == "hit"
