"""Fault tests (issue 6): a stream of thousands of events survives a killed broker, a killed worker
and a dispatcher that dies between sending and committing, with every true hit alerted exactly once.

Each scenario runs on a broker of its own (it may be killed), a real worker and dispatcher as
processes, the session's SMTP server, and Prism behind a recording proxy (to count SMS). The
counts are written to ``artifacts/reliability-<scenario>.json`` and printed; docs/reliability.md
quotes them.
"""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from fugitive_alerts.local.kafka import LocalBroker
from fugitive_alerts.local.services import Service, free_port, wait_for
from fugitive_alerts.local.smtp_catcher import SmtpSink
from fugitive_alerts.produce import import_bureaus
from schemas import Settings, alert_id_for, topics
from tests import factories as f

from .kafka_helpers import produce_json, read_all, read_until, values
from .twilio_faults import TwilioFaults

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
N_EVENTS, N_NOTICES, N_SIGHTINGS = 3000, 60, 60
DUTY_PHONE = "+254712345670"
BUREAUS = {"bureaus": [{"id": "ncb-ke", "name": "NCB Nairobi", "country": "KE", "timezone": "Africa/Nairobi",
                        "officers": [{"id": "ke-duty", "name": "Duty", "phone": DUTY_PHONE,
                                      "email": "faults@ncb-ke.example"}]}]}
SYLLABLES = ["ka", "lo", "mi", "ru", "ten", "vas", "zor", "bel", "qui", "dra", "nem", "oph", "sul", "tar", "wex"]


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def _world(tag: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[str]]:
    """Fictional notices, a stream of events (2% true sightings, each at its own post), and the
    alert ids the sightings must raise."""
    rng = random.Random(tag)
    notices = [f.notice(_word(rng, 4), _word(rng, 3), notice_id=f"2026/{tag}{i:04d}",
                        dob=f"19{50 + i % 40}-0{1 + i % 9}-1{i % 9}",
                        nationality="RW", passport=f"RW{tag}{i:05d}", requesting="AQ")
               for i in range(N_NOTICES)]
    events, expected = [], set()
    sighting_at = set(rng.sample(range(N_EVENTS), N_SIGHTINGS))
    k = 0
    for i in range(N_EVENTS):
        if i in sighting_at:
            n = notices[k % N_NOTICES]
            k += 1
            name = n["names"][0]
            person = f.traveler(name["family"].upper(), name["given"].upper(), dob=n["birth_dates"][0],
                                nationality="RW", passport=n["documents"][0]["number"])
            event = f.border_crossing(person, country="KE", post=f"POST-{tag}-{i}", event_id=f"bc-{tag}-{i:05d}")
            expected.add(alert_id_for(event["event_id"], n["notice_id"]))
        else:
            person = f.traveler("X" + _word(rng, 4).upper(), "Q" + _word(rng, 2).upper(), dob="1990-01-01",
                                nationality="NL", passport=f"NL{i:07d}")
            event = f.border_crossing(person, country="KE", post=f"POST-{tag}-{i}", event_id=f"bc-{tag}-{i:05d}")
        events.append(event)
    return notices, events, expected


class Rig:
    """One scenario's broker, processes and counters."""

    def __init__(self, tag: str, broker: LocalBroker, settings: Settings, run: Path, faults: TwilioFaults,
                 smtp: SmtpSink) -> None:
        self.tag, self.broker, self.settings, self.run, self.faults, self.smtp = tag, broker, settings, run, faults, smtp
        self.notices, self.events, self.expected = _world(tag)
        self.worker = self._service("worker", ["worker", "--web-port", str(free_port())], settings)
        self.dispatcher = self._service("dispatcher", ["dispatcher"], settings)

    def _service(self, name: str, argv: list[str], settings: Settings) -> Service:
        return Service(name, [sys.executable, "-m", "fugitive_alerts", *argv], self.run, env=settings.to_env())

    def setup(self) -> None:
        bureaus = self.run / "bureaus.yaml"
        bureaus.write_text(yaml.safe_dump(BUREAUS))
        asyncio.run(import_bureaus(self.settings, bureaus))
        produce_json(self.settings, topics.WANTED, self.notices, "notice_id")

    def publish(self, part: slice) -> None:
        produce_json(self.settings, topics.BORDER_CROSSINGS, self.events[part], "event_id")

    def sent(self, records: list[Any]) -> list[dict[str, Any]]:
        return [d for d in values(records) if d["alert_id"] in self.expected and d["status"] == "sent"]

    def wait_delivered(self, fraction: float, timeout: float = 240.0) -> list[dict[str, Any]]:
        """Wait until ``fraction`` of the expected alerts have both their SMS and email recorded as sent."""
        def enough(records: list[Any]) -> bool:
            done = Counter(d["alert_id"] for d in self.sent(records))
            return sum(1 for a in self.expected if done[a] >= 2) >= fraction * len(self.expected)
        return self.sent(read_until(self.settings, topics.DELIVERIES, enough, timeout))

    def counts(self, scenario: str) -> dict[str, Any]:
        deliveries = self.wait_delivered(1.0)
        alerts = [r.key.decode() for r in read_all(self.settings, topics.ALERTS) if r.key]
        keys = Counter(d["key"] for d in deliveries)
        emails = Counter(a for m in self.smtp.messages for a in self.expected if a in str(m["Subject"]))
        sms = Counter(a for r in self.faults.requests for a in self.expected if a in r.get("Body", ""))
        result = {
            "scenario": scenario, "events": len(self.events), "expected_hits": len(self.expected),
            "alert_records": len(alerts), "distinct_alerts": len(set(alerts) & self.expected),
            "unexpected_alerts": len(set(alerts) - self.expected),
            "deliveries_sent": len(deliveries), "duplicate_delivery_records": sum(n - 1 for n in keys.values() if n > 1),
            "emails_received": sum(emails.values()), "duplicate_emails": sum(n - 1 for n in emails.values() if n > 1),
            "sms_accepted": sum(sms.values()), "duplicate_sms": sum(n - 1 for n in sms.values() if n > 1),
        }
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"reliability-{scenario}.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result))
        return result

    def stop(self) -> None:
        for service in (self.worker, self.dispatcher):
            service.stop(30.0)


def _assert_exactly_once(result: dict[str, Any]) -> None:
    n = result["expected_hits"]
    assert result["distinct_alerts"] == n and result["unexpected_alerts"] == 0
    assert result["deliveries_sent"] == 2 * n and result["duplicate_delivery_records"] == 0
    assert result["emails_received"] == n and result["duplicate_emails"] == 0
    assert result["sms_accepted"] == n and result["duplicate_sms"] == 0


@pytest.fixture(scope="module")
def faults(twilio_mock_url: str) -> Iterator[TwilioFaults]:
    with TwilioFaults(twilio_mock_url) as proxy:
        yield proxy


@pytest.fixture
def rig(request: pytest.FixtureRequest, local_broker_factory: Callable[..., LocalBroker], settings_factory: Any,
        faults: TwilioFaults, smtp_sink: SmtpSink, tmp_path: Path) -> Iterator[Callable[..., Rig]]:
    made: list[Rig] = []

    def make(tag: str, **overrides: Any) -> Rig:
        broker = local_broker_factory()
        web_port = free_port()
        settings = settings_factory(
            kafka=False, kafka_bootstrap_servers=broker.bootstrap, twilio_api_base_url=faults.url,
            web_port=web_port, public_url=f"http://127.0.0.1:{web_port}", escalate_critical_minutes=0,
            rate_limit_sms=0, rate_limit_email=0, retry_max_delay_seconds=1.0, retro_grace_seconds=0.0, **overrides)
        the_rig = Rig(tag, broker, settings, tmp_path, faults, smtp_sink)
        the_rig.setup()
        made.append(the_rig)
        return the_rig

    yield make
    for the_rig in made:
        the_rig.stop()
        for service in (the_rig.worker, the_rig.dispatcher):
            print(f"--- {service.name} log (end) ---\n" + service.log_path.read_text()[-2500:])


def test_broker_killed_and_restarted_mid_stream(rig: Callable[..., Rig]) -> None:
    r = rig("K")
    r.worker.start()
    r.dispatcher.start()
    r.publish(slice(0, N_EVENTS // 2))
    r.wait_delivered(0.2)
    r.broker.kill()
    r.broker.wait_stopped()
    r.broker.start()
    r.publish(slice(N_EVENTS // 2, None))
    _assert_exactly_once(r.counts("broker-killed"))


@pytest.mark.parametrize("guarantee", ["at_least_once", "exactly_once"])
def test_worker_killed_and_restarted_mid_stream(rig: Callable[..., Rig], guarantee: str) -> None:
    """Also the evaluation of Faust's exactly_once (docs/reliability.md): the same outcome is required
    either way; the artefact records how many alert records each guarantee left on the topic."""
    r = rig("W" if guarantee == "at_least_once" else "E", processing_guarantee=guarantee)
    r.worker.start()
    r.dispatcher.start()
    r.publish(slice(0, N_EVENTS // 2))
    r.wait_delivered(0.2)
    r.worker.kill()
    wait_for(lambda: not r.worker.is_running(), 30, "the worker to die")
    r.publish(slice(N_EVENTS // 2, None))
    r.worker.start()
    _assert_exactly_once(r.counts(f"worker-killed-{guarantee.replace('_', '-')}"))


def test_dispatcher_killed_between_send_and_offset_commit(rig: Callable[..., Rig]) -> None:
    r = rig("D")
    crashing = Service("dispatcher", [sys.executable, "-m", "tests.integration.crashing_dispatcher"], r.run,
                       env=r.settings.to_env(), cwd=ROOT)
    r.worker.start()
    crashing.start()
    r.publish(slice(0, N_EVENTS // 2))
    wait_for(lambda: not crashing.is_running(), 120, "the dispatcher to exit before its first commit")
    assert "fault injection: exiting between send and offset commit" in crashing.log_path.read_text()
    r.dispatcher.start()  # the same group, from the last committed offset: the batch is replayed
    r.publish(slice(N_EVENTS // 2, None))
    _assert_exactly_once(r.counts("dispatcher-killed"))


def _run_cli(argv: list[str], settings: Settings, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([sys.executable, "-m", "fugitive_alerts", *argv], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **settings.to_env()})


def test_a_publish_whose_broker_goes_away_says_it_waits_then_finishes_and_loses_nothing(
        local_broker_factory: Callable[..., LocalBroker], settings_factory: Any, tmp_path: Path) -> None:
    """The producer retries while the broker is away, so a command sat there without a word (an import
    of the wanted list during a broker restart). It now says every ``kafka_wait_notice_seconds`` that
    it is waiting, and finishes once the broker is back, every record written."""
    broker = local_broker_factory()
    settings = settings_factory(kafka=False, kafka_bootstrap_servers=broker.bootstrap, kafka_wait_notice_seconds=1.0)
    events = [f.border_crossing(f.traveler("WAITING", f"PATIENT{i}"), event_id=f"bc-wait-{i}") for i in range(40)]
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    publish = Service("publish", [sys.executable, "-m", "fugitive_alerts", "publish", "--rate", "10", str(path)],
                      tmp_path, env=settings.to_env())
    publish.start()
    try:
        read_until(settings, topics.BORDER_CROSSINGS, lambda rs: len(rs) >= 5, 60)
        broker.kill()
        publish.wait_ready(lambda: "waiting for Kafka to confirm the records sent" in publish.log_path.read_text(),
                           60, "publish to say that it waits for Kafka")
        broker.start(timeout=120.0)
        wait_for(lambda: not publish.is_running(), 120, "publish to finish once the broker is back")
    finally:
        publish.stop(10.0)
    log = publish.log_path.read_text()
    assert publish.exit_code() == 0, log[-3000:]
    assert "Traceback" not in log
    want = {e["event_id"].encode() for e in events}
    read_until(settings, topics.BORDER_CROSSINGS, lambda rs: {r.key for r in rs} >= want, 60)


@pytest.mark.parametrize("command", [["worker"], ["dispatcher"]])
def test_kafka_unreachable_at_start_is_a_message_and_retries_not_a_traceback(command: list[str], settings_factory: Any) -> None:
    settings = settings_factory(kafka=False, kafka_bootstrap_servers=f"127.0.0.1:{free_port()}",
                                startup_timeout_seconds=3.0)
    proc = _run_cli(command, settings)
    assert proc.returncode == 1
    assert "kafka not reachable yet, retrying" in proc.stderr
    assert "did not answer" in proc.stderr and "fugitive-alerts broker start" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_worker_waits_for_a_late_broker_then_screens(local_broker_factory: Callable[..., LocalBroker],
                                                     settings_factory: Any, tmp_path: Path) -> None:
    broker = local_broker_factory(start=False)
    settings = settings_factory(kafka=False, kafka_bootstrap_servers=broker.bootstrap)
    worker = Service("worker", [sys.executable, "-m", "fugitive_alerts", "worker", "--web-port", str(free_port())],
                     tmp_path, env=settings.to_env())
    worker.start()
    try:
        worker.wait_ready(lambda: "kafka not reachable yet, retrying" in worker.log_path.read_text(), 60,
                          "the worker to report it is waiting for Kafka")
        broker.start()
        notice = f.notice("Lateborn", "Quentin", notice_id="2026/LATE1", dob="1970-01-01", passport="RW7100001",
                          nationality="RW")
        produce_json(settings, topics.WANTED, [notice], "notice_id")
        event = f.border_crossing(f.traveler("LATEBORN", "QUENTIN", dob="1970-01-01", nationality="RW",
                                             passport="RW7100001"))
        produce_json(settings, topics.BORDER_CROSSINGS, [event], "event_id")
        want = alert_id_for(event["event_id"], notice["notice_id"]).encode()
        read_until(settings, topics.ALERTS, lambda rs: any(r.key == want for r in rs), 120)
    finally:
        worker.stop(30.0)
