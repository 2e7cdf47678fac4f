"""Broker failover on a three-node cluster (issue 15): SIGKILL the leader, lose nothing.

The cluster is started the way a user would, ``fugitive-alerts broker start --nodes 3``: three KRaft
nodes on 127.0.0.1, replication factor 3 and ``min.insync.replicas=2``. A worker screens a steady
stream of border crossings (one in ten a true sighting of a fictional notice) and a dispatcher
sends each alert's SMS (through a recording proxy in front of the Twilio mock) and email (to the
session's SMTP server). Mid-stream the node that leads every partition of the events and alerts
topics is SIGKILLed; then it is restarted, the cluster heals (every replica back in sync), and the
node leading them now is SIGKILLed in turn. At the end: every event answered, every expected alert
on ``alerts`` and sent by SMS exactly once. Figures are printed and written to
``artifacts/failover-broker-leader.json``.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from consumers import ensure_topics, topic_specs
from fugitive_alerts.local.cluster import LocalCluster
from fugitive_alerts.local.services import Service, free_port, port_is_free, wait_for
from fugitive_alerts.local.smtp_catcher import SmtpSink
from fugitive_alerts.produce import import_bureaus
from schemas import Settings, alert_id_for, response_topic, topics
from tests import factories as f

from .answers import AGENCY, Desk
from .kafka_helpers import produce_json, read_all, read_until, values
from .twilio_faults import TwilioFaults
from .world import BUREAUS

# Three JVMs to start, two kills and a heal: 2.5-3.5 min on the shared 2-core machine, within
# reach of the suite's 300 s per test when it is busier still.
pytestmark = pytest.mark.timeout(600)

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
NODES, PARTITIONS, NOTICES = 3, 2, 40
STREAM_AFTER_KILL = 4.0
"""Seconds the stream goes on after every partition is answered again: load on the new leaders."""


def _free_base_port() -> int:
    """A port p with p .. p+2*NODES-1 all free (the CLI's layout: node i on p+2(i-1), controller next)."""
    while True:
        base = free_port()
        if base + 2 * NODES < 65535 and all(port_is_free(base + i) for i in range(2 * NODES)):
            return base


def _cli(*argv: str, timeout: float = 300.0) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    return subprocess.run([sys.executable, "-m", "fugitive_alerts", *argv], capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[LocalCluster]:
    """A three-node cluster started with ``broker start --nodes 3``; stopped after the test."""
    started = time.monotonic()
    for attempt in range(3):  # a port found free can be taken (a node's own outgoing connection) before it binds
        data_dir = tmp_path / f"cluster-{attempt}"
        proc = _cli("broker", "start", "--nodes", str(NODES), "--data-dir", str(data_dir),
                    "--port", str(_free_base_port()), "--timeout", "240")
        if proc.returncode == 0 or "Address already in use" not in proc.stderr:
            break  # the CLI stopped every node of a cluster that failed to start
    try:
        assert proc.returncode == 0, proc.stderr
        the_cluster = LocalCluster(data_dir)
        assert proc.stdout.strip() == the_cluster.bootstrap
        assert f"FUGITIVE_ALERTS_REPLICATION_FACTOR={NODES}" in proc.stderr
        print(f"\ncluster of {NODES} up in {time.monotonic() - started:.1f} s")
        yield the_cluster
    finally:
        if (data_dir / "cluster.json").exists():
            LocalCluster(data_dir).stop()
    status = _cli("broker", "status", "--data-dir", str(data_dir))
    assert status.returncode == 1 and "0 live" in status.stdout  # stopped: status says so


@pytest.fixture
def twilio(twilio_mock_url: str) -> Iterator[TwilioFaults]:
    """Records every SMS request on its way to the Twilio mock (no faults planned)."""
    with TwilioFaults(twilio_mock_url) as proxy:
        yield proxy


def _create_led_by_node_1(settings: Settings, names: list[str]) -> None:
    """Create ``names`` as ``ensure_topics`` would, but with node 1 first in every replica list, so that
    one node leads every partition of them (the node the test kills)."""
    specs = {spec.name: spec for spec in topic_specs(settings)}

    async def run() -> None:
        admin = AIOKafkaAdminClient(**settings.kafka_client_kwargs())  # type: ignore[arg-type]
        await admin.start()
        try:
            await admin.create_topics([
                NewTopic(settings.topic(n), -1, -1, replica_assignments={p: [1, 2, 3] for p in range(PARTITIONS)},
                         topic_configs=specs[settings.topic(n)].topic_configs)
                for n in names])
        finally:
            await admin.close()

    asyncio.run(run())


SYLLABLES = ["ka", "lo", "mi", "ru", "ten", "vas", "zor", "bel", "qui", "dra", "nem", "oph", "sul", "tar", "wex"]


def _notices() -> list[dict[str, Any]]:
    """Fictional notices with made-up names, distinct enough that each sighting matches one notice."""
    rng = random.Random("broker-failover")

    def word(parts: int) -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()

    return [f.notice(word(4), word(3), notice_id=f"2026/BF{i:04d}", dob=f"19{50 + i % 40}-0{1 + i % 9}-1{i % 9}",
                     nationality="RW", passport=f"RWBF{i:05d}", requesting="AQ")
            for i in range(NOTICES)]


class Sightings:
    """Every tenth event of the stream is a true sighting of the next notice: the alerts it must raise."""

    def __init__(self, notices: list[dict[str, Any]], tag: str) -> None:
        self.notices, self.tag, self.expected = notices, tag, set()

    def __call__(self, n: int) -> dict[str, Any] | None:
        if n % 10:
            return None
        notice = self.notices[(n // 10) % len(self.notices)]
        name = notice["names"][0]
        person = f.traveler(name["family"].upper(), name["given"].upper(), dob=notice["birth_dates"][0],
                            nationality="RW", passport=notice["documents"][0]["number"])
        event = f.border_crossing(person, event_id=f"bf-{self.tag}-{n:06d}")
        self.expected.add(alert_id_for(event["event_id"], notice["notice_id"]))
        return event


def _kill_leader_mid_stream(cluster: LocalCluster, settings: Settings, desk: Desk, sightings: Sightings,
                            worker: Service, led: list[str]) -> dict[str, Any]:
    """Stream, SIGKILL the node leading ``led`` topics, stream on until every partition is answered again."""
    leaders = cluster.leaders(led)
    victim = leaders[(led[0], 0)]
    assert set(leaders.values()) == {victim}, f"one node must lead every partition of {led}: {leaders}"
    desk.start_stream(sightings)
    before = len(desk.sent)
    wait_for(lambda: sum(1 for s in desk.snapshot()[before:] if s.answered_at) >= 10 * PARTITIONS, 60,
             "the stream to be answered")
    cluster.kill(victim)
    killed = time.monotonic()
    wait_for(lambda: all(n not in (-1, victim) for n in cluster.leaders(led).values()), 60,
             "new leaders for every partition", interval=0.2)
    new_leaders = time.monotonic() - killed

    def answered_since_kill() -> bool:
        return len({s.partition for s in desk.snapshot() if s.at >= killed and s.answered_at}) == PARTITIONS

    wait_for(answered_since_kill, 120, "answers on every partition after the kill",
             abort=lambda: None if worker.is_running() else "the worker died")
    resumed = time.monotonic() - killed
    time.sleep(STREAM_AFTER_KILL)  # load on the new leaders, not synchronisation: the waits below poll
    desk.stop_stream()
    return {"killed_node": victim, "new_leaders_s": round(new_leaders, 2), "answers_resumed_s": round(resumed, 2)}


def test_killing_the_leader_of_the_events_and_alerts_partitions_loses_nothing(
        cluster: LocalCluster, settings_factory: Any, twilio: TwilioFaults, smtp_sink: SmtpSink,
        tmp_path: Path) -> None:
    web_port = free_port()
    settings = settings_factory(kafka=False, kafka_bootstrap_servers=cluster.bootstrap, twilio_api_base_url=twilio.url,
                                replication_factor=NODES, partitions=PARTITIONS, retro_grace_seconds=0.0,
                                web_port=web_port, public_url=f"http://127.0.0.1:{web_port}",
                                escalate_critical_minutes=0, rate_limit_sms=0, rate_limit_email=0,
                                retry_max_delay_seconds=1.0)
    assert settings.topic_min_insync_replicas == 2
    led = [settings.topic(topics.BORDER_CROSSINGS), settings.topic(topics.ALERTS)]
    _create_led_by_node_1(settings, [topics.BORDER_CROSSINGS, topics.ALERTS])
    asyncio.run(ensure_topics(settings, agencies=[AGENCY]))
    bureaus = tmp_path / "bureaus.yaml"
    bureaus.write_text(yaml.safe_dump(BUREAUS))
    asyncio.run(import_bureaus(settings, bureaus))
    notices = _notices()
    produce_json(settings, topics.WANTED, notices, "notice_id")
    every_topic = [*(spec.name for spec in topic_specs(settings)), settings.topic(response_topic(AGENCY))]
    described = cluster.metadata(every_topic)["topics"]
    assert all(len(p["replicas"]) == NODES for t in described for p in t["partitions"]), "replication factor 3"

    worker = Service("worker", [sys.executable, "-m", "fugitive_alerts", "worker", "--web-port", str(free_port())],
                     tmp_path, env=settings.to_env())
    dispatcher = Service("dispatcher", [sys.executable, "-m", "fugitive_alerts", "dispatcher"], tmp_path,
                         env=settings.to_env())
    sightings = Sightings(notices, "x")
    figures: dict[str, Any] = {"nodes": NODES, "partitions": PARTITIONS, "min_insync_replicas": 2}
    try:
        with Desk(settings, PARTITIONS).running() as desk:
            worker.start()
            dispatcher.start()
            first = desk.publish_round()
            worker.wait_ready(lambda: not desk.unanswered(first), 120, "the worker to answer")

            figures["leader_killed"] = _kill_leader_mid_stream(cluster, settings, desk, sightings, worker, led)
            worker.wait_ready(lambda: not desk.unanswered(), 120, "every event to be answered")

            restarted = time.monotonic()
            cluster.start_node(figures["leader_killed"]["killed_node"], timeout=180)
            cluster.wait_healed([*every_topic, "__consumer_offsets"], timeout=180)
            figures["restart_and_heal_s"] = round(time.monotonic() - restarted, 2)

            figures["after_heal_leader_killed"] = _kill_leader_mid_stream(cluster, settings, desk, sightings,
                                                                          worker, led)
            worker.wait_ready(lambda: not desk.unanswered(), 120, "every event to be answered")
            sent = desk.snapshot()

            def every_sms_sent(records: list[Any]) -> bool:
                done = {d["alert_id"] for d in values(records) if d["channel"] == "sms" and d["status"] == "sent"}
                return sightings.expected <= done

            def delivered() -> bool:
                try:
                    read_until(settings, topics.DELIVERIES, every_sms_sent, 5.0)
                except AssertionError:  # not yet: read_until's own deadline
                    return False
                return True

            dispatcher.wait_ready(delivered, 180, "every expected alert's SMS to be sent")
    finally:
        for service in (worker, dispatcher):
            service.stop(30.0)
            problems = [line for line in service.log_path.read_text().splitlines()
                        if any(level in line for level in ("[WARNING]", "[ERROR]", "[warning", "[error"))]
            print(f"--- {service.name} log: {len(problems)} warnings and errors (ids only), the last 10 ---\n"
                  + "\n".join(problems[-10:]))

    alerts = {r.key.decode() for r in read_all(settings, topics.ALERTS) if r.key}
    sms = Counter(a for r in twilio.requests for a in sightings.expected if a in r.get("Body", ""))
    emails = Counter(a for m in smtp_sink.messages for a in sightings.expected if a in str(m["Subject"]))
    waits = sorted(s.wait or 0.0 for s in sent)
    figures |= {
        "load_average_1m": round(os.getloadavg()[0], 1),
        "events": len(sent), "unanswered": sum(1 for s in sent if s.answered_at is None),
        "expected_alerts": len(sightings.expected), "alerts_lost": len(sightings.expected - alerts),
        "sms_sent": sum(sms.values()), "sms_missing": len(sightings.expected - set(sms)),
        "duplicate_sms": sum(n - 1 for n in sms.values()),
        "emails_received": sum(emails.values()), "duplicate_emails": sum(n - 1 for n in emails.values()),
        "longest_wait_s": round(waits[-1], 2), "median_wait_s": round(waits[len(waits) // 2], 3),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "failover-broker-leader.json").write_text(json.dumps(figures, indent=2))
    print(f"\nbroker-leader: {json.dumps(figures)}")
    assert sightings.expected and figures["unanswered"] == 0 and figures["alerts_lost"] == 0
    assert figures["sms_missing"] == 0 and figures["duplicate_sms"] == 0
