"""Routing to bureaus and the rendered SMS/email: right people, no personal data in SMS, HTML escaped."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from pydantic import ValidationError

from alerting import build_message, render_email, render_sms, route
from schemas import EVENT_ADAPTER, BureauDirectory
from tests import factories as f

from .alert_factory import NOTICE, TRAVELER, make_alert

DIRECTORY = BureauDirectory.model_validate({"bureaus": [
    {"id": "ncb-ke", "name": "NCB Nairobi", "country": "KE", "officers": [
        {"id": "ke-duty", "name": "D", "phone": "+254712345678", "email": "duty@ke.example"},
        {"id": "ke-analyst", "name": "A", "email": "analyst@ke.example", "role": "analyst"}]},
    {"id": "ncb-rw", "name": "NCB Kigali", "country": "RW", "officers": [
        {"id": "rw-duty", "name": "D", "phone": "+250720123456", "email": "duty@rw.example"}]},
    {"id": "ncb-fr", "name": "NCB Paris", "country": "FR", "officers": [
        {"id": "fr-duty", "name": "D", "email": "duty@fr.example"}]},
    {"id": "wcu", "name": "War Crimes Unit", "officers": [{"id": "wcu-duty", "name": "D", "email": "wcu@x.example"}],
     "subscription": {"offences": ["genocide", "war crimes"]}},
]})


def _targets(alert) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return {(r.bureau.id, r.officer.id, r.channel) for r in route(alert, DIRECTORY)}


def test_border_crossing_goes_to_event_country_requesting_country_and_subscribers_by_sms_and_email() -> None:
    alert = make_alert(f.border_crossing(TRAVELER, country="KE"))
    assert _targets(alert) == {
        ("ncb-ke", "ke-duty", "sms"), ("ncb-ke", "ke-duty", "email"),
        ("ncb-rw", "rw-duty", "sms"), ("ncb-rw", "rw-duty", "email"),
        ("wcu", "wcu-duty", "email"),  # the unit has no phone: email only
    }


def test_visa_application_is_email_only() -> None:
    alert = make_alert(f.visa_application(TRAVELER, country="FR"))
    assert {c for _, _, c in _targets(alert)} == {"email"}
    assert ("ncb-fr", "fr-duty", "email") in _targets(alert)


def test_tip_goes_to_analysts_by_email() -> None:
    notice = {**NOTICE, "offences": ["fraud"]}
    alert = make_alert(f.tip("Athanasius Mbarushimanzi", country="KE"), notice)
    assert alert.urgency == "normal"
    assert ("ncb-ke", "ke-analyst", "email") in _targets(alert)
    assert ("ncb-ke", "ke-duty", "email") not in _targets(alert)


def test_sms_carries_no_name_birth_date_or_document_number() -> None:
    alert = make_alert()
    body = render_sms(alert)
    assert alert.alert_id in body and "CRITICAL" in body and "NBO-JKIA-T1" in body and f"ACK {alert.alert_id}" in body
    assert not f.leaked(body, "MBARUSHIMANZI", "Mbarushimanzi", "ATHANASIUS", "1951", "RW7000001")
    assert "\n" not in body and len(body) <= 320


def test_email_carries_the_details_and_the_subject_does_not() -> None:
    alert = make_alert()
    content = render_email(alert, DIRECTORY.bureaus[0], "event country")
    assert "MBARUSHIMANZI" in content.text and "RW7000001" in content.text and "1951-03-01" in content.text
    assert all(r in content.text for r in alert.reasons)
    assert "MBARUSHIMANZI" not in content.subject and alert.alert_id in content.subject


def test_html_email_escapes_a_script_name() -> None:
    person = f.traveler("<script>alert(1)</script>", "ATHANASIUS", dob="1951-03-01", nationality="RW",
                        passport="RW7000001")
    alert = make_alert(f.border_crossing(person))
    content = render_email(alert, DIRECTORY.bureaus[0], "event country")
    assert "<script>" not in content.html and "&lt;script&gt;" in content.html


def test_line_breaks_cannot_reach_a_header() -> None:
    """A CR/LF in any one-line field is refused at the schema, so it never reaches Subject or To."""
    with pytest.raises(ValidationError, match=r"border_crossing\.post\n.*not a code"):
        EVENT_ADAPTER.validate_python(f.border_crossing(TRAVELER, post="NBO\r\nBcc: evil@x.example"))
    alert = make_alert()
    content = render_email(alert, DIRECTORY.bureaus[0], "event country")
    msg = build_message(content, sender="alerts@x.example", to="duty@ke.example", message_id="<a@b>")
    parsed = message_from_bytes(msg.data, policy=policy.default)
    assert parsed["Bcc"] is None and "\n" not in str(parsed["Subject"])
