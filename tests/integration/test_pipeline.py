"""The whole path on real parts: Kafka broker, Faust worker, dispatcher, SMTP server, Twilio mock (Prism)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest

from schemas import Settings, alert_id_for, topics
from tests import factories as f

from .kafka_helpers import produce, produce_json, read_until, values
from .world import KNOWN, PROBE, WITHDRAWN_LATER

pytestmark = pytest.mark.integration

def _alerts_for(settings: Settings, *alert_ids: str, timeout: float = 90.0) -> dict[str, dict[str, Any]]:
    wanted = set(alert_ids)
    records = read_until(settings, topics.ALERTS,
                         lambda rs: wanted <= {r.key.decode() for r in rs if r.key}, timeout)
    return {r.key.decode(): json.loads(r.value) for r in records if r.key and r.key.decode() in wanted}


def _deliveries(settings: Settings, alert_id: str, count: int) -> list[dict[str, Any]]:
    records = read_until(settings, topics.DELIVERIES,
                         lambda rs: sum(1 for r in rs if r.key == alert_id.encode()) >= count, 90.0)
    return [d for d in values(records) if d["alert_id"] == alert_id]


def test_border_crossing_of_wanted_person_alerts_by_email_and_sms(pipeline: Settings, smtp_sink: Any) -> None:
    """A wanted traveller at a border: alert on `alerts`, email received over SMTP, SMS accepted by the Twilio mock."""
    event = f.border_crossing(f.traveler("MBARUSHIMANZI", "ATHANASIUS", dob="1951-03-01", nationality="RW",
                                         passport="RW7000001"), country="KE")
    produce_json(pipeline, topics.BORDER_CROSSINGS, [event], "event_id")
    alert_id = alert_id_for(event["event_id"], KNOWN["notice_id"])

    alert = _alerts_for(pipeline, alert_id)[alert_id]
    assert alert["band"] == "alert" and alert["urgency"] == "critical"
    assert alert["event_id"] == event["event_id"] and alert["notice_id"] == KNOWN["notice_id"]
    assert any("passport" in r for r in alert["reasons"])

    # KE (event country) duty officer: SMS + email; RW (requesting) duty: SMS + email; war-crimes unit: email.
    deliveries = _deliveries(pipeline, alert_id, 5)
    by_key = {(d["recipient"], d["channel"]): d for d in deliveries}
    assert set(by_key) == {("ke-duty", "sms"), ("ke-duty", "email"), ("rw-duty", "sms"), ("rw-duty", "email"),
                           ("wcu-duty", "email")}
    assert all(d["status"] == "sent" for d in deliveries), deliveries
    assert by_key[("ke-duty", "sms")]["provider_id"].startswith("SM")  # Prism answered with a Message SID
    assert len(deliveries) == 5, "each (alert, recipient, channel) is delivered once"

    emails = smtp_sink.wait_for(lambda msgs: [m for m in msgs if alert_id in str(m["Subject"])
                                              and m["To"] == "duty@ncb-ke.example"], timeout=30)
    body = emails[0].get_body(("plain",)).get_content()
    assert "MBARUSHIMANZI" in body and "passport RW7000001 matches" in body
    assert "MBARUSHIMANZI" not in str(emails[0]["Subject"])


def test_malformed_record_is_dead_lettered_and_next_record_still_alerts(pipeline: Settings) -> None:
    bad = b'{"event_id": "bc-bad-1", "event_type": "border_crossing", "traveler": '
    good = f.border_crossing(f.traveler("MBARUSHIMANZI", "ATHANASIUS", dob="1951-03-01", nationality="RW",
                                        passport="RW7000001"))
    produce(pipeline, topics.BORDER_CROSSINGS, [(b"bc-bad-1", bad), (good["event_id"].encode(), json.dumps(good).encode())])

    rejected = values(read_until(pipeline, topics.REJECTED,
                                 lambda rs: any(base64.b64decode(json.loads(r.value)["raw"]) == bad for r in rs)))
    entry = next(r for r in rejected if base64.b64decode(r["raw"]) == bad)
    assert entry["topic"] == pipeline.topic(topics.BORDER_CROSSINGS)
    assert "invalid" in entry["error"] and entry["offset"] >= 0
    _alerts_for(pipeline, alert_id_for(good["event_id"], KNOWN["notice_id"]))


def test_visa_application_and_tip_alert_too(pipeline: Settings, smtp_sink: Any) -> None:
    visa = f.visa_application(f.traveler("KRAVETSENKO", "OLESYA", dob="1979-06-21", sex="F", nationality="UA",
                                         passport="FE700002"), country="FR")
    tip = f.tip("Athanasius Mbarushimanzi", "Caller saw him near the market.", country="CD")
    produce_json(pipeline, topics.VISA_APPLICATIONS, [visa], "event_id")
    produce_json(pipeline, topics.TIPS, [tip], "event_id")
    visa_id = alert_id_for(visa["event_id"], WITHDRAWN_LATER["notice_id"])
    tip_id = alert_id_for(tip["event_id"], KNOWN["notice_id"])
    alerts = _alerts_for(pipeline, visa_id, tip_id)
    assert alerts[visa_id]["urgency"] == "high" and alerts[visa_id]["event_type"] == "visa_application"
    assert alerts[tip_id]["urgency"] == "normal" and alerts[tip_id]["event_type"] == "tip"
    # A visa application is email only; a tip goes to the analysts by email.
    visa_deliveries = _deliveries(pipeline, visa_id, 1)
    assert {d["channel"] for d in visa_deliveries} == {"email"}
    smtp_sink.wait_for(lambda msgs: [m for m in msgs if tip_id in str(m["Subject"])
                                     and m["To"] == "analyst@ncb-cd.example"], timeout=30)


def test_tombstoned_notice_no_longer_alerts(pipeline: Settings) -> None:
    """After a null record for a notice_id (withdrawn), a sighting of that person raises nothing."""
    produce(pipeline, topics.WANTED, [(WITHDRAWN_LATER["notice_id"].encode(), None)])
    produce_json(pipeline, topics.WANTED, [PROBE], "notice_id")
    # The probe notice was written after the tombstone on the same (single) partition: once a probe
    # sighting alerts, the worker has applied the tombstone too.
    probes: set[str] = set()
    for n in range(30):
        probe = f.border_crossing(f.traveler("QUILLFEATHER", "BARNABUS", dob="1960-01-01", nationality="GB",
                                             passport="GB7000003"), event_id=f"bc-probe-{n}")
        probes.add(alert_id_for(probe["event_id"], PROBE["notice_id"]))
        produce_json(pipeline, topics.BORDER_CROSSINGS, [probe], "event_id")
        try:
            read_until(pipeline, topics.ALERTS, lambda rs: any(r.key and r.key.decode() in probes for r in rs), 3.0)
            break
        except AssertionError:
            continue
    else:
        pytest.fail("the probe notice never became active in the worker")

    withdrawn = f.border_crossing(f.traveler("KRAVETSENKO", "OLESYA", dob="1979-06-21", sex="F", nationality="UA",
                                             passport="FE700002"))
    sentinel = f.border_crossing(f.traveler("QUILLFEATHER", "BARNABUS", dob="1960-01-01", nationality="GB",
                                            passport="GB7000003"))
    produce_json(pipeline, topics.BORDER_CROSSINGS, [withdrawn, sentinel], "event_id")
    sentinel_id = alert_id_for(sentinel["event_id"], PROBE["notice_id"])
    records = read_until(pipeline, topics.ALERTS, lambda rs: any(r.key == sentinel_id.encode() for r in rs))
    # Same partition, screened in order: the sentinel's alert means the withdrawn sighting was screened first.
    assert not [v for v in values(records) if v["event_id"] == withdrawn["event_id"]]


def test_a_stream_of_hostile_records_is_dead_lettered_and_screening_goes_on(pipeline: Settings) -> None:
    """Fuzzed records on the real topic: each one the decoder refuses lands in events.rejected with a
    reason, none stops the agent, and a good sighting after them still alerts."""
    from itertools import islice

    from fugitive_alerts.fuzz import mutations
    from streams import screen_record
    from tests.unit.alert_factory import matcher_with

    cases = [raw for _, raw in islice(mutations(7), 200) if len(raw) < 500_000]
    bad = {raw for raw in cases if screen_record(raw, topic="t", partition=0, offset=0, expected_type="border_crossing",
                                                 screener=matcher_with(KNOWN)).rejected is not None}
    good = f.border_crossing(f.traveler("MBARUSHIMANZI", "ATHANASIUS", dob="1951-03-01", nationality="RW",
                                        passport="RW7000001"), post="NBO-FUZZ-1")
    produce(pipeline, topics.BORDER_CROSSINGS, [(b"fuzz", raw) for raw in cases]
            + [(good["event_id"].encode(), json.dumps(good).encode())])
    _alerts_for(pipeline, alert_id_for(good["event_id"], KNOWN["notice_id"]))
    digests = {hashlib.sha256(raw).hexdigest() for raw in bad}  # a dead letter keeps a prefix, its length and digest
    rejected = values(read_until(pipeline, topics.REJECTED,
                                 lambda rs: digests <= {json.loads(r.value)["sha256"] for r in rs}, 90))
    assert all(r["error"] for r in rejected)
    by_digest = {hashlib.sha256(raw).hexdigest(): raw for raw in bad}
    mine = [r for r in rejected if r["sha256"] in by_digest]  # the shared pipeline has other tests' dead letters
    assert len(mine) >= len(bad)
    for r in mine:  # each dead letter holds the first 4 KiB of the record it names
        assert base64.b64decode(r["raw"]) == by_digest[r["sha256"]][:4096]
    assert len(bad) > 150
