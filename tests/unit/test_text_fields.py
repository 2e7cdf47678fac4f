"""Text fields hold text (issue 20): no bidi controls, zero-width spaces or BOMs anywhere; ZWJ and ZWNJ
kept for Persian and Indic names; posts, document types and tip channels are codes, not prose."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from alerting import render_email, render_sms
from schemas import EVENT_ADAPTER, Bureau, BureauDirectory, WantedPerson
from streams import screen_record
from tests import factories as f

from .alert_factory import NOTICE, TRAVELER, matcher_with

REFUSED = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200b",
           "\ufeff"]
ZWNJ, ZWJ = "\u200c", "\u200d"
# A fictional Persian name spelt with a ZWNJ (نیک‌نواز, Niknavaz) and its romanisation.
PERSIAN = f.notice("نیک" + ZWNJ + "نواز", "بهرام", notice_id="2026/07777", dob="1970-05-05", nationality="IR",
                   passport="IR7007777", requesting="IR", aliases=[("BAHRAM", "NIKNAVAZ")])


def _screen(event: dict[str, Any], *notices: dict[str, Any], directory: BureauDirectory | None = None) -> Any:
    return screen_record(json.dumps(event).encode(), topic="events.x", partition=0, offset=1,
                         expected_type=event["event_type"], screener=matcher_with(*(notices or (NOTICE,))),
                         directory=directory)


def _with(path: str, value: str) -> dict[str, Any]:
    event = f.tip("Someone Fictional", "a tip")
    event["subject"] = {"given": "A", "family": "B", "document": {"type": "passport", "number": "X1"}}
    event["location"] = {"city": "Kinshasa", "address": "Avenue 1"}
    target: Any = event
    *head, last = path.split(".")
    for key in head:
        target = target[key]
    target[last] = value
    return event


@pytest.mark.parametrize("char", REFUSED)
@pytest.mark.parametrize("path", ["subject.given", "subject.family", "subject.document.number", "location.city",
                                  "location.address", "text"])
def test_every_text_field_refuses_bidi_controls_zero_width_spaces_and_boms(path: str, char: str) -> None:
    outcome = _screen(_with(path, f"Kin{char}shasa"))
    assert outcome.rejected is not None
    assert f"tip.{path}: Value error, bidi control" in outcome.rejected.error
    assert char not in outcome.rejected.error


def test_u202e_in_a_post_or_a_name_is_rejected_with_the_field_named() -> None:
    post = _screen(f.border_crossing(TRAVELER, post="NBO\u202eT1"))
    assert post.rejected is not None and "border_crossing.post:" in post.rejected.error
    name = _screen(f.border_crossing(f.traveler("MBARU\u202eSHIMANZI", "ATHANASIUS")))
    assert name.rejected is not None and "border_crossing.traveler.family: Value error, bidi control" in name.rejected.error
    with pytest.raises(ValidationError, match=r"names\.0\.family"):
        WantedPerson.model_validate({**NOTICE, "names": [{"given": "A", "family": "B\u2067C"}]})


def test_a_persian_name_with_zwnj_is_kept_and_screened() -> None:
    traveller = f.traveler("نیک" + ZWNJ + "نواز", "بهرام", dob="1970-05-05", nationality="IR", passport="IR7007777")
    outcome = _screen(f.border_crossing(traveller), PERSIAN)
    assert outcome.rejected is None and [a.notice_id for a in outcome.alerts] == ["2026/07777"]
    assert ZWNJ in outcome.alerts[0].event.traveler.family  # type: ignore[union-attr]
    indic = _screen(f.border_crossing(f.traveler("क्" + ZWJ + "ष", "राम")))  # Devanagari with ZWJ
    assert indic.rejected is None


@pytest.mark.parametrize("post", ["CALL +15551234567", "NBO\r\nBcc: x", "NBO JKIA", "<b>NBO</b>", "x" * 65, ""])
def test_a_post_is_a_code_not_a_sentence(post: str) -> None:
    outcome = _screen(f.border_crossing(TRAVELER, post=post))
    assert outcome.rejected is not None and "border_crossing.post:" in outcome.rejected.error


def test_a_post_code_is_upper_cased() -> None:
    event = EVENT_ADAPTER.validate_python(f.border_crossing(TRAVELER, post="nbo-jkia-t1"))
    assert event.post == "NBO-JKIA-T1"  # type: ignore[union-attr]


@pytest.mark.parametrize(("field", "value"), [("document.type", "passport\r\nBcc: x"), ("document.type", "pass port"),
                                              ("channel", "hotline\r\nX"), ("channel", "CALL +1555")])
def test_document_types_and_tip_channels_are_words(field: str, value: str) -> None:
    event = f.tip("Someone Fictional")
    if field == "channel":
        event["channel"] = value
    else:
        event["subject"] = {"full_name": "Someone", "document": {"type": value, "number": "X1"}}
    outcome = _screen(event)
    assert outcome.rejected is not None and f"tip.{'subject.' if field != 'channel' else ''}{field}:" in \
        outcome.rejected.error
    for ok in ("web-form", "informant", "national_id"):
        event = f.tip("Someone Fictional")
        event["channel"] = ok
        event["subject"] = {"full_name": "Someone", "document": {"type": ok, "number": "X1"}}
        assert _screen(event).rejected is None


def test_the_sms_shows_the_directorys_name_for_a_known_post_and_the_code_otherwise() -> None:
    directory = BureauDirectory(bureaus=[Bureau.model_validate({
        "id": "ncb-ke", "name": "NCB Nairobi", "country": "KE", "timezone": "Africa/Nairobi",
        "posts": {"nbo-jkia-t1": "Nairobi JKIA Terminal 1"},
        "officers": [{"id": "ke-duty", "name": "Duty KE", "email": "duty@ncb-ke.example"}]})])
    assert directory.bureaus[0].posts == {"NBO-JKIA-T1": "Nairobi JKIA Terminal 1"}
    [known] = _screen(f.border_crossing(TRAVELER, post="NBO-JKIA-T1"), directory=directory).alerts
    sms = render_sms(known)
    assert "at Nairobi JKIA Terminal 1 (KE)" in sms and "NBO-JKIA-T1" not in sms
    assert "Nairobi JKIA Terminal 1" in render_email(known, directory.bureaus[0], "event country").subject
    [unknown] = _screen(f.border_crossing(TRAVELER, post="MBA-T1"), directory=directory).alerts
    assert unknown.post_name is None and "at MBA-T1 (KE)" in render_sms(unknown)


def test_a_bureau_directory_refuses_bidi_controls_in_names() -> None:
    with pytest.raises(ValidationError, match=r"name"):
        Bureau.model_validate({"id": "ncb-ke", "name": "NCB\u202e Nairobi", "country": "KE",
                               "officers": [{"id": "ke-duty", "name": "Duty", "email": "duty@ncb-ke.example"}]})
