"""Acks only a person makes (issue 20) on real parts: a dispatcher process, Kafka, aiosmtpd, Prism.

A link prefetcher (HEAD or GET) acknowledges nothing; only the POST from the confirmation page
does. A link signed with the previous key is still accepted during a rotation. An SMS "ACK <ref>"
is confirmed only for an alert sent to the sender's bureau, and a replayed webhook is dropped.
The dispatcher refuses to start with the built-in key.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from twilio.request_validator import RequestValidator

from alerting import AckClaim, sign_ack
from fugitive_alerts.local.services import Service, free_port
from fugitive_alerts.local.smtp_catcher import SmtpSink
from fugitive_alerts.produce import import_bureaus
from infra.web import SECURITY_HEADERS
from schemas import Alert, Settings, topics
from tests import factories as f
from tests.unit.alert_factory import TRAVELER, make_alert

from .kafka_helpers import produce, read_all, read_until, values

KE_DUTY, FR_DUTY = "+254712345678", "+33612345678"
BUREAUS = {"bureaus": [
    {"id": "ncb-ke", "name": "NCB Nairobi", "country": "KE", "timezone": "Africa/Nairobi",
     "officers": [{"id": "ke-duty", "name": "Duty KE", "phone": KE_DUTY, "email": "duty@ncb-ke.example"}]},
    {"id": "ncb-rw", "name": "NCB Kigali", "country": "RW", "timezone": "Africa/Kigali",
     "officers": [{"id": "rw-duty", "name": "Duty RW", "email": "duty@ncb-rw.example"}]},
    {"id": "ncb-fr", "name": "NCB Paris", "country": "FR", "timezone": "Europe/Paris",
     "officers": [{"id": "fr-duty", "name": "Duty FR", "phone": FR_DUTY, "email": "duty@ncb-fr.example"}]},
]}
NEW_KEY = "n" * 40
OLD_KEY = "o" * 40


class Stack:
    def __init__(self, settings: Settings, run: Path) -> None:
        self.settings = settings
        self.dispatcher = Service("dispatcher", [sys.executable, "-m", "fugitive_alerts", "dispatcher"], run,
                                  env=settings.to_env())

    def send(self, alert: Alert) -> None:
        produce(self.settings, topics.ALERTS, [(alert.alert_id.encode(), alert.model_dump_json().encode())])

    def sent_to(self, alert_id: str, count: int) -> None:
        """Wait until the alert's first deliveries (and so its escalation record) are on Kafka."""
        read_until(self.settings, topics.DELIVERIES,
                   lambda rs: sum(v["alert_id"] == alert_id for v in values(rs)) >= count)

    def acks(self, alert_id: str) -> list[dict[str, Any]]:
        """Every ack of the alert on ``alerts.acks`` now (acks are written before the web app answers)."""
        return [a for a in values(read_all(self.settings, topics.ACKS)) if a["alert_id"] == alert_id]


@pytest.fixture(scope="module")
def stack(settings_factory: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A dispatcher in production mode, its ack key rotated: NEW_KEY signs, OLD_KEY is still accepted."""
    run = tmp_path_factory.mktemp("ack")
    (run / "bureaus.yaml").write_text(yaml.safe_dump(BUREAUS))
    web_port = free_port()
    settings = settings_factory(env="production", bureaus_file=run / "bureaus.yaml", web_port=web_port,
                                public_url=f"http://127.0.0.1:{web_port}", ack_secret=NEW_KEY,
                                ack_secret_previous=OLD_KEY, escalate_critical_minutes=60.0)
    asyncio.run(import_bureaus(settings, run / "bureaus.yaml"))
    the_stack = Stack(settings, run)
    the_stack.dispatcher.start()
    try:
        yield the_stack
    finally:
        the_stack.dispatcher.stop(30.0)
        print("--- dispatcher log ---\n" + the_stack.dispatcher.log_path.read_text()[-4000:])


def _alert(country: str = "KE") -> Alert:
    return make_alert(f.border_crossing(TRAVELER, country=country, post=f"POST-{f._next('p')}"))


def _request(url: str, method: str = "GET", form: dict[str, str] | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.read().decode(), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


def _form_key(page: str) -> str:
    found = re.search(r'name="form_key" value="([^"]+)"', page)
    assert found, "the confirmation page has a form with its form key"
    return html.unescape(found.group(1))


def test_head_and_get_record_nothing_and_the_post_from_the_page_records_one_ack(stack: Stack,
                                                                                 smtp_sink: SmtpSink) -> None:
    alert = _alert()
    stack.send(alert)
    [email] = smtp_sink.wait_for(lambda ms: [m for m in ms if alert.alert_id in str(m["Subject"])
                                             and m["To"] == "duty@ncb-ke.example"], timeout=60)
    link = re.search(r"(http://\S+/ack/\S+)", email.get_body(("plain",)).get_content()).group(1)  # type: ignore[union-attr]

    assert _request(link, "HEAD")[0] == 200
    status, page, headers = _request(link)
    assert status == 200 and alert.alert_id in page and "NCB Nairobi" in page
    assert page.count("<form") == 1 and 'method="post"' in page and page.count("<button") == 1
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, name
    assert stack.acks(alert.alert_id) == [], "HEAD and GET acknowledged"

    key = _form_key(page)
    assert _request(link, "POST", {})[0] == 403, "a POST without the page's form key"
    assert _request(link, "POST", {"form_key": key}, {"Origin": "https://evil.example"})[0] == 403
    assert _request(link, "POST", {"form_key": key}, {"Sec-Fetch-Site": "cross-site"})[0] == 403
    assert stack.acks(alert.alert_id) == [], "a refused POST acknowledged"

    action = re.search(r'<form method="post" action="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    target = urllib.parse.urljoin(link, html.unescape(action))  # where a browser posts the form
    assert target == link
    status, done, _ = _request(target, "POST", {"form_key": key}, {"Origin": stack.settings.public_url,
                                                                   "Sec-Fetch-Site": "same-origin"})
    assert status == 200 and f"Acknowledged {alert.alert_id}" in done
    assert [(a["bureau_id"], a["officer"], a["channel"]) for a in stack.acks(alert.alert_id)] == [
        ("ncb-ke", "ke-duty", "link")]


def test_a_link_signed_with_the_previous_key_is_accepted_during_rotation(stack: Stack) -> None:
    alert = _alert()
    claim = AckClaim(alert.alert_id, "ncb-rw", "rw-duty", int(time.time()) + 3600)
    base = f"{stack.settings.public_url}/ack/"
    old = base + sign_ack(OLD_KEY.encode(), claim)
    stranger = base + sign_ack(b"s" * 40, claim)

    assert _request(stranger)[0] == 403, "a key that is neither the current nor the previous one"
    status, page, _ = _request(old)
    assert status == 200
    assert _request(old, "POST", {"form_key": _form_key(page)})[0] == 200
    assert [(a["bureau_id"], a["officer"]) for a in stack.acks(alert.alert_id)] == [("ncb-rw", "rw-duty")]


def _inbound(stack: Stack, phone: str, body: str, sid: str) -> tuple[int, str]:
    url = f"{stack.settings.public_url}/twilio/inbound"
    form = {"From": phone, "To": stack.settings.twilio_from_number, "Body": body, "MessageSid": sid,
            "AccountSid": stack.settings.twilio_account_sid}
    signature = RequestValidator(stack.settings.twilio_auth_token.get_secret_value()).compute_signature(url, form)
    status, text, _ = _request(url, "POST", form, {"X-Twilio-Signature": signature})
    return status, text


def test_an_sms_ack_is_confirmed_only_for_an_alert_of_the_senders_bureau_and_replays_are_dropped(
        stack: Stack) -> None:
    alert = _alert()  # a border crossing in KE of a notice requested by RW: ncb-ke and ncb-rw, not ncb-fr
    stack.send(alert)
    stack.sent_to(alert.alert_id, 3)

    status, reply = _inbound(stack, FR_DUTY, f"ACK {alert.alert_id}", "SM" + "a" * 32)
    assert status == 200 and "Not acknowledged" in reply and "not sent to your bureau" in reply
    status, reply = _inbound(stack, KE_DUTY, "ACK A-0000000000", "SM" + "b" * 32)
    assert status == 200 and "Not acknowledged" in reply and "no alert A-0000000000" in reply
    assert stack.acks(alert.alert_id) == []

    status, reply = _inbound(stack, KE_DUTY, f"ack {alert.alert_id}", "SM" + "c" * 32)
    assert status == 200 and f"Acknowledged {alert.alert_id}" in reply
    assert _inbound(stack, KE_DUTY, f"ack {alert.alert_id}", "SM" + "c" * 32)[0] == 204, "a replayed MessageSid"
    assert [(a["bureau_id"], a["officer"], a["channel"]) for a in stack.acks(alert.alert_id)] == [
        ("ncb-ke", "ke-duty", "sms")]


def _start(command: str, settings: Settings) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", **settings.to_env()}
    return subprocess.run([sys.executable, "-m", "fugitive_alerts", command], env=env, capture_output=True,
                          text=True, timeout=60, check=False)


@pytest.mark.parametrize("command", ["dispatcher", "monitor"])
def test_the_dispatcher_and_the_monitor_refuse_to_start_with_the_built_in_or_a_short_key(
        settings_factory: Any, command: str) -> None:
    built_in = _start(command, settings_factory(env="production", kafka=False, smtp=False, twilio=False))
    assert built_in.returncode == 2 and "FUGITIVE_ALERTS_ACK_SECRET" in built_in.stderr
    assert "Traceback" not in built_in.stderr
    short = _start(command, settings_factory(env="production", kafka=False, smtp=False, twilio=False,
                                             ack_secret="too-short"))
    assert short.returncode == 2 and "shorter than 32 bytes" in short.stderr and "too-short" not in short.stderr
    twilio = _start(command, settings_factory(env="production", kafka=False, smtp=False, twilio=False,
                                              ack_secret=NEW_KEY, twilio_api_base_url="https://api.twilio.com"))
    assert twilio.returncode == 2 and "TWILIO_AUTH_TOKEN" in twilio.stderr


def test_secrets_reach_child_processes_as_files_not_in_their_environment(stack: Stack) -> None:
    env = stack.settings.to_env()
    assert NEW_KEY not in json.dumps(env) and OLD_KEY not in json.dumps(env)
    path = Path(env["FUGITIVE_ALERTS_ACK_SECRET_FILE"])
    assert path.read_text() == NEW_KEY and path.stat().st_mode & 0o077 == 0
    environ = Path(f"/proc/{stack.dispatcher.pid}/environ").read_bytes()
    assert NEW_KEY.encode() not in environ and b"FUGITIVE_ALERTS_ACK_SECRET_FILE=" in environ
