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
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Self

import pytest
import yaml
from aiosmtpd.controller import Controller

from alerting import message_id_for
from fugitive_alerts.local.services import free_port, wait_for
from fugitive_alerts.produce import import_bureaus

from .test_delivery import BUREAUS, FR_DUTY, Stack, _alert, _settings
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


@pytest.fixture(scope="module")
def faults(twilio_mock_url: str) -> Iterator[TwilioFaults]:
    with TwilioFaults(twilio_mock_url) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def bureaus_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bureaus") / "bureaus.yaml"
    path.write_text(yaml.safe_dump(BUREAUS))
    return path


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
