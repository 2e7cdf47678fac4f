"""streams.screening: a raw record in, alerts or one dead-letter record out; never an exception."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import alert_id_for
from streams import screen_record, urgency_for
from streams.screening import Outcome, screen_records
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


class _Record:
    """A record as the agents hold it (``streams.screening.SourceRecord``)."""

    def __init__(self, value: bytes | None, offset: int, topic: str = "events.border-crossings") -> None:
        self.value, self.topic, self.partition, self.offset = value, topic, 0, offset


def _same(a: Outcome, b: Outcome) -> bool:
    """The same outcome but for the moment it was made (``raised_at``, ``responded_at``)."""
    def plain(o: Outcome) -> object:
        return ([x.model_dump(exclude={"raised_at"}) for x in o.alerts],
                o.response.model_dump(exclude={"responded_at"}) if o.response else None,
                o.rejected.model_dump() if o.rejected else None, o.event)
    return plain(a) == plain(b)


def _batch() -> list[_Record]:
    innocent = f.border_crossing(f.traveler("OKONKWO", "GRACE", dob="1990-01-01", sex="F", nationality="NG"))
    return [_Record(json.dumps(f.border_crossing(TRAVELER, event_id="bc-hit")).encode(), 0),
            _Record(b"{not json", 1),
            _Record(json.dumps(innocent).encode(), 2),
            _Record(json.dumps(f.visa_application(TRAVELER)).encode(), 3),
            _Record(b"", 4),
            _Record(json.dumps(f.border_crossing(TRAVELER, event_id="bc-hit-2")).encode(), 5)]


def _never(record: object, exc: Exception) -> Outcome:
    raise AssertionError(f"no record should fail here: {exc!r}")


def test_a_batch_screened_stage_by_stage_gives_what_each_record_alone_gives() -> None:
    matcher, records = matcher_with(NOTICE), _batch()
    outcomes = screen_records(records, expected_type="border_crossing", screener=matcher, failed=_never)
    alone = [screen_record(r.value, topic=r.topic, partition=r.partition, offset=r.offset,
                           expected_type="border_crossing", screener=matcher) for r in records]
    assert len(outcomes) == len(records)
    assert all(_same(a, b) for a, b in zip(outcomes, alone, strict=True))
    assert [len(o.alerts) for o in outcomes] == [1, 0, 0, 0, 0, 1]
    assert [o.rejected.offset for o in outcomes if o.rejected] == [1, 3, 4]


class _FailsOn:
    """The matcher, raising for one event id (a bug on one record)."""

    def __init__(self, event_id: str) -> None:
        self.matcher, self.event_id = matcher_with(NOTICE), event_id

    def screen(self, event: Any) -> Any:
        if event.event_id == self.event_id:
            raise KeyError("a bug")
        return self.matcher.screen(event)


def test_a_failure_on_one_record_of_a_batch_answers_that_record_only() -> None:
    failures: list[tuple[int, str]] = []

    def failed(record: Any, exc: Exception) -> Outcome:
        failures.append((record.offset, type(exc).__name__))
        return Outcome()

    outcomes = screen_records(_batch(), expected_type="border_crossing", screener=_FailsOn("bc-hit"), failed=failed)
    assert failures == [(0, "KeyError")]
    assert outcomes[0] == Outcome() and outcomes[5].alerts[0].event_id == "bc-hit-2"
    assert [o.rejected.offset for o in outcomes if o.rejected] == [1, 3, 4]


def test_a_failure_while_the_alerts_are_made_answers_that_record_only() -> None:
    failures: list[int] = []

    def lookup(notice: Any, person: Any) -> Any:  # the clearances, failing for one traveller
        if person.family == "MBARUSHIMANZI" and not failures:
            raise RuntimeError("a bug")
        return None

    def failed(record: Any, exc: Exception) -> Outcome:
        failures.append(record.offset)
        return Outcome()

    outcomes = screen_records(_batch(), expected_type="border_crossing", screener=matcher_with(NOTICE),
                              failed=failed, clearances=lookup)
    assert failures == [0] and outcomes[0] == Outcome()
    assert outcomes[5].alerts[0].event_id == "bc-hit-2"


def test_a_record_that_cannot_be_read_answers_that_record_only() -> None:
    class Unreadable(_Record):
        @property
        def value(self) -> bytes:
            raise OSError("a bug")

        @value.setter
        def value(self, _: object) -> None:
            pass

    failures: list[int] = []

    def failed(record: Any, exc: Exception) -> Outcome:
        failures.append(record.offset)
        return Outcome()

    records = [Unreadable(None, 9), *_batch()]
    outcomes = screen_records(records, expected_type="border_crossing", screener=matcher_with(NOTICE),
                              failed=failed)
    assert failures == [9] and len(outcomes) == 7 and outcomes[1].alerts[0].event_id == "bc-hit"
