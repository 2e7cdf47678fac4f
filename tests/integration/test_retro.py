"""Retro-screening on the real pipeline: a notice issued after the sighting still alerts, once.

The people here are fictional and used nowhere else, so the shared pipeline's other notices and
events do not interfere.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from consumers import ensure_topics
from fugitive_alerts.produce import import_wanted
from schemas import Settings, alert_id_for, response_topic, topics
from tests import factories as f

from .kafka_helpers import produce_json, read_until

AGENCY = "ke-immigration"  # the agency of the factories' border crossings


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _crossing(
    family: str,
    given: str,
    *,
    dob: str,
    ago: timedelta,
    passport: str,
    sex: str = "M",
    nationality: str = "IE",
    event_id: str | None = None,
) -> dict[str, Any]:
    event = f.border_crossing(
        f.traveler(family, given, dob=dob, sex=sex, nationality=nationality, passport=passport),
        country="KE",
        event_id=event_id,
    )
    event["occurred_at"] = _iso(datetime.now(UTC) - ago)
    return event


def _produce_at(settings: Settings, topic: str, items: list[tuple[dict[str, Any], int | None]]) -> None:
    """Send events keyed by event_id, each with its own Kafka record timestamp (ms), or the broker's now."""

    async def run() -> None:
        producer = AIOKafkaProducer(acks="all", **settings.kafka_client_kwargs())  # type: ignore[arg-type]
        await producer.start()
        try:
            for event, ts in items:
                await producer.send_and_wait(
                    settings.topic(topic),
                    key=event["event_id"].encode(),
                    value=json.dumps(event).encode(),
                    timestamp_ms=ts,
                )
        finally:
            await producer.stop()

    asyncio.run(run())


def _screened_live(settings: Settings, *events: dict[str, Any]) -> None:
    """Wait until the worker has screened ``events`` live (each crossing gets a response), so the
    notice imported next can only find them by retro-screening."""
    asyncio.run(ensure_topics(settings, agencies=[AGENCY]))
    ids = {e["event_id"] for e in events}
    read_until(
        settings, response_topic(AGENCY), lambda rs: ids <= {r.key.decode() for r in rs if r.key}, 90.0
    )


def _interpol_file(tmp_path: Path, *notices: dict[str, Any]) -> Path:
    path = tmp_path / "interpol.json"
    path.write_text(json.dumps({"total": len(notices), "_embedded": {"notices": list(notices)}}))
    return path


def _import(settings: Settings, path: Path, fmt: str) -> None:
    report = asyncio.run(import_wanted(settings, path, format=fmt))
    assert report.sent >= 1 and not report.rejected, report.rejected


def _alerts(settings: Settings, *alert_ids: str, timeout: float = 120.0) -> dict[str, list[dict[str, Any]]]:
    wanted = set(alert_ids)
    records = read_until(
        settings, topics.ALERTS, lambda rs: wanted <= {r.key.decode() for r in rs if r.key}, timeout
    )
    found: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        if r.key and r.value:
            found.setdefault(r.key.decode(), []).append(json.loads(r.value))
    return found


def test_event_published_before_its_notice_alerts_when_the_notice_arrives(
    pipeline: Settings, smtp_sink: Any, tmp_path: Path
) -> None:
    """A crossing on Tuesday, the notice on Thursday: the alert comes with when and where it was seen."""
    event = _crossing(
        "WOLLSTONECRAFTE", "PERPETUA", dob="1972-03-03", sex="F", ago=timedelta(hours=3), passport="PB1112223"
    )
    produce_json(pipeline, topics.BORDER_CROSSINGS, [event], "event_id")
    _screened_live(pipeline, event)
    _import(
        pipeline,
        _interpol_file(
            tmp_path,
            {
                "entity_id": "2026/81001",
                "forename": "PERPETUA",
                "name": "WOLLSTONECRAFTE",
                "date_of_birth": "1972/03/03",
                "sex_id": "F",
                "nationalities": ["IE"],
                "arrest_warrants": [
                    {"issuing_country_id": "IE", "charge": "Fraud", "charge_translation": None}
                ],
            },
        ),
        "interpol",
    )

    alert_id = alert_id_for(event["event_id"], "2026/81001")
    [alert] = _alerts(pipeline, alert_id)[alert_id]
    seen = alert["seen_before"]
    assert (seen["trigger"], seen["country"], seen["place"]) == ("new_notice", "KE", "NBO-JKIA-T1")
    assert 2.9 <= seen["age_hours"] <= 4.0 and seen["occurred_at"].startswith(event["occurred_at"][:16])
    assert alert["urgency"] == "critical"  # three hours old: a border crossing keeps its urgency
    assert alert["reasons"][0].startswith("seen before the notice was issued: 3 h ago")
    assert alert["notice"]["source"] == "interpol" and alert["requesting_country"] == "IE"

    emails = smtp_sink.wait_for(
        lambda msgs: [m for m in msgs if alert_id in str(m["Subject"]) and m["To"] == "duty@ncb-ke.example"],
        timeout=60,
    )
    body = emails[0].get_body(("plain",)).get_content()
    assert "SEEN BEFORE:   3 hours before this alert: the notice was issued after this sighting" in body


def test_event_older_than_the_window_does_not_alert(pipeline: Settings, tmp_path: Path) -> None:
    """Both clocks count: an old Kafka timestamp is not scanned, an old occurred_at is not alerted."""
    month_ago = datetime.now(UTC) - timedelta(days=pipeline.event_retention_days, hours=1)
    person = {"dob": "1968-08-08", "passport": "IE5550001", "nationality": "IE"}
    old = _crossing("MACCARRIGHAN", "FIACHNA", ago=timedelta(days=31), **person)
    late_report = _crossing("MACCARRIGHAN", "FIACHNA", ago=timedelta(days=31), **person)
    recent = _crossing("MACCARRIGHAN", "FIACHNA", ago=timedelta(days=2), **person)
    _produce_at(
        pipeline,
        topics.BORDER_CROSSINGS,
        [(old, int(month_ago.timestamp() * 1000)), (late_report, None), (recent, None)],
    )
    _screened_live(pipeline, old, late_report, recent)
    notice = f.notice(
        "MacCarrighan",
        "Fiachna",
        notice_id="2026/81002",
        dob="1968-08-08",
        nationality="IE",
        passport="IE5550001",
        requesting="IE",
    )
    path = tmp_path / "n.jsonl"
    path.write_text(json.dumps(notice) + "\n")
    _import(pipeline, path, "jsonl")

    recent_id = alert_id_for(recent["event_id"], "2026/81002")
    found = _alerts(pipeline, recent_id)
    assert found[recent_id][0]["urgency"] == "high"  # two days old: one step down from critical
    # Same partition, scanned in offset order: the recent event's alert means the others were passed.
    for stale in (old, late_report):
        assert alert_id_for(stale["event_id"], "2026/81002") not in found


def test_identical_reimport_does_not_alert_twice(pipeline: Settings, tmp_path: Path) -> None:
    first = _crossing(
        "TREGARTHENICK",
        "LOVEDAY",
        dob="1981-12-01",
        sex="F",
        nationality="GB",
        ago=timedelta(hours=5),
        passport="GB5550002",
    )
    probe = _crossing(
        "PENHALIGONNE",
        "JAGO",
        dob="1959-04-04",
        nationality="GB",
        ago=timedelta(hours=5),
        passport="GB5550003",
    )
    produce_json(pipeline, topics.BORDER_CROSSINGS, [first, probe], "event_id")
    _screened_live(pipeline, first, probe)
    notice = f.notice(
        "Tregarthenick",
        "Loveday",
        notice_id="2026/81003",
        dob="1981-12-01",
        sex="F",
        nationality="GB",
        passport="GB5550002",
        requesting="GB",
    )
    path = tmp_path / "n.jsonl"
    path.write_text(json.dumps(notice) + "\n")
    _import(pipeline, path, "jsonl")
    first_id = alert_id_for(first["event_id"], "2026/81003")
    _alerts(pipeline, first_id)

    _import(pipeline, path, "jsonl")  # the same list again, e.g. tomorrow's unchanged feed
    probe_notice = f.notice(
        "Penhaligonne",
        "Jago",
        notice_id="2026/81004",
        dob="1959-04-04",
        nationality="GB",
        passport="GB5550003",
        requesting="GB",
    )
    path.write_text(json.dumps(probe_notice) + "\n")
    _import(pipeline, path, "jsonl")
    probe_id = alert_id_for(probe["event_id"], "2026/81004")
    # The probe notice came after the re-import on the same partition: once it has alerted, the
    # re-import has been handled too.
    found = _alerts(pipeline, first_id, probe_id)
    assert len(found[first_id]) == 1, "an identical re-import must not re-screen"


@pytest.fixture
def own_worker(settings_factory: Any, tmp_path: Path) -> Any:
    """Start and restart a worker of this test's own (its own app id, group and fingerprint table)."""
    from fugitive_alerts.local.services import free_port

    from .world import _start

    settings = settings_factory(smtp=False, twilio=False)
    started: list[Any] = []

    def start() -> Any:
        service = _start("worker", ["worker", "--web-port", str(free_port())], settings, tmp_path, {})
        started.append(service)
        return service

    yield settings, start
    for service in started:
        service.stop(30.0)


def test_fingerprints_survive_a_worker_restart(own_worker: Any, tmp_path: Path) -> None:
    """After a restart the worker knows what it already retro-screened: a re-import raises nothing new."""
    settings, start = own_worker
    asyncio.run(ensure_topics(settings))
    first = _crossing(
        "ARBUTHNOTT-VAYNE",
        "CORISANDE",
        dob="1977-07-17",
        sex="F",
        nationality="GB",
        ago=timedelta(hours=1),
        passport="GB5550004",
    )
    probe = _crossing(
        "LLEWELLYN-ROSSER",
        "EMRYS",
        dob="1962-02-12",
        nationality="GB",
        ago=timedelta(hours=1),
        passport="GB5550005",
    )
    produce_json(settings, topics.BORDER_CROSSINGS, [first, probe], "event_id")
    worker = start()
    _screened_live(settings, first, probe)
    notice = f.notice(
        "Arbuthnott-Vayne",
        "Corisande",
        notice_id="2026/81005",
        dob="1977-07-17",
        sex="F",
        nationality="GB",
        passport="GB5550004",
        requesting="GB",
    )
    path = tmp_path / "n.jsonl"
    path.write_text(json.dumps(notice) + "\n")
    _import(settings, path, "jsonl")
    first_id = alert_id_for(first["event_id"], "2026/81005")
    _alerts(settings, first_id)
    assert worker.stop(30.0)

    start()
    _import(settings, path, "jsonl")
    probe_notice = f.notice(
        "Llewellyn-Rosser",
        "Emrys",
        notice_id="2026/81006",
        dob="1962-02-12",
        nationality="GB",
        passport="GB5550005",
        requesting="GB",
    )
    path.write_text(json.dumps(probe_notice) + "\n")
    _import(settings, path, "jsonl")
    probe_id = alert_id_for(probe["event_id"], "2026/81006")
    found = _alerts(settings, first_id, probe_id, timeout=180.0)
    assert len(found[first_id]) == 1, "the restarted worker re-screened a notice it had already screened"
