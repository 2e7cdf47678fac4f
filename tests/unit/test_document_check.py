"""The document check's pure logic: keys, the check record, hits, the joined answer, reports, retro."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from alerting import render_email, render_sms, route
from schemas import Alert, BureauDirectory, DocumentCheck, ReportedDocument, SightingRef, SourcePosition
from streams import screen_record
from streams.documents import (
    SIGHTINGS_KEPT,
    add_sighting,
    check_document,
    check_request,
    classify_report,
    decode_check,
    document_keys,
    retro_alert,
    sightings_in_window,
)
from tests import factories as f

from .alert_factory import NOTICE, TRAVELER, matcher_with

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
WINDOW = timedelta(days=30)
DIRECTORY = BureauDirectory.model_validate({"bureaus": [
    {"id": "ncb-ke", "name": "NCB Nairobi", "country": "KE", "hotline": "+254202012345", "officers": [
        {"id": "ke-duty", "name": "D", "phone": "+254712345678", "email": "duty@ke.example"}]},
    {"id": "ncb-de", "name": "NCB Wiesbaden", "country": "DE", "officers": [
        {"id": "de-duty", "name": "D", "phone": "+4961155000", "email": "duty@de.example"}]},
    {"id": "ncb-rw", "name": "NCB Kigali", "country": "RW", "officers": [
        {"id": "rw-duty", "name": "D", "phone": "+250720123456", "email": "duty@rw.example"}]},
    {"id": "wcu", "name": "War Crimes Unit", "officers": [{"id": "wcu-duty", "name": "D", "email": "wcu@x.example"}],
     "subscription": {"offences": ["genocide"]}},
]})


def report(number: str = "C01X00T47", country: str = "DE", status: str = "stolen",
           reference: str = "DE-SLTD-000017") -> ReportedDocument:
    return ReportedDocument(issuing_country=country, number=number, document_type="passport", status=status,
                            reporting_country="DE", reported_on="2026-03-02", reference=reference)


def screened(event: dict[str, Any], *notices: dict[str, Any]) -> Any:
    return screen_record(json.dumps(event).encode(), topic="events", partition=0, offset=7,
                         expected_type=event["event_type"], screener=matcher_with(*notices), directory=DIRECTORY,
                         now=NOW)


def a_check(event: dict[str, Any], *notices: dict[str, Any]) -> tuple[str, DocumentCheck]:
    request = check_request(screened(event, *notices), SourcePosition(topic="events", partition=0, offset=7))
    assert request is not None
    return request


def stranger(number: str = "c01x 00t47", country: str | None = "DE") -> dict[str, Any]:
    person = f.traveler("OKONKWO-BRANDT", "LIESEL", dob="1990-01-01", sex="F", nationality="DE")
    person["document"] = {"type": "P", "number": number, "country": country}
    return person


def test_an_events_document_is_keyed_as_on_documents_reported_whatever_its_spelling() -> None:
    event = screened(f.border_crossing(stranger("c01x-00t47<<"))).event
    assert document_keys(event) == ["DE:C01X00T47"]


def test_a_document_without_a_country_takes_the_nationality_and_a_bad_number_is_not_checked() -> None:
    assert document_keys(screened(f.border_crossing(stranger(country=None))).event) == ["DE:C01X00T47"]
    assert document_keys(screened(f.border_crossing(stranger("N° 12/34"))).event) == []


def test_events_without_a_document_and_tips_are_answered_at_once() -> None:
    no_doc = f.border_crossing(f.traveler("OKAFOR", "GRACE", nationality="NG"))
    position = SourcePosition(topic="events", partition=0, offset=1)
    assert check_request(screened(no_doc), position) is None
    assert check_request(screened(f.tip("Grace Okafor")), position) is None


def test_a_reported_document_is_a_critical_hit_whatever_the_name() -> None:
    _, check = a_check(f.border_crossing(stranger()))
    outcome = check_document(check, report(), directory=DIRECTORY, now=NOW)
    [alert] = outcome.alerts
    assert alert.band == "alert" and alert.urgency == "critical" and alert.notice is None
    assert alert.requesting_country == "DE" and alert.country == "KE"
    assert alert.reasons == ["document DE-SLTD-000017 reported stolen by DE on 2026-03-02"]
    answer = outcome.response
    assert answer is not None and answer.result == "hit" and outcome.forward is None
    [hit] = answer.hits
    assert hit.alert_id == alert.alert_id and hit.notice_type == "document" and hit.call is not None
    assert hit.document is not None and hit.document.reference == "DE-SLTD-000017"
    assert "C01X00T47" not in answer.model_dump_json()


def test_a_visa_application_with_a_reported_document_is_high() -> None:
    _, check = a_check(f.visa_application(stranger(), country="FR"))
    [alert] = check_document(check, report(status="lost"), directory=DIRECTORY, now=NOW).alerts
    assert alert.urgency == "high" and "reported lost" in alert.reasons[0]


def test_no_report_answers_what_name_screening_found() -> None:
    _, check = a_check(f.border_crossing(stranger()))
    outcome = check_document(check, None, directory=DIRECTORY, now=NOW)
    assert outcome.alerts == [] and outcome.response is not None and outcome.response.result == "no_hit"


def test_a_name_hit_and_a_document_hit_give_one_answer_with_both() -> None:
    traveler = {**TRAVELER, "document": {"type": "passport", "number": "RW7000001", "country": "RW"}}
    event = f.border_crossing(traveler)
    _, check = a_check(event, NOTICE)
    assert check.response.result == "hit"
    outcome = check_document(check, report("RW7000001", "RW", reference="RW-SLTD-1"), directory=DIRECTORY, now=NOW)
    assert outcome.response is not None
    assert [h.notice_type for h in outcome.response.hits] == ["red", "document"]


def test_the_alert_goes_to_the_event_country_and_the_reporting_country_by_sms_without_the_number() -> None:
    _, check = a_check(f.border_crossing(stranger()))
    [alert] = check_document(check, report(), directory=DIRECTORY, now=NOW).alerts
    targets = {(r.bureau.id, r.channel) for r in route(alert, DIRECTORY)}
    assert targets == {("ncb-ke", "sms"), ("ncb-ke", "email"), ("ncb-de", "sms"), ("ncb-de", "email")}
    sms = render_sms(alert)
    assert "DE-SLTD-000017" in sms and "stolen" in sms and alert.alert_id in sms
    for secret in ("C01X00T47", "OKONKWO", "LIESEL", "1990"):
        assert secret not in sms
    email = render_email(alert, DIRECTORY.bureaus[1], "requesting country")
    assert "C01X00T47" not in email.subject and "DE-SLTD-000017" in email.text and "reported stolen" in email.text


def test_two_documents_are_checked_by_a_chain_and_answered_once() -> None:
    _, check = a_check(f.border_crossing(stranger()))
    two = check.model_copy(update={"keys": ["DE:C01X00T47", "FR:99AA11111"]})
    first = check_document(two, report(), directory=DIRECTORY, now=NOW)
    assert first.response is None and first.forward is not None and len(first.alerts) == 1
    next_key, record = first.forward
    assert next_key == "FR:99AA11111" and record.hop == 1
    second = check_document(record, report("99AA11111", "FR", reference="FR-2"), directory=DIRECTORY, now=NOW)
    assert second.response is not None
    assert [h.document.reference for h in second.response.hits if h.document] == ["DE-SLTD-000017", "FR-2"]
    assert first.alerts[0].alert_id != second.alerts[0].alert_id


def test_a_check_record_is_decoded_or_refused_with_a_reason() -> None:
    key, check = a_check(f.border_crossing(stranger()))
    assert decode_check(check.model_dump_json().encode(), key.encode()) == check
    assert decode_check(check.model_dump_json().encode(), b"FR:1") == "check record key does not match its document"
    assert decode_check(b"{", key.encode()).startswith("invalid check record")  # type: ignore[union-attr]
    assert decode_check(None, key.encode()) == "empty check record"


def test_reports_set_delete_skip_the_unchanged_and_refuse() -> None:
    value = report().model_dump_json().encode()
    first = classify_report(b"DE:C01X00T47", value, None)
    assert first.action == "set" and first.new
    assert classify_report(b"DE:C01X00T47", value, value).action == "unchanged"
    spaced = value.replace(b'"C01X00T47"', b'"c01 x00-t47"')  # the same report, before normalisation
    assert classify_report(b"DE:C01X00T47", spaced, value).action == "unchanged"
    lost = report(status="lost").model_dump_json().encode()
    changed = classify_report(b"DE:C01X00T47", lost, value)
    assert changed.action == "set" and not changed.new and changed.value == lost
    assert classify_report(b"DE:C01X00T47", None, value).action == "delete"
    assert classify_report(b"DE:C01X00T47", None, None).action == "unchanged"
    wrong = classify_report(b"FR:1", value, None)
    assert wrong.action == "invalid" and wrong.error and "C01X00T47" not in wrong.error
    bad = classify_report(b"DE:1", b'{"number": "1"}', None)
    assert bad.action == "invalid" and bad.error and bad.error.startswith("invalid reported document")


def test_sightings_keep_the_most_recent_within_the_window() -> None:
    raw = None
    for i in range(SIGHTINGS_KEPT + 5):
        seen = SightingRef(event_id=f"bc-{i}", occurred_at=NOW - timedelta(hours=i),
                           source=SourcePosition(topic="e", partition=0, offset=i))
        raw = add_sighting(raw, seen, NOW, WINDOW)
    kept = sightings_in_window(raw, NOW, WINDOW)
    assert len(kept) == SIGHTINGS_KEPT and {r.event_id for r in kept} == {f"bc-{i}" for i in range(SIGHTINGS_KEPT)}
    old = SightingRef(event_id="bc-old", occurred_at=NOW - timedelta(days=40),
                      source=SourcePosition(topic="e", partition=0, offset=99))
    assert sightings_in_window(add_sighting(None, old, NOW - timedelta(days=39), WINDOW), NOW, WINDOW) == []


def test_a_document_reported_after_the_crossing_alerts_seen_before() -> None:
    event = f.border_crossing(stranger())
    event["occurred_at"] = (NOW - timedelta(hours=30)).isoformat()
    alert = retro_alert(json.dumps(event).encode(), "DE:C01X00T47", report(), NOW, WINDOW)
    assert isinstance(alert, Alert) and alert.seen_before is not None
    assert alert.seen_before.trigger == "document_reported" and alert.urgency == "high"  # a day old: one step down
    assert alert.reasons[0].startswith("SEEN BEFORE the document was reported: 30 h ago")
    live = check_document(a_check(event)[1], report(), directory=DIRECTORY, now=NOW).alerts[0]
    assert alert.alert_id == live.alert_id  # the same alert as a live hit would be: delivered once
    assert "SEEN BEFORE" in render_email(alert, DIRECTORY.bureaus[0], "event country").text


def test_no_retro_alert_for_an_old_or_another_or_a_broken_event() -> None:
    event = f.border_crossing(stranger())
    event["occurred_at"] = (NOW - timedelta(days=31)).isoformat()
    assert retro_alert(json.dumps(event).encode(), "DE:C01X00T47", report(), NOW, WINDOW) is None
    event["occurred_at"] = NOW.isoformat()
    assert retro_alert(json.dumps(event).encode(), "FR:C01X00T47", report(), NOW, WINDOW) is None
    assert retro_alert(b"not json", "DE:C01X00T47", report(), NOW, WINDOW) is None


def test_the_documents_tables_are_on_rocksdb_with_bounded_memory_and_the_app_store_stays_in_memory(
    tmp_path: Any,
) -> None:
    from faust.stores.memory import Store as MemoryStore
    from faust.stores.rocksdb import Store as RocksStore

    from schemas import Settings
    from streams.app import create_app

    settings = Settings(_env_file=None, data_dir=tmp_path, app_id="fa-unit-tables", documents_check=True,
                        documents_block_cache_mb=8,
                        documents_write_buffer_mb=4)
    built = create_app(settings)
    assert built.documents is not None
    memory = built.documents.memory
    assert memory.write_buffers.get_buffer_size() == 4 * 1024 * 1024
    for table in (built.documents.reports, built.documents.sightings):
        assert isinstance(table.data, RocksStore)
        assert table.data.rocksdb_options.memory is memory  # type: ignore[attr-defined]
    assert str(built.app.conf.store) == "memory:"
    assert built.app.conf.table_standby_replicas == 1
    assert not isinstance(built.documents.reports.data, MemoryStore)


def test_a_table_batch_writes_rocksdb_only_once_the_changelog_has_the_records(tmp_path: Any) -> None:
    """The changelog records go first; the values and each partition's last changelog offset (the one
    Faust's recovery resumes from) reach RocksDB only after the broker acknowledged them."""
    import asyncio
    from types import SimpleNamespace

    from schemas import Settings
    from streams.app import create_app
    from streams.table_batch import TableBatch, table_get

    settings = Settings(_env_file=None, data_dir=tmp_path, app_id="fa-unit-batch", documents_check=True)
    built = create_app(settings)
    assert built.documents is not None
    table = built.documents.reports
    sent: list[tuple[str, int, bytes, bytes | None]] = []

    async def send(topic: str, partition: int, key: bytes, value: bytes | None) -> Any:
        sent.append((topic, partition, key, value))
        assert table_get(table, partition, key) is None or value is None  # not in RocksDB before it is sent
        done = asyncio.get_running_loop().create_future()
        done.set_result(SimpleNamespace(offset=100 + len(sent)))
        return done

    async def run() -> None:
        batch = TableBatch(table, send)
        batch.set(3, b"DE:A1", b"one")
        batch.set(3, b"DE:A1", b"two")  # the last value of a key in a batch wins
        batch.set(5, b"FR:B2", b"three")
        assert batch.get(3, b"DE:A1") == b"two" and table_get(table, 3, b"DE:A1") is None
        await batch.commit()
        batch.set(5, b"FR:B2", None)
        await batch.commit()

    asyncio.run(run())
    changelog = "fa-unit-batch-documents-changelog"
    assert sent == [(changelog, 3, b"DE:A1", b"two"), (changelog, 5, b"FR:B2", b"three"), (changelog, 5, b"FR:B2", None)]
    assert table_get(table, 3, b"DE:A1") == b"two" and table_get(table, 5, b"FR:B2") is None
    store: Any = table.data
    assert store._db_for_partition(3).get(store.offset_key) == b"101"
    assert store._db_for_partition(5).get(store.offset_key) == b"103"
