"""The wire models accept exactly the record contract of docs/records.md, and refuse everything else with a ValidationError."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas import EVENT_ADAPTER, Alert, BureauDirectory, Tip, WantedPerson
from tests import factories as f

DESIGN_NOTICE = {"notice_id": "2019/48213", "notice_type": "red", "status": "active", "requesting_country": "RW",
                 "names": [{"given": "Théogène", "family": "Ndagijimanza"}, {"given": "Theogene", "family": "Ndagijimanza"}],
                 "birth_dates": ["1935-03-01"], "sex": "M", "nationalities": ["RW"],
                 "documents": [{"type": "passport", "number": "RW1234567", "country": "RW"}],
                 "offences": ["genocide"], "caution": None}
SAMPLE = Path(__file__).resolve().parents[2] / "fugitive_alerts" / "sample"


def test_design_examples_round_trip() -> None:
    notice = WantedPerson.model_validate(DESIGN_NOTICE)
    assert WantedPerson.model_validate_json(notice.model_dump_json()) == notice
    event = f.border_crossing(f.traveler("NDAGIJIMANZA", "THEOGENE", dob="1935-03-01", nationality="RW",
                                         passport="RW1234567"))
    parsed = EVENT_ADAPTER.validate_python(event)
    assert EVENT_ADAPTER.validate_json(parsed.model_dump_json()) == parsed


def test_sample_data_is_valid() -> None:
    for line in (SAMPLE / "events.jsonl").read_bytes().splitlines():
        EVENT_ADAPTER.validate_json(line)
    for line in (SAMPLE / "wanted.jsonl").read_bytes().splitlines():
        WantedPerson.model_validate_json(line)


def test_unknown_field_is_rejected() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        WantedPerson.model_validate({**DESIGN_NOTICE, "height_cm": 180})


@pytest.mark.parametrize("code", ["XX", "rwa", "R1", "", "ZZ"])
def test_country_must_be_iso_3166_alpha2(code: str) -> None:
    with pytest.raises(ValidationError, match="ISO 3166-1"):
        WantedPerson.model_validate({**DESIGN_NOTICE, "requesting_country": code})


def test_country_is_upper_cased() -> None:
    assert WantedPerson.model_validate({**DESIGN_NOTICE, "requesting_country": "rw"}).requesting_country == "RW"


@pytest.mark.parametrize("value", ["1935", "1935-03", "1935-03-01"])
def test_partial_birth_dates_are_accepted(value: str) -> None:
    assert WantedPerson.model_validate({**DESIGN_NOTICE, "birth_dates": [value]}).birth_dates == [value]


@pytest.mark.parametrize(("value", "partial"), [
    ("1935-00-00", "1935"), ("1935-XX-XX", "1935"), ("1935-03-00", "1935-03"), ("1935-03-xx", "1935-03"),
    ("1935-00-17", "1935"), ("1935-00", "1935"),
])
def test_unknown_month_or_day_written_00_or_xx_makes_the_date_partial(value: str, partial: str) -> None:
    """Travel documents and national systems print an unknown day or month as 00 or XX: such a
    traveller must still be screened (on the year), not dead-lettered."""
    assert WantedPerson.model_validate({**DESIGN_NOTICE, "birth_dates": [value]}).birth_dates == [partial]


@pytest.mark.parametrize("value", ["1935-13", "1935-02-30", "1935-13-00", "1935-XX-32", "35-03-01", "1935/03/01", "03-01-1935"])
def test_impossible_or_malformed_dates_are_rejected(value: str) -> None:
    with pytest.raises(ValidationError):
        WantedPerson.model_validate({**DESIGN_NOTICE, "birth_dates": [value]})


def test_naive_timestamp_is_rejected() -> None:
    event = f.border_crossing(f.traveler("DOE", "JOHN"))
    event["occurred_at"] = "2026-04-14T08:12:00"
    with pytest.raises(ValidationError, match="timezone"):
        EVENT_ADAPTER.validate_python(event)


def test_event_type_selects_the_model_and_a_traveller_needs_a_name() -> None:
    event = f.border_crossing({"birth_date": "1970"})
    with pytest.raises(ValidationError, match="traveler needs"):
        EVENT_ADAPTER.validate_python(event)


def test_tip_subject_may_be_nameless() -> None:
    tip = EVENT_ADAPTER.validate_python(f.tip(None, "someone saw a man"))
    assert isinstance(tip, Tip) and not tip.subject.has_name


def test_control_character_in_a_name_is_rejected() -> None:
    with pytest.raises(ValidationError, match="control character"):
        EVENT_ADAPTER.validate_python(f.border_crossing(f.traveler("DOE\x00", "JOHN")))


def test_bureau_phone_must_be_e164_and_email_valid() -> None:
    base = {"id": "ncb-ke", "name": "NCB", "country": "KE", "timezone": "Africa/Nairobi"}
    with pytest.raises(ValidationError, match=r"E\.164"):
        BureauDirectory.model_validate({"bureaus": [{**base, "officers": [{"id": "a", "name": "A", "phone": "0712 345678"}]}]})
    with pytest.raises(ValidationError, match="email"):
        BureauDirectory.model_validate({"bureaus": [{**base, "officers": [{"id": "a", "name": "A", "email": "not-an-email"}]}]})
    with pytest.raises(ValidationError, match="time zone"):
        BureauDirectory.model_validate({"bureaus": [{**base, "timezone": "Mars/Olympus",
                                                      "officers": [{"id": "a", "name": "A"}]}]})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_garbage_bytes_give_a_validation_error_never_another_exception(raw: bytes) -> None:
    for parse in (EVENT_ADAPTER.validate_json, WantedPerson.model_validate_json, Alert.model_validate_json):
        with contextlib.suppress(ValidationError):
            parse(raw)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["event_id", "event_type", "occurred_at", "country", "agency", "post",
                                        "direction", "traveler", "applicant", "subject", "text", "extra"]),
                       json_values, max_size=10))
def test_garbage_json_objects_give_a_validation_error(obj: dict[str, object]) -> None:
    raw = json.dumps(obj).encode()
    with contextlib.suppress(ValidationError):
        EVENT_ADAPTER.validate_json(raw)


def test_deeply_nested_json_is_a_validation_error() -> None:
    raw = b'{"event_id": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    with pytest.raises(ValidationError):
        EVENT_ADAPTER.validate_json(raw)
