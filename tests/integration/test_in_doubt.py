"""A dispatcher killed after a provider accepted a message and before the outcome was recorded.

The crash comes from the provider's side, at the worst instant: the Twilio recorder (in front of
Prism) and a test SMTP server SIGKILL the dispatcher once they have accepted the message, before
answering it. The restarted dispatcher replays the alert and finds the message in doubt (an
intent on ``alerts.deliveries.intents``, no outcome): an SMS is looked up at Twilio and not sent
again; an email is sent again with the same ``Message-ID``.
"""

from __future__ import annotations

import asyncio
import email
import json
import random
from collections import Counter
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from functools import partial
from pathlib import Path
from typing import Any, Self

from aiosmtpd.controller import Controller

from alerting import message_id_for
from fugitive_alerts.local.services import free_port, wait_for
from fugitive_alerts.produce import import_bureaus
from schemas import Alert, topics

from .kafka_helpers import read_until, values
from .test_delivery import FR_DUTY, Stack, _alert, _settings
from .twilio_faults import TwilioFaults


class CrashingSmtp:
    """An SMTP server (aiosmtpd) that keeps every message and, once, calls ``crash`` when a chosen
    message has arrived, before it answers 250: the server has the message, the client never hears."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self._crash: tuple[str, str, Callable[[], object]] | None = None
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def crash_on(self, to: str, subject_part: str, crash: Callable[[], object]) -> None:
        self._crash = (to, subject_part, crash)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        if self._crash is not None and message["To"] == self._crash[0] and self._crash[1] in str(message["Subject"]):
            crash, self._crash = self._crash[2], None
            crash()
        return "250 Message accepted for delivery"

    def __enter__(self) -> Self:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


def test_an_sms_in_doubt_after_a_crash_is_found_at_twilio_and_not_sent_again(
        settings_factory: Any, faults: TwilioFaults, bureaus_file: Path, tmp_path: Path) -> None:
    settings = _settings(settings_factory, faults, bureaus_file)
    asyncio.run(import_bureaus(settings, bureaus_file))
    stack = Stack(settings, tmp_path, faults)
    alert = _alert(country="FR")  # fr-duty: SMS and email; rw-duty: email
    faults.crash_on_accept(FR_DUTY, alert.alert_id, stack.dispatcher.kill)
    stack.dispatcher.start()
    try:
        stack.send(alert)
        wait_for(lambda: not stack.dispatcher.is_running(), 60, "the dispatcher to die once Twilio accepted the SMS")
        asked_before = len(faults.lookups)
        stack.dispatcher.start()
        ds = stack.deliveries(alert.alert_id, lambda ds: {(d["recipient"], d["channel"]) for d in ds} == {
            ("fr-duty", "sms"), ("fr-duty", "email"), ("rw-duty", "email")}, timeout=90)
        accepted = [m for m in faults.accepted if m["To"] == FR_DUTY and alert.alert_id in m["Body"]]
        assert len(accepted) == 1, "Twilio was handed the SMS once"
        sms = [d for d in ds if d["channel"] == "sms"]
        assert [(d["status"], d["provider_id"]) for d in sms] == [("sent", accepted[0]["sid"])]
        assert [q for q in faults.lookups[asked_before:] if q.get("To") == FR_DUTY], "the restarted dispatcher asked"
        assert "in doubt: Twilio has the SMS already; not sent again" in stack.dispatcher.log_path.read_text()
    finally:
        stack.dispatcher.stop(30.0)


def test_an_email_in_doubt_after_a_crash_is_sent_again_with_the_same_message_id(
        settings_factory: Any, faults: TwilioFaults, bureaus_file: Path, tmp_path: Path) -> None:
    with CrashingSmtp() as smtp:
        settings = _settings(settings_factory, faults, bureaus_file, smtp_port=smtp.port)
        asyncio.run(import_bureaus(settings, bureaus_file))
        stack = Stack(settings, tmp_path, faults)
        alert = _alert(country="FR", event_type="visa_application")  # email only: fr-duty and rw-duty
        smtp.crash_on("duty@ncb-rw.example", alert.alert_id, stack.dispatcher.kill)
        stack.dispatcher.start()
        try:
            stack.send(alert)
            wait_for(lambda: not stack.dispatcher.is_running(), 60, "the dispatcher to die once the email arrived")
            stack.dispatcher.start()
            ds = stack.deliveries(alert.alert_id, lambda ds: {d["recipient"] for d in ds if d["status"] == "sent"}
                                  == {"fr-duty", "rw-duty"}, timeout=90)
        finally:
            stack.dispatcher.stop(30.0)
        key = f"{alert.alert_id}/ncb-rw.rw-duty/email"
        assert [d["status"] for d in ds if d["key"] == key] == ["sent"], "one outcome recorded"
        copies = [m for m in smtp.messages if m["To"] == "duty@ncb-rw.example" and alert.alert_id in str(m["Subject"])]
        assert len(copies) == 2, "the first copy arrived unacknowledged, so it was sent again"
        assert {str(m["Message-ID"]) for m in copies} == {message_id_for(key)}
        assert copies[0].as_bytes() == copies[1].as_bytes(), "the receiver gets the same message twice"
        for to in ("duty@ncb-fr.example", "duty@ncb-rw.example"):
            ids = {str(m["Message-ID"]) for m in smtp.messages if m["To"] == to and alert.alert_id in str(m["Subject"])}
            assert len(ids) == 1, f"every copy to {to} carries one Message-ID"


def test_a_restarted_dispatcher_delivers_without_waiting_out_its_dead_session(
        settings_factory: Any, faults: TwilioFaults, bureaus_file: Path, tmp_path: Path) -> None:
    """SIGKILL the dispatcher, restart it: the next alert is delivered in the time it takes to start, far
    less than the session timeout its dead incarnation still holds (60 s here, so that a dispatcher that
    waited for it could not pass). Static membership (``consumers/membership.py``): the restarted
    dispatcher takes its own place in the group, no rebalance waits for the dead one."""
    settings = _settings(settings_factory, faults, bureaus_file, dispatcher_session_timeout_seconds=60.0)
    asyncio.run(import_bureaus(settings, bureaus_file))
    stack = Stack(settings, tmp_path, faults)
    first, second = _alert(country="FR"), _alert(country="FR")  # fr-duty: SMS and email; rw-duty: email
    every = {("fr-duty", "sms"), ("fr-duty", "email"), ("rw-duty", "email")}

    def all_sent(ds: list[dict[str, Any]]) -> bool:
        return {(d["recipient"], d["channel"]) for d in ds if d["status"] == "sent"} == every

    stack.dispatcher.start()
    try:
        stack.send(first)
        stack.deliveries(first.alert_id, all_sent, timeout=90)
        stack.dispatcher.kill()
        wait_for(lambda: not stack.dispatcher.is_running(), 30, "the dispatcher to die")
        stack.dispatcher.start()
        stack.send(second)
        deadline = settings.dispatcher_session_timeout_seconds / 2
        stack.deliveries(second.alert_id, all_sent, timeout=deadline)
    finally:
        stack.dispatcher.stop(30.0)
    started = [line for line in stack.dispatcher.log_path.read_text().splitlines() if "dispatcher started" in line]
    assert len(started) == 2 and all("group_instance_id=None" not in line for line in started), \
        "both incarnations joined as static members"


KILLS = 20
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def test_twenty_dispatcher_kills_while_sms_and_email_flow_lose_nothing_and_send_no_sms_twice(
        settings_factory: Any, faults: TwilioFaults, bureaus_file: Path, tmp_path: Path) -> None:
    """Each round publishes two alerts (three messages each), then SIGKILLs the dispatcher: in even
    rounds from the provider's side at the instant it accepts one of them (SMS or email in turn),
    in odd rounds from here as soon as one of them has been accepted, the others anywhere in flight."""
    rng = random.Random(1520)
    with CrashingSmtp() as smtp:
        settings = _settings(settings_factory, faults, bureaus_file, smtp_port=smtp.port, rate_limit_sms=0,
                             rate_limit_email=0)
        asyncio.run(import_bureaus(settings, bureaus_file))
        stack = Stack(settings, tmp_path, faults)
        alerts: list[Alert] = []
        stack.dispatcher.start()
        try:
            for round_ in range(KILLS):
                batch = [_alert(country="FR"), _alert(country="FR")]
                alerts += batch
                target = rng.choice(batch).alert_id
                if round_ % 4 == 0:
                    faults.crash_on_accept(FR_DUTY, target, stack.dispatcher.kill)
                elif round_ % 4 == 2:
                    smtp.crash_on(rng.choice(["duty@ncb-fr.example", "duty@ncb-rw.example"]), target,
                                  stack.dispatcher.kill)
                stack.send(*batch)
                if round_ % 2 == 1:
                    fresh = {a.alert_id for a in batch}
                    wait_for(partial(_accepted, faults, smtp, fresh), 120, "a message of this round to be accepted")
                    stack.dispatcher.kill()
                wait_for(lambda: not stack.dispatcher.is_running(), 120, f"the dispatcher to die (round {round_})")
                stack.dispatcher.start()
            ids = {a.alert_id for a in alerts}
            ds = read_until(settings, topics.DELIVERIES, lambda rs: _all_sent(rs, ids), 300)
        finally:
            stack.dispatcher.stop(30.0)
        outcomes = [d for d in values(ds) if d["alert_id"] in ids]
        sms = Counter(a for m in faults.accepted if m["To"] == FR_DUTY for a in ids if a in m["Body"])
        emails: dict[tuple[str, str], list[str]] = {}
        for m in smtp.messages:
            for a in (a for a in ids if a in str(m["Subject"])):
                emails.setdefault((a, str(m["To"])), []).append(str(m["Message-ID"]))
        result = {
            "kills": KILLS, "alerts": len(ids), "messages_expected": 3 * len(ids),
            "sms_accepted": sum(sms.values()), "duplicate_sms": sum(n - 1 for n in sms.values()),
            "emails_received": sum(len(v) for v in emails.values()),
            "duplicate_emails": sum(len(v) - 1 for v in emails.values()),
            "duplicate_emails_with_another_message_id": sum(len(set(v)) - 1 for v in emails.values()),
            "twilio_lookups": len(faults.lookups),
        }
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "reliability-dispatcher-kills.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result))
        assert set(sms) == ids and result["duplicate_sms"] == 0, "every SMS reached Twilio, once"
        assert len(emails) == 2 * len(ids), "every email arrived"
        assert result["duplicate_emails_with_another_message_id"] == 0, "a copy is the same message"
        assert len({d["key"] for d in outcomes if d["status"] == "sent"}) == 3 * len(ids), "nothing lost"


def _accepted(faults: TwilioFaults, smtp: CrashingSmtp, ids: set[str]) -> bool:
    return any(a in m["Body"] for m in list(faults.accepted) for a in ids) or \
        any(a in str(m["Subject"]) for m in list(smtp.messages) for a in ids)


def _all_sent(records: list[Any], ids: set[str]) -> bool:
    sent = {d["key"] for d in values(records) if d["alert_id"] in ids and d["status"] == "sent"}
    return len(sent) >= 3 * len(ids)
