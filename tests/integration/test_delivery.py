"""Delivery (issue 4) on real parts: a dispatcher process, Kafka, aiosmtpd, and Prism behind a fault proxy.

Alerts are produced straight to ``alerts`` (built through the real screening path), so these tests
exercise the dispatcher alone: escalation, acknowledgement, dedup, retries, fallback, withdrawal.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from twilio.request_validator import RequestValidator

from fugitive_alerts.local.services import Service, free_port, wait_for
from fugitive_alerts.local.smtp_catcher import SmtpSink
from fugitive_alerts.produce import import_bureaus
from schemas import Alert, Settings, topics
from tests import factories as f
from tests.unit.alert_factory import NOTICE, TRAVELER, make_alert

from .kafka_helpers import produce, read_until, values
from .twilio_faults import TwilioFaults

KE_DUTY, KE_SUPER, FR_DUTY = "+254712345678", "+254712345679", "+33612345678"
BUREAUS = {"bureaus": [
    {"id": "ncb-ke", "name": "NCB Nairobi", "country": "KE", "timezone": "Africa/Nairobi",
     "officers": [
         {"id": "ke-duty", "name": "Duty KE", "phone": KE_DUTY, "email": "duty@ncb-ke.example"},
         {"id": "ke-super", "name": "Supervisor KE", "phone": KE_SUPER, "email": "super@ncb-ke.example",
          "role": "supervisor"},
         {"id": "ke-head", "name": "Head KE", "email": "head@ncb-ke.example", "role": "head"}],
     "escalation": ["ke-super"], "head": "ke-head"},
    {"id": "ncb-rw", "name": "NCB Kigali", "country": "RW", "timezone": "Africa/Kigali",
     "officers": [{"id": "rw-duty", "name": "Duty RW", "email": "duty@ncb-rw.example"}]},
    {"id": "ncb-fr", "name": "NCB Paris", "country": "FR", "timezone": "Europe/Paris",
     "officers": [{"id": "fr-duty", "name": "Duty FR", "phone": FR_DUTY, "email": "duty@ncb-fr.example"}]},
]}
ESCALATE_SECONDS = 3.0


class Stack:
    def __init__(self, settings: Settings, run: Path, faults: TwilioFaults) -> None:
        self.settings, self.run, self.faults = settings, run, faults
        self.dispatcher = Service("dispatcher", [sys.executable, "-m", "fugitive_alerts", "dispatcher"], run,
                                  env=settings.to_env())

    def send(self, *alerts: Alert) -> None:
        produce(self.settings, topics.ALERTS, [(a.alert_id.encode(), a.model_dump_json().encode()) for a in alerts])

    def deliveries(self, alert_id: str, done: Any, timeout: float = 60.0) -> list[dict[str, Any]]:
        """The alert's deliveries, read until ``done(list)`` holds."""
        def mine(rs: list[Any]) -> list[dict[str, Any]]:
            return [d for d in values(rs) if d["alert_id"] == alert_id]
        return mine(read_until(self.settings, topics.DELIVERIES, lambda rs: done(mine(rs)), timeout))

    def escalation(self, alert_id: str, done: Any, timeout: float = 60.0) -> dict[str, Any]:
        def latest(rs: list[Any]) -> dict[str, Any] | None:
            mine = [v for v in values(rs) if v["alert_id"] == alert_id]
            return mine[-1] if mine else None
        return latest(read_until(self.settings, topics.ESCALATIONS, lambda rs: bool(latest(rs)) and done(latest(rs)),
                                 timeout)) or {}


def _settings(settings_factory: Any, faults: TwilioFaults, bureaus: Path, **overrides: Any) -> Settings:
    web_port = free_port()
    return settings_factory(
        bureaus_file=bureaus, twilio_api_base_url=faults.url, web_port=web_port,
        public_url=f"http://127.0.0.1:{web_port}", escalate_critical_minutes=ESCALATE_SECONDS / 60,
        retry_max_delay_seconds=0.5, **overrides)


@pytest.fixture(scope="module")
def stack(settings_factory: Any, faults: TwilioFaults, bureaus_file: Path,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    settings = _settings(settings_factory, faults, bureaus_file)
    asyncio.run(import_bureaus(settings, bureaus_file))
    the_stack = Stack(settings, tmp_path_factory.mktemp("delivery"), faults)
    the_stack.dispatcher.start()
    try:
        yield the_stack
    finally:
        the_stack.dispatcher.stop(30.0)
        print("--- dispatcher log ---\n" + the_stack.dispatcher.log_path.read_text()[-4000:])


def _alert(country: str = "KE", post: str | None = None, notice: dict[str, Any] | None = None,
           event_type: str = "border_crossing") -> Alert:
    person = TRAVELER
    if event_type == "visa_application":
        return make_alert(f.visa_application(person, country=country), notice)
    return make_alert(f.border_crossing(person, country=country, post=post or f"POST-{f._next('p')}"), notice)


def _keys(deliveries: list[dict[str, Any]]) -> list[str]:
    return [d["key"] for d in deliveries]


def test_escalation_climbs_the_chain_and_survives_a_dispatcher_restart(stack: Stack) -> None:
    alert = _alert()
    stack.send(alert)
    first = stack.deliveries(alert.alert_id, lambda ds: len(ds) >= 3)  # KE duty SMS+email, RW duty email
    assert {(d["recipient"], d["channel"], d["level"]) for d in first} == {
        ("ke-duty", "sms", 0), ("ke-duty", "email", 0), ("rw-duty", "email", 0)}

    # Restart before the first step is due: the timer lives in Kafka, so it is neither lost nor repeated.
    stack.dispatcher.stop(30.0)
    stack.dispatcher.start()

    def reached_head(ds: list[dict[str, Any]]) -> bool:
        return any(d["kind"] == "escalation" and d["recipient"] == "ke-head" for d in ds)

    ds = stack.deliveries(alert.alert_id, reached_head, timeout=90)
    steps = {(d["recipient"], d["channel"], d["level"]) for d in ds if d["kind"] == "escalation"}
    assert steps == {("ke-super", "sms", 1), ("ke-super", "email", 1), ("ke-head", "email", 2)}
    assert len(_keys(ds)) == len(set(_keys(ds))), "no message was sent twice"
    state = stack.escalation(alert.alert_id, lambda e: e["bureaus"]["ncb-ke"]["state"] == "exhausted")
    assert state["bureaus"]["ncb-ke"]["level"] == 2


def test_ack_by_email_link_stops_the_bureaus_escalation(stack: Stack, smtp_sink: SmtpSink) -> None:
    alert = _alert()
    stack.send(alert)
    [email] = smtp_sink.wait_for(lambda ms: [m for m in ms if alert.alert_id in str(m["Subject"])
                                             and m["To"] == "duty@ncb-ke.example"], timeout=60)
    link = re.search(r"(http://\S+/ack/\S+)", email.get_body(("plain",)).get_content()).group(1)  # type: ignore[union-attr]
    with urllib.request.urlopen(link, timeout=10) as resp:  # the confirmation page; its button records the ack
        page = resp.read().decode()
        assert resp.status == 200 and alert.alert_id in page
    key = re.search(r'name="form_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    with urllib.request.urlopen(urllib.request.Request(link, data=urllib.parse.urlencode({"form_key": key}).encode(),
                                                       method="POST"), timeout=10) as resp:
        assert resp.status == 200 and f"Acknowledged {alert.alert_id}" in resp.read().decode()
    acks = values(read_until(stack.settings, topics.ACKS,
                             lambda rs: any(json.loads(r.value)["alert_id"] == alert.alert_id for r in rs)))
    assert {(a["bureau_id"], a["officer"], a["channel"]) for a in acks if a["alert_id"] == alert.alert_id} == {
        ("ncb-ke", "ke-duty", "link")}
    state = stack.escalation(alert.alert_id, lambda e: e["bureaus"]["ncb-ke"]["state"] != "pending")
    assert state["bureaus"]["ncb-ke"]["state"] == "acked", "acknowledged before the first step was due"

    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=10)
    assert refused.value.code == 403


def _post_inbound(stack: Stack, form: dict[str, str], signature: str | None) -> tuple[int, str]:
    url = f"{stack.settings.public_url}/twilio/inbound"
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), method="POST",
                                     headers={"X-Twilio-Signature": signature} if signature else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_ack_by_sms_reply_needs_a_valid_twilio_signature(stack: Stack) -> None:
    alert = _alert()
    stack.send(alert)
    stack.deliveries(alert.alert_id, lambda ds: len(ds) >= 3)
    form = {"From": KE_DUTY, "To": stack.settings.twilio_from_number, "Body": f"ack {alert.alert_id}",
            "MessageSid": "SM" + "1" * 32, "AccountSid": stack.settings.twilio_account_sid}
    url = f"{stack.settings.public_url}/twilio/inbound"
    validator = RequestValidator(stack.settings.twilio_auth_token.get_secret_value())

    assert _post_inbound(stack, form, None)[0] == 403
    assert _post_inbound(stack, form, RequestValidator("another-token").compute_signature(url, form))[0] == 403
    status, body = _post_inbound(stack, form, validator.compute_signature(url, form))
    assert status == 200 and f"Acknowledged {alert.alert_id}" in body
    state = stack.escalation(alert.alert_id, lambda e: e["bureaus"]["ncb-ke"]["state"] != "pending")
    assert state["bureaus"]["ncb-ke"] == {**state["bureaus"]["ncb-ke"], "state": "acked", "acked_by": "ke-duty"}


def test_same_person_at_the_same_place_is_one_seen_again_message(stack: Stack) -> None:
    first, again = _alert(post="NBO-DEDUP-1"), _alert(post="NBO-DEDUP-1")
    stack.send(first)
    stack.deliveries(first.alert_id, lambda ds: len(ds) >= 3)
    stack.send(again)
    ds = stack.deliveries(again.alert_id, lambda ds: len(ds) >= 3)
    assert {d["kind"] for d in ds} == {"seen_again"}
    bodies = [r["Body"] for r in stack.faults.requests if r.get("To") == KE_DUTY and first.alert_id in r.get("Body", "")]
    assert any(b.startswith(f"SEEN AGAIN {first.alert_id}") for b in bodies)
    # The repeat starts no escalation of its own.
    escalated = {v["alert_id"] for v in values(read_until(stack.settings, topics.ESCALATIONS,
                                                          lambda rs: any(r.key == first.alert_id.encode() for r in rs)))}
    assert again.alert_id not in escalated


def test_twilio_500_then_429_is_retried_until_accepted(stack: Stack) -> None:
    stack.faults.fail(FR_DUTY, 500, 429)
    alert = _alert(country="FR")
    stack.send(alert)
    ds = stack.deliveries(alert.alert_id, lambda ds: any(d["channel"] == "sms" for d in ds))
    [sms] = [d for d in ds if d["channel"] == "sms"]
    assert sms["status"] == "sent" and sms["attempts"] == 3 and sms["provider_id"].startswith("SM")
    assert stack.faults.answers_for(FR_DUTY)[-3:] == [500, 429, 201]


def test_invalid_number_falls_back_to_email_and_is_dead_lettered(stack: Stack, smtp_sink: SmtpSink) -> None:
    stack.faults.fail(FR_DUTY, 400)
    alert = _alert(country="FR")
    stack.send(alert)
    ds = stack.deliveries(alert.alert_id, lambda ds: {(d["channel"]) for d in ds if d["recipient"] == "fr-duty"}
                          == {"sms", "email"})
    fr = {d["channel"]: d for d in ds if d["recipient"] == "fr-duty"}
    assert fr["sms"]["status"] == "failed" and fr["sms"]["attempts"] == 1 and "21211" in fr["sms"]["error"]
    assert fr["email"]["status"] == "sent"
    dead = values(read_until(stack.settings, topics.DELIVERY_FAILURES,
                             lambda rs: any(json.loads(r.value)["alert_id"] == alert.alert_id for r in rs)))
    assert [d["key"] for d in dead if d["alert_id"] == alert.alert_id] == [fr["sms"]["key"]]
    emails = smtp_sink.wait_for(lambda ms: [m for m in ms if alert.alert_id in str(m["Subject"])
                                            and m["To"] == "duty@ncb-fr.example"], timeout=30)
    assert len(emails) == 1, "the fallback email and the routed email are one message"


def test_withdrawn_notice_stops_escalation_and_officers_are_told_once(stack: Stack) -> None:
    notice = {**NOTICE, "notice_id": "2026/09999"}
    produce(stack.settings, topics.WANTED, [(b"2026/09999", json.dumps(notice).encode())])
    alert = _alert(notice=notice)
    stack.send(alert)
    stack.deliveries(alert.alert_id, lambda ds: len(ds) >= 3)
    produce(stack.settings, topics.WANTED, [(b"2026/09999", None), (b"2026/09999", None)])
    state = stack.escalation(alert.alert_id, lambda e: e["bureaus"]["ncb-ke"]["state"] == "cancelled")
    assert state["bureaus"]["ncb-ke"]["level"] == 0
    ds = stack.deliveries(alert.alert_id, lambda ds: sum(d["kind"] == "withdrawn" for d in ds) >= 3)
    told = [(d["recipient"], d["channel"]) for d in ds if d["kind"] == "withdrawn"]
    assert sorted(told) == [("ke-duty", "email"), ("ke-duty", "sms"), ("rw-duty", "email")]
    assert not [d for d in ds if d["kind"] == "escalation"]


def test_smtp_down_then_up_delivers_exactly_once(settings_factory: Any, faults: TwilioFaults, bureaus_file: Path,
                                                 tmp_path: Path) -> None:
    port = free_port()
    settings = _settings(settings_factory, faults, bureaus_file, smtp_port=port)
    asyncio.run(import_bureaus(settings, bureaus_file))
    down = Stack(settings, tmp_path, faults)
    down.dispatcher.start()
    try:
        alert = _alert(country="FR", event_type="visa_application")  # high urgency: email only
        down.send(alert)
        wait_for(lambda: "delivery failed, will retry" in down.dispatcher.log_path.read_text(), 60,
                 "the dispatcher to find SMTP down")
        # While email is down, a border crossing's SMS still goes out: one slow channel holds up nothing else.
        urgent = _alert(country="FR")
        down.send(urgent)
        down.deliveries(urgent.alert_id, lambda ds: any(d["channel"] == "sms" and d["status"] == "sent" for d in ds))
        with SmtpSink(port=port) as sink:
            ds = down.deliveries(alert.alert_id, lambda ds: len(ds) >= 2, timeout=60)
            assert {(d["recipient"], d["status"]) for d in ds} == {("fr-duty", "sent"), ("rw-duty", "sent")}
            assert all(d["attempts"] > 1 for d in ds)
            mails = sink.wait_for(lambda ms: ms if len(ms) >= 2 else None, timeout=30)
            assert sorted(m["To"] for m in mails if alert.alert_id in str(m["Subject"])) == [
                "duty@ncb-fr.example", "duty@ncb-rw.example"]
            down.deliveries(urgent.alert_id, lambda ds: sum(d["status"] == "sent" for d in ds) >= 3)
            assert sorted(m["To"] for m in sink.messages if urgent.alert_id in str(m["Subject"])) == [
                "duty@ncb-fr.example", "duty@ncb-rw.example"]
    finally:
        down.dispatcher.stop(30.0)


def test_no_sms_body_holds_a_name_birth_date_or_document_number(stack: Stack) -> None:
    bodies = [r.get("Body", "") for r in stack.faults.requests]
    assert bodies, "the other tests sent SMS through the proxy"
    for body in bodies:
        assert not f.leaked(body, "MBARUSHIMANZI", "Mbarushimanzi", "ATHANASIUS", "1951", "RW7000001")


def test_dispatcher_metrics_count_deliveries_and_hand_off_latency(stack: Stack) -> None:
    """/metrics on the dispatcher's web app, after the deliveries the tests above made."""
    with urllib.request.urlopen(f"{stack.settings.public_url}/metrics", timeout=10) as resp:
        text = resp.read().decode()
    sent = re.search(r'^fugitive_alerts_deliveries_total\{channel="sms",outcome="sent"\} (\S+)$', text, re.M)
    failed = re.search(r'^fugitive_alerts_deliveries_total\{channel="sms",outcome="failed"\} (\S+)$', text, re.M)
    assert sent and float(sent.group(1)) >= 1 and failed and float(failed.group(1)) >= 1
    assert re.search(r'^fugitive_alerts_alert_to_provider_seconds_count\{channel="email"\} [1-9]', text, re.M)


def _post_status(stack: Stack, key: str, form: dict[str, str], signed: bool = True) -> int:
    url = f"{stack.settings.public_url}/twilio/status?{urllib.parse.urlencode({'key': key})}"
    headers = {}
    if signed:
        validator = RequestValidator(stack.settings.twilio_auth_token.get_secret_value())
        headers["X-Twilio-Signature"] = validator.compute_signature(url, form)
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_twilio_status_callbacks_update_the_delivery(stack: Stack) -> None:
    alert = _alert()
    stack.send(alert)
    ds = stack.deliveries(alert.alert_id, lambda ds: any(d["channel"] == "sms" for d in ds))
    [sms] = [d for d in ds if d["channel"] == "sms"]
    form = {"MessageSid": sms["provider_id"], "MessageStatus": "delivered", "AccountSid": stack.settings.twilio_account_sid}
    assert _post_status(stack, sms["key"], form, signed=False) == 403
    assert _post_status(stack, sms["key"], form) == 204
    updated = stack.deliveries(alert.alert_id, lambda ds: any(d["key"] == sms["key"] and d["status"] == "delivered"
                                                              for d in ds))
    assert [d["status"] for d in updated if d["key"] == sms["key"]] == ["sent", "delivered"]


def test_an_officer_at_the_sms_limit_gets_no_more_sms_after_a_dispatcher_restart(
        settings_factory: Any, faults: TwilioFaults, bureaus_file: Path, tmp_path: Path) -> None:
    """The rate limit is counted from the delivery log once it is loaded, so a restart forgets nothing."""
    settings = _settings(settings_factory, faults, bureaus_file, rate_limit_sms=2)
    asyncio.run(import_bureaus(settings, bureaus_file))
    limited = Stack(settings, tmp_path, faults)
    limited.dispatcher.start()
    try:
        first = [_alert(country="FR"), _alert(country="FR")]
        limited.send(*first)
        for alert in first:
            limited.deliveries(alert.alert_id, lambda ds: any(d["channel"] == "sms" and d["status"] == "sent"
                                                              for d in ds))
        limited.dispatcher.stop(30.0)
        limited.dispatcher.start()
        third = _alert(country="FR")
        limited.send(third)
        ds = limited.deliveries(third.alert_id, lambda ds: {d["channel"] for d in ds if d["recipient"] == "fr-duty"}
                                == {"sms", "email"})
        fr = {d["channel"]: d for d in ds if d["recipient"] == "fr-duty"}
        assert fr["sms"]["status"] == "skipped" and fr["sms"]["error"] == "rate limited: over 2 per 60 min"
        assert fr["email"]["status"] == "sent", "the email limit is another"
        assert not [r for r in faults.requests if r.get("To") == FR_DUTY and third.alert_id in r.get("Body", "")]
    finally:
        limited.dispatcher.stop(30.0)
