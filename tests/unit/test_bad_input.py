"""Hostile input (issue 6): every bad record is rejected with a reason, never an exception or silence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alerting import build_message, render_email, render_sms
from fugitive_alerts.fuzz import run
from fugitive_alerts.importers import read_notices
from streams import screen_record
from tests import factories as f

from .alert_factory import NOTICE, TRAVELER, make_alert, matcher_with

GOOD = f.border_crossing(TRAVELER)


def _screen(raw: bytes):  # type: ignore[no-untyped-def]
    return screen_record(raw, topic="t", partition=0, offset=1, expected_type="border_crossing",
                         screener=matcher_with(NOTICE))


def _with(path: list[str], value: object) -> bytes:
    event = json.loads(json.dumps(GOOD))
    target = event
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(event, allow_nan=True).encode()


@pytest.mark.parametrize(
    ("case", "raw"),
    [
        ("invalid UTF-8", json.dumps(GOOD).encode().replace(b"MBARUSHIMANZI", b"MBAR\xffUSHIMANZI")),
        ("huge field", _with(["traveler", "family"], "X" * 1_000_000)),
        ("JSON nested thousands deep", b'{"event_id": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"),
        ("wrong type: traveler is a list", _with(["traveler"], ["MBARUSHIMANZI"])),
        ("wrong type: event_id is a number", _with(["event_id"], 42)),
        ("NaN where a string belongs", _with(["traveler", "birth_date"], float("nan"))),
        ("Infinity where a string belongs", _with(["country"], float("inf"))),
        ("bare NaN token", b'{"event_id": NaN, "event_type": "border_crossing"}'),
        ("timestamp far in the past", _with(["occurred_at"], "0001-01-01T00:00:00Z")),
        ("timestamp far in the future", _with(["occurred_at"], "9999-12-31T23:59:59Z")),
        ("control character in a name", _with(["traveler", "given"], "ATHA\x00NASIUS")),
        ("line break in a name (header injection)", _with(["traveler", "family"], "X\r\nBcc: a@example.org")),
        ("header injection in the post", _with(["post"], "NBO\r\nSubject: forged")),
        ("unknown field", _with(["surprise"], 1)),
    ],
)
def test_hostile_record_is_rejected_with_a_reason(case: str, raw: bytes) -> None:
    outcome = _screen(raw)
    assert outcome.rejected is not None, case
    assert outcome.rejected.error and outcome.alerts == [] and outcome.response is None


def test_html_name_is_accepted_and_escaped_in_the_email() -> None:
    person = {**TRAVELER, "family": "<img src=x onerror=alert(1)>"}
    alert = make_alert(f.border_crossing(person))
    from schemas import Bureau

    bureau = Bureau.model_validate({"id": "b", "name": "B", "officers": [{"id": "o", "name": "O"}]})
    content = render_email(alert, bureau, "event country")
    assert "<img src=x" not in content.html and "&lt;img src=x onerror=alert(1)&gt;" in content.html
    assert "<img" not in render_sms(alert)
    build_message(content, sender="a@example.org", to="b@example.org", message_id="<m@x>")  # no header error


def test_fuzzed_records_never_crash_the_decode_path() -> None:
    """A fixed budget of the `make fuzz` generator (which runs 100,000 and more)."""
    report = run(3000, seed=20261129)
    assert report.cases == 3000 and report.crashes == []
    assert set(report.by_kind) >= {"field", "flip", "truncate", "utf8", "bytes", "deep", "oversize", "invisible", "valid"}
    # Issue 20: all three event types on both paths; every refusal's dead letter built and bounded,
    # alerts rendered to SMS and email and checked.
    assert {(route, t) for route, t in report.coverage} == {
        (route, t) for route in ("events", "ingest") for t in ("border_crossing", "visa_application", "tip")}
    for key, cov in report.coverage.items():
        assert cov.rejected > 0 and cov.screened > 0 and cov.dead_letters == cov.rejected, key
    invalid = sum(v for k, v in report.by_kind.items() if k != "valid")
    assert report.rejected >= invalid * 0.9, "nearly every mutated record is refused"
    assert report.rendered > 20


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))),
                max_size=5))
def test_importers_report_garbage_rows_and_never_crash(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "garbage"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogateescape")
    for fmt in ("jsonl", "ftm", "interpol", "csv"):
        try:
            notices, _report = read_notices(fmt, path, csv_map={"family": "name"} if fmt == "csv" else None)
        except ValueError as exc:  # the file as a whole refused (InputError), with a message
            assert str(exc)
            continue
        assert len(notices) <= len(lines)
