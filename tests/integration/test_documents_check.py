"""Reported travel documents on the real pipeline: every crossing's document is checked (issue 19).

The travellers here are fictional and their documents used nowhere else, so the shared pipeline's
other tests do not interfere. A report is known to be in the worker's table once its record is on
the table's changelog (the agent writes both in one step): tests wait on that, not on time.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from consumers import ensure_topics
from schemas import Settings, alert_id_for, response_topic, topics
from tests import factories as f

from .kafka_helpers import produce, read_all, read_until, values

AGENCY = "ke-immigration"  # the agency of the factories' border crossings


def _report(number: str, *, country: str = "FR", status: str = "stolen", reference: str) -> tuple[bytes, bytes]:
    record = {"issuing_country": country, "number": number, "document_type": "passport", "status": status,
              "reporting_country": country, "reported_on": "2026-03-02", "reference": reference}
    return f"{country}:{number}".encode(), json.dumps(record).encode()


def _crossing(family: str, given: str, number: str, country: str = "FR") -> dict[str, Any]:
    person = f.traveler(family, given, dob="1985-05-05", nationality=country)
    person["document"] = {"type": "passport", "number": number, "country": country}
    return f.border_crossing(person, country="KE")


def _publish(settings: Settings, *events: dict[str, Any]) -> None:
    produce(settings, topics.BORDER_CROSSINGS, [(e["event_id"].encode(), json.dumps(e).encode()) for e in events])


def _in_table(settings: Settings, key: bytes, present: bool = True, timeout: float = 90.0) -> None:
    """Wait until the worker's ``documents`` table holds (or, ``present=False``, has dropped) ``key``."""
    changelog = settings.model_copy(update={"topic_prefix": ""})

    def done(records: list[Any]) -> bool:
        last = [r for r in records if r.key == key]
        return bool(last) and (last[-1].value is not None) == present

    read_until(changelog, f"{settings.app_id}-documents-changelog", done, timeout)


def _answers(settings: Settings, *events: dict[str, Any], timeout: float = 120.0) -> dict[str, dict[str, Any]]:
    ids = {e["event_id"] for e in events}
    records = read_until(settings, response_topic(AGENCY),
                         lambda rs: ids <= {r.key.decode() for r in rs if r.key}, timeout)
    return {v["event_id"]: v for v in values(records) if v["event_id"] in ids}


def _alert(settings: Settings, alert_id: str) -> dict[str, Any]:
    records = read_until(settings, topics.ALERTS, lambda rs: any(r.key == alert_id.encode() for r in rs), 90.0)
    return next(json.loads(r.value) for r in records if r.key == alert_id.encode() and r.value)


def test_a_reported_document_under_any_name_alerts_both_bureaus_and_answers_the_desk(pipeline: Settings) -> None:
    key, value = _report("18FR00001", reference="FR-SLTD-0001")
    produce(pipeline, topics.DOCUMENTS, [(key, value)])
    _in_table(pipeline, key)
    event = _crossing("VANTERPOOL", "ODALYS", "18 fr-00001")  # any name; the number as a desk may type it
    _publish(pipeline, event)

    answer = _answers(pipeline, event)[event["event_id"]]
    assert answer["result"] == "hit"
    [hit] = answer["hits"]
    alert_id = alert_id_for(event["event_id"], "document:FR:18FR00001")
    assert hit["alert_id"] == alert_id and hit["notice_type"] == "document" and hit["call"]["id"] == "ncb-ke"
    assert hit["document"] == {"reference": "FR-SLTD-0001", "status": "stolen", "document_type": "passport",
                               "issuing_country": "FR", "reporting_country": "FR", "reported_on": "2026-03-02"}
    alert = _alert(pipeline, alert_id)
    assert alert["urgency"] == "critical" and alert["requesting_country"] == "FR" and alert["notice"] is None
    assert alert["reasons"] == ["document FR-SLTD-0001 reported stolen by FR on 2026-03-02"]

    # Where the traveller was seen (KE) and the reporting country (FR), duty officers by SMS and email.
    records = read_until(pipeline, topics.DELIVERIES,
                         lambda rs: sum(1 for r in rs if r.key == alert_id.encode()) >= 4, 90.0)
    deliveries = [d for d in values(records) if d["alert_id"] == alert_id]
    assert {(d["bureau_id"], d["channel"]) for d in deliveries} == {
        ("ncb-ke", "sms"), ("ncb-ke", "email"), ("ncb-fr", "sms"), ("ncb-fr", "email")}
    assert all(d["status"] == "sent" for d in deliveries), deliveries


def test_a_recovered_document_no_longer_hits(pipeline: Settings) -> None:
    key, value = _report("18FR00002", reference="FR-SLTD-0002")
    produce(pipeline, topics.DOCUMENTS, [(key, value)])
    _in_table(pipeline, key)
    produce(pipeline, topics.DOCUMENTS, [(key, None)])  # recovered
    _in_table(pipeline, key, present=False)
    event = _crossing("HALVORSEN-ADEYEMI", "TOBIAS", "18FR00002")
    _publish(pipeline, event)
    answer = _answers(pipeline, event)[event["event_id"]]
    assert answer["result"] == "no_hit" and answer["hits"] == []
    alert_id = alert_id_for(event["event_id"], "document:FR:18FR00002")
    assert alert_id.encode() not in {r.key for r in read_all(pipeline, topics.ALERTS)}


def test_a_document_reported_after_the_crossing_alerts_seen_before(pipeline: Settings) -> None:
    event = _crossing("QUARSHIE-LINDQVIST", "MARGIT", "18FR00003")
    _publish(pipeline, event)
    assert _answers(pipeline, event)[event["event_id"]]["result"] == "no_hit"  # not reported yet
    produce(pipeline, topics.DOCUMENTS, [_report("18FR00003", status="lost", reference="FR-SLTD-0003")])
    alert = _alert(pipeline, alert_id_for(event["event_id"], "document:FR:18FR00003"))
    assert alert["seen_before"]["trigger"] == "document_reported"
    assert alert["reasons"][0].startswith("SEEN BEFORE the document was reported")
    assert "reported lost by FR" in alert["reasons"][1]


def test_a_bad_report_is_dead_lettered_with_its_reason_and_the_next_one_is_loaded(pipeline: Settings) -> None:
    good_key, good = _report("18FR00005", reference="FR-SLTD-0005")
    wrong_key, _ = _report("18FR00006", reference="FR-SLTD-0006")
    produce(pipeline, topics.DOCUMENTS, [(b"FR:18FR00007", b"{not json"), (wrong_key, good), (good_key, good)])
    _in_table(pipeline, good_key)
    name = pipeline.topic(topics.DOCUMENTS)
    records = read_until(pipeline, topics.REJECTED,
                         lambda rs: sum(1 for v in values(rs) if v["topic"] == name) >= 2, 90.0)
    errors = sorted(v["error"] for v in values(records) if v["topic"] == name)
    assert errors[0].startswith("invalid reported document")
    assert errors[1] == "record key does not match the document (issuing_country:number)"
    assert not any("18FR0000" in e for e in errors)  # the reason never repeats the number


@pytest.fixture
def own_worker(settings_factory: Any, tmp_path: Any) -> Iterator[tuple[Settings, Any]]:
    """Start and restart a worker of this test's own (its own app id, group, topics and data dir)."""
    from fugitive_alerts.local.services import free_port

    from .world import _start

    settings = settings_factory(smtp=False, twilio=False, documents_check=True)
    started: list[Any] = []

    def start() -> Any:
        # each start its own log, with Faust's recovery steps at info level, for diagnosis
        service = _start(f"worker-{len(started) + 1}", ["worker", "--web-port", str(free_port()), "--loglevel", "info"],
                         settings, tmp_path, {})
        started.append(service)
        return service

    yield settings, start
    for service in started:
        service.stop(30.0)
        lines = service.log_path.read_text().splitlines()
        shown = [line for line in lines if "Stopping" not in line and "Starting" not in line]
        print(f"--- {service.name} log ({service.log_path}), without start and stop lines ---")
        print("\n".join(shown[-120:]))


def test_a_restarted_worker_answers_every_event_with_its_state_and_with_it_wiped(
    own_worker: tuple[Settings, Any],
) -> None:
    """Events published while the worker is down are all answered after a restart, with the right
    result: with its local RocksDB state, and with the state directory wiped (restored from the changelog)."""
    settings, start = own_worker
    asyncio.run(ensure_topics(settings, agencies=[AGENCY]))
    key, value = _report("18FR00004", reference="FR-SLTD-0004")
    produce(settings, topics.DOCUMENTS, [(key, value)])

    def batch(tag: str) -> list[dict[str, Any]]:
        """Every third traveller carries the reported document."""
        return [_crossing(f"RESTART{tag.upper()}", f"N{i}", "18FR00004" if i % 3 == 0 else f"{tag.upper()}{i:05d}")
                for i in range(150)]

    def check(events: list[dict[str, Any]]) -> None:
        answers = _answers(settings, *events, timeout=180.0)
        results = {e["event_id"]: answers[e["event_id"]]["result"] for e in events}
        expected = {e["event_id"]: "hit" if e["traveler"]["document"]["number"] == "18FR00004" else "no_hit"
                    for e in events}
        assert results == expected

    worker = start()
    _in_table(settings, key)
    first = batch("a")
    _publish(settings, *first)
    check(first)
    assert worker.stop(30.0)

    second = batch("b")
    _publish(settings, *second)  # a backlog while the worker is down
    worker = start()  # with its local state
    check(second)
    assert worker.stop(30.0)

    shutil.rmtree(settings.data_dir / "faust" / settings.app_id)  # the state directory wiped
    third = batch("c")
    _publish(settings, *third)
    start()
    check(third)


def test_an_idle_worker_asks_the_broker_about_once_a_second_after_checks_wrote_sightings(
    own_worker: tuple[Settings, Any],
) -> None:
    """Each check writes a sighting to the ``document-sightings`` table's changelog, which Faust pauses (holds
    back) once the table is read; aiokafka keeps the changelog records it fetched buffered for good and leaves
    that partition out of every later fetch. The worker's idle wait must hold all the same: at rest it fetched
    every 20 ms (about 50 requests a second) where an idle worker asks about once a second
    (streams/fetch_wait.py). Counted from the kernel's TCP counters of the worker's connections to the broker."""
    import sys
    import time
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from _requests import segments  # the bench's request counter (ss -ti)

    settings, start = own_worker
    asyncio.run(ensure_topics(settings, agencies=[AGENCY]))
    key, value = _report("18FR00009", reference="FR-SLTD-0009")
    produce(settings, topics.DOCUMENTS, [(key, value)])
    worker = start()
    _in_table(settings, key)
    for i in range(3):  # one at a time: the fetch after each check brings its sighting back from the changelog
        crossing = _crossing("IDLEWAIT", f"N{i}", "18FR00009" if i == 0 else f"IDLE{i:05d}")
        _publish(settings, crossing)
        _answers(settings, crossing)
    port = int(settings.kafka_bootstrap_servers.rsplit(":", 1)[1])
    window = 5.0
    before, t0 = segments(port), time.monotonic()
    time.sleep(window)  # the measurement's window, not a wait for anything
    after, seconds = segments(port), time.monotonic() - t0
    rate = sum(n - before[k] for k, n in after.items() if k[0] == worker.pid and k in before) / seconds
    print(f"idle worker: {rate:.1f} requests a second")
    assert rate < 15, f"{rate:.1f} requests a second from an idle worker"
