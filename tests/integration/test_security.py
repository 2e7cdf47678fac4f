"""Security (issue 6; issue 9's ACL part) on a real SASL_SSL broker with ACLs: every denial is
actually denied, every service works as its own principal, and nothing personal or secret leaks
into a log line or an SMS. See docs/security.md."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from infra import CompactedView, compacted
from schemas import alert_id_for, response_topic, topics
from tests import factories as f

from .kafka_helpers import read_until, values
from .secure_world import (
    AGENCIES,
    BIRTH_DATE,
    DENIED,
    NAME,
    NOTICE,
    PASSPORT,
    SERVICES,
    Secure,
    secure,
    secure_pipeline,
    try_produce,
    try_read,
)
from .twilio_faults import TwilioFaults

__all__ = ["secure", "secure_pipeline"]  # fixtures

pytestmark = pytest.mark.integration

KE, FR = AGENCIES
EVENT = b'{"event_id": "probe"}'


def _cli(settings: Any, *args: str, env: dict[str, str | None] | None = None, timeout: float = 150.0,
         secure: Secure | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "FUGITIVE_ALERTS_"))}
    full = {**base, **settings.to_env()}
    for key, value in (env or {}).items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    proc = subprocess.run([sys.executable, "-m", "fugitive_alerts", *args], env=full, capture_output=True,
                          text=True, timeout=timeout)
    if secure is not None:
        secure.outputs += [proc.stdout, proc.stderr]
    return proc


# -- who may write where -------------------------------------------------------------------------


def test_an_agency_writes_only_its_own_ingest_topics(secure: Secure) -> None:
    ke = secure.as_user(KE)
    assert try_produce(ke, topics.ingest_topic(KE, "border_crossing"), b"k", EVENT) == "ok"
    assert try_produce(ke, topics.ingest_topic(FR, "border_crossing"), b"k", EVENT) == DENIED
    for name in (topics.BORDER_CROSSINGS, topics.VISA_APPLICATIONS, topics.TIPS, topics.ALERTS, topics.WANTED):
        assert try_produce(ke, name, b"k", EVENT) == DENIED, name


def test_the_dispatcher_cannot_write_events(secure: Secure) -> None:
    dispatcher = secure.as_user(SERVICES.dispatcher)
    for name in (topics.BORDER_CROSSINGS, topics.VISA_APPLICATIONS, topics.TIPS, topics.ingest_topic(KE, "tip")):
        assert try_produce(dispatcher, name, b"k", EVENT) == DENIED, name
    assert try_produce(dispatcher, topics.DELIVERY_FAILURES, b"k", b"{}") == "ok"  # control: it writes its own


def test_the_importer_imports_the_wanted_list_and_nothing_else(secure: Secure, tmp_path: Path) -> None:
    """Issue 20: the daily import runs as `importer`, not as the super user: it writes (and, for
    --full-snapshot, reads) wanted.notices, and is denied events, alerts and the bureau directory."""
    notice = f.notice("Trevellyan", "Osgood", notice_id="2026/88001", dob="1955-05-05", nationality="GB")
    path = tmp_path / "list.jsonl"
    path.write_text(json.dumps(notice) + "\n")
    importer = secure.as_user(SERVICES.importer)
    proc = _cli(importer, "wanted", "import", "--format", "jsonl", "--full-snapshot", "--source", "feed-x", str(path),
                secure=secure)
    assert proc.returncode == 0, proc.stderr
    imported = read_until(secure.admin, topics.WANTED, lambda rs: any(r.key == b"2026/88001" for r in rs))
    assert any(r.key == b"2026/88001" for r in imported)
    assert try_read(importer, topics.WANTED) != DENIED  # --full-snapshot reads what is there
    for name in (topics.BORDER_CROSSINGS, topics.ALERTS, topics.BUREAUS, topics.ingest_topic(KE, "tip")):
        assert try_read(importer, name) == DENIED, name
    for name in (topics.BORDER_CROSSINGS, topics.ALERTS, topics.BUREAUS, topics.ACKS):
        assert try_produce(importer, name, b"k", EVENT) == DENIED, name


def test_only_the_directory_principal_writes_the_bureau_directory(secure: Secure) -> None:
    """Issue 20: from the dispatcher's host one could rewrite every officer's phone and email."""
    directory = secure.as_user(SERVICES.directory)
    proc = _cli(directory, "bureaus", "import", str(secure.admin.bureaus_file), secure=secure)
    assert proc.returncode == 0, proc.stderr
    dispatcher = secure.as_user(SERVICES.dispatcher)
    assert try_produce(dispatcher, topics.BUREAUS, b"ncb-ke", b"{}") == DENIED
    assert try_read(dispatcher, topics.BUREAUS) != DENIED, "the dispatcher still reads it"
    for name in (topics.BORDER_CROSSINGS, topics.ALERTS, topics.WANTED):
        assert try_produce(directory, name, b"k", EVENT) == DENIED, name


def test_records_the_broker_refuses_are_an_error_not_a_success(secure: Secure, tmp_path: Path) -> None:
    """A producer hands back each record's fate in a future and ``flush`` does not raise: the
    commands reported "imported 5 bureau(s)" and exited 0 for a principal the broker refused every
    record of. Each refused command now says so and exits 1, and none says it sent anything."""
    dispatcher = secure.as_user(SERVICES.dispatcher)
    proc = _cli(dispatcher, "bureaus", "import", str(secure.admin.bureaus_file), secure=secure)
    assert proc.returncode == 1 and "not authorized" in proc.stderr, (proc.stdout, proc.stderr)
    assert "imported" not in proc.stdout

    notice = f.notice("Trevellyan", "Osgood", notice_id="2026/88002", dob="1955-05-05", nationality="GB")
    wanted = tmp_path / "list.jsonl"
    wanted.write_text(json.dumps(notice) + "\n")
    proc = _cli(secure.as_user(KE), "wanted", "import", "--format", "jsonl", str(wanted), secure=secure)
    assert proc.returncode == 1 and "not authorized" in proc.stderr, (proc.stdout, proc.stderr)

    events = tmp_path / "events.jsonl"  # an event of another agency: its ingest topic is not KE's to write
    event = {**f.border_crossing(f.traveler("OKAFOR", "GRACE"), event_id="bc-refused-1"), "agency": FR}
    events.write_text(json.dumps(event) + "\n")
    proc = _cli(secure.as_user(KE), "publish", "--ingest", str(events), secure=secure)
    assert proc.returncode == 1 and "not authorized" in proc.stderr, (proc.stdout, proc.stderr)
    for out in (proc.stdout, proc.stderr):
        assert "Traceback" not in out


# -- who may read what ---------------------------------------------------------------------------


def test_an_agency_cannot_read_wanted_lists_alerts_or_events(delivered: dict[str, Any]) -> None:
    """After a real run, so each topic holds records (the admin's read is the control)."""
    secure: Secure = delivered["secure"]
    for name in (topics.WANTED, topics.ALERTS, topics.BORDER_CROSSINGS,
                 topics.ingest_topic(KE, "border_crossing")):  # not even what it wrote itself
        assert try_read(secure.admin, name) != DENIED, name
        assert try_read(secure.as_user(KE), name) == DENIED, name


def test_an_agency_reads_its_own_responses_only(delivered: dict[str, Any]) -> None:
    """Issue 9: the worker answers on responses.<agency>, which that agency alone may read."""
    secure: Secure = delivered["secure"]
    visa = f.visa_application(f.traveler("OKAFOR", "GRACE", sex="F", nationality="NG"), event_id="va-secure-1")
    assert try_produce(secure.as_user(FR), topics.ingest_topic(FR, "visa_application"), b"va-secure-1",
                       json.dumps(visa).encode()) == "ok"
    fr_answers = try_read(secure.as_user(FR), response_topic(FR), timeout=90.0)
    assert isinstance(fr_answers, list) and b"va-secure-1" in b"".join(fr_answers)
    ke_answers = try_read(secure.as_user(KE), response_topic(KE))
    assert isinstance(ke_answers, list) and delivered["event"]["event_id"].encode() in b"".join(ke_answers)
    assert try_read(secure.as_user(KE), response_topic(FR)) == DENIED
    assert try_read(secure.as_user(FR), response_topic(KE)) == DENIED


def test_a_reader_stops_without_waiting_for_the_fetch_the_broker_holds(secure: Secure,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Over TLS a connection is closed once the broker answers the client's goodbye, and the broker
    reads nothing from a connection while it holds that connection's fetch: an idle reader's, for up
    to ``FETCH_MAX_WAIT_MS``. Stopping a reader waited for that, and the dispatcher's six readers,
    stopped one after the other, took 13-16 s to exit over SASL_SSL (32 s, killed, once). Here the
    broker may hold the reader's fetch for 30 s: the stop must not wait for it."""
    monkeypatch.setattr(compacted, "FETCH_MAX_WAIT_MS", 30_000)

    async def run() -> float:
        view = CompactedView(secure.admin.topic(topics.WANTED), secure.admin.kafka_client_kwargs(), bytes)
        await view.start()
        await view.ready.wait()  # caught up: its next fetch is held by the broker, nothing being new
        began = time.monotonic()
        await view.stop()
        return time.monotonic() - began

    assert asyncio.run(run()) < 15.0


def test_wrong_password_is_refused_with_a_clear_message(secure: Secure, tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(f.border_crossing(f.traveler("OKAFOR", "GRACE"))) + "\n")
    proc = _cli(secure.as_user(KE), "publish", "--ingest", str(path), env={"KAFKA_SASL_PASSWORD": "not-the-pw-4711"},
                timeout=60.0)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "refused the login of user 'ke-immigration'" in proc.stderr
    assert "KAFKA_SASL_PASSWORD" in proc.stderr
    assert "Traceback" not in proc.stderr and "not-the-pw-4711" not in proc.stdout + proc.stderr


# -- the pipeline over SASL_SSL, each service as its own principal -------------------------------


@pytest.fixture(scope="module")
def delivered(secure_pipeline: tuple[Secure, TwilioFaults], tmp_path_factory: pytest.TempPathFactory,
              smtp_sink: Any) -> dict[str, Any]:
    """A border crossing published through ingest by the agency's CLI, answered and delivered."""
    secure, faults = secure_pipeline
    event = f.border_crossing(f.traveler(NAME[0].upper(), NAME[1].upper(), dob=BIRTH_DATE, sex="F",
                                         nationality="GB", passport=PASSPORT), event_id="bc-secure-1")
    path = tmp_path_factory.mktemp("ingest") / "events.jsonl"
    path.write_text(json.dumps(event) + "\n")
    proc = _cli(secure.as_user(KE), "publish", "--ingest", str(path), "--wait-response", "--timeout", "90",
                secure=secure)
    alert_id = alert_id_for(event["event_id"], NOTICE["notice_id"])
    smtp_sink.wait_for(lambda ms: [m for m in ms if alert_id in str(m["Subject"])], timeout=60.0)
    read_until(secure.admin, topics.DELIVERIES,
               lambda rs: any(v.get("alert_id") == alert_id and v.get("channel") == "sms" and v.get("status") != "pending"
                              for v in values(rs)), 60.0)
    return {"proc": proc, "alert_id": alert_id, "event": event, "secure": secure, "faults": faults, "smtp": smtp_sink}


def test_an_event_published_through_ingest_is_screened_and_answered(delivered: dict[str, Any]) -> None:
    proc = delivered["proc"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"HIT    {delivered['event']['event_id']}" in proc.stdout
    assert delivered["alert_id"] in proc.stdout


def test_the_dispatcher_delivers_sms_and_email_over_sasl_ssl(delivered: dict[str, Any]) -> None:
    faults: TwilioFaults = delivered["faults"]
    bodies = [r.get("Body", "") for r in faults.requests]
    assert any(delivered["alert_id"] in body for body in bodies), bodies
    assert [m for m in delivered["smtp"].messages if delivered["alert_id"] in str(m["Subject"])]


def test_an_event_claiming_another_agency_is_rejected(secure_pipeline: tuple[Secure, TwilioFaults]) -> None:
    secure, _ = secure_pipeline
    forged = f.border_crossing(f.traveler("OKAFOR", "GRACE"), event_id="bc-forged-1") | {"agency": FR}
    assert try_produce(secure.as_user(KE), topics.ingest_topic(KE, "border_crossing"), b"bc-forged-1",
                       json.dumps(forged).encode()) == "ok"
    rejected = read_until(secure.admin, topics.REJECTED, lambda rs: any(
        v.get("topic", "").endswith(f"ingest.{KE}.border-crossings") and "claims agency 'fr-visas'" in v["error"]
        for v in values(rs)), 90.0)
    assert rejected
    crossings = read_until(secure.admin, topics.BORDER_CROSSINGS, lambda rs: True, 5.0)
    assert b"bc-forged-1" not in {r.key for r in crossings}
    # The agency cannot read events.rejected, so it is told on its own responses topic, as itself.
    answers = values(read_until(secure.as_user(KE), response_topic(KE),
                                lambda rs: any(r.key == b"bc-forged-1" for r in rs), 90.0))
    [answer] = [a for a in answers if a["event_id"] == "bc-forged-1"]
    assert answer["result"] == "rejected" and "claims agency 'fr-visas'" in answer["error"]


def test_lag_monitor_and_cli_work_over_sasl_ssl(delivered: dict[str, Any]) -> None:
    secure: Secure = delivered["secure"]
    proc = _cli(secure.as_user(SERVICES.monitor), "lag", "--json", secure=secure, timeout=60.0)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    groups = {g["group"] for g in report["groups"]}
    assert {secure.admin.app_id, secure.admin.dispatcher_group} <= groups
    assert any(p["topic"] == secure.admin.topic(topics.BORDER_CROSSINGS) and p["committed"] for p in report["partitions"])
    # `responses tail` follows forever: read until the answer shows, then stop it.
    ke = secure.as_user(KE)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "FUGITIVE_ALERTS_"))}, **ke.to_env()}
    tail = subprocess.Popen([sys.executable, "-m", "fugitive_alerts", "responses", "tail", "--agency", KE,
                             "--from-beginning", "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in tail.stdout or ()], daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 60.0
        while not any(delivered["event"]["event_id"] in line for line in seen) and time.monotonic() < deadline:
            try:
                seen.append(lines.get(timeout=1.0))
            except queue.Empty:
                assert tail.poll() is None, tail.stderr.read() if tail.stderr else ""
    finally:
        tail.terminate()
        _, err = tail.communicate(timeout=30)
        secure.outputs += [*seen, err]
    assert any(delivered["event"]["event_id"] in line for line in seen), (seen, err)


def test_no_log_line_or_sms_holds_personal_data_or_a_secret(delivered: dict[str, Any]) -> None:
    """The worker's and dispatcher's logs, every CLI output and every SMS body of the run: no name,
    birth date or document number of the traveller, no SASL password, no Twilio auth token."""
    secure: Secure = delivered["secure"]
    faults: TwilioFaults = delivered["faults"]
    texts = {
        "worker log": (secure.run / "worker.log").read_text(),
        "dispatcher log": (secure.run / "dispatcher.log").read_text(),
        "cli output": "\n".join(secure.outputs),
        "sms bodies": "\n".join(r.get("Body", "") for r in faults.requests),
    }
    assert texts["sms bodies"] and "hit" in texts["worker log"]
    emails = "\n".join(str(m) for m in delivered["smtp"].messages)
    assert PASSPORT in emails  # control: the traveller's details were in the run (the email may carry them)
    personal = [*NAME, BIRTH_DATE, BIRTH_DATE.replace("-", ""), PASSPORT]
    for where, text in texts.items():
        for needle in personal:
            assert not re.search(re.escape(needle), text, re.IGNORECASE), f"{needle!r} found in the {where}"
        for secret in secure.secrets():
            assert secret not in text, f"a secret found in the {where}"
