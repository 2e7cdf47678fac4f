"""Every wire model survives its own JSON: model -> JSON -> model is the same model (hypothesis).

The strategies build valid records from the contract (docs/records.md): ids by their patterns,
ISO countries, partial dates, aware timestamps, one-line text in any script, E.164 numbers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, TypeVar

import phonenumbers
import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from schemas import (
    Acknowledgement,
    Alert,
    BorderCrossing,
    Bureau,
    BureauDirectory,
    BureauEscalation,
    CallBureau,
    Delivery,
    Document,
    Escalation,
    Location,
    Name,
    Officer,
    Person,
    Rejected,
    Response,
    ResponseHit,
    SeenBefore,
    Shift,
    Sighting,
    Subscription,
    Tip,
    VisaApplication,
    WantedPerson,
)

M = TypeVar("M", bound=BaseModel)

# -- leaves ------------------------------------------------------------------------------------

COUNTRIES = sorted(c.alpha_2 for c in pycountry.countries)
country = st.sampled_from(COUNTRIES)
maybe = st.none
event_id = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,24}", fullmatch=True)
notice_id = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,24}", fullmatch=True)
agency = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)
slug = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,20}", fullmatch=True)
word = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 _-]{0,20}", fullmatch=True).map(str.strip)
code = st.from_regex(r"[A-Z0-9][A-Z0-9._/-]{0,40}", fullmatch=True)
"""A border post or consulate: a code."""
channel = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,20}", fullmatch=True)
_HIDDEN = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\ufeff"
"""Characters that reorder or hide text: refused in every text field (docs/records.md)."""
_one_line = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters=_HIDDEN)
text = st.text(_one_line, min_size=1, max_size=40).map(str.strip).filter(bool)
free_text = st.text(st.one_of(_one_line, st.sampled_from("\n\t")), max_size=200).map(str.strip)
partial_date = st.dates(date(1800, 1, 1), date(2200, 12, 31)).flatmap(
    lambda d: st.sampled_from([d.isoformat()[:4], d.isoformat()[:7], d.isoformat()]))
zone = st.one_of(st.just(UTC), st.integers(-14 * 4, 14 * 4).map(lambda q: timezone(timedelta(minutes=15 * q))))
timestamp = st.datetimes(datetime(1970, 1, 2), datetime(2199, 12, 30), timezones=zone)
phone = st.sampled_from(["KE", "RW", "FR", "AE", "US", "DE", "BR", "IN"]).map(
    lambda r: phonenumbers.format_number(phonenumbers.example_number(r), phonenumbers.PhoneNumberFormat.E164))
email = st.from_regex(r"[a-z][a-z0-9]{0,10}(\.[a-z0-9]{1,5})?@[a-z]{2,10}\.example", fullmatch=True)
score = st.floats(0.0, 1.0, allow_nan=False)
alert_id = st.from_regex(r"A-[0-9A-F]{10}", fullmatch=True)
sex = st.sampled_from(["M", "F", "U"])

# -- events and notices ------------------------------------------------------------------------

document = st.builds(Document, type=st.sampled_from(["passport", "id_card", "visa"]), number=text,
                     country=maybe() | country)


def _person(named: bool) -> st.SearchStrategy[Person]:
    names = st.fixed_dictionaries({}, optional={"given": text, "family": text, "full_name": text})
    if named:
        names = names.filter(bool)
    return st.builds(lambda n, **kw: Person(**n, **kw), names, birth_date=maybe() | partial_date,
                     sex=maybe() | sex, nationality=maybe() | country, document=maybe() | document)


_event = {"event_id": event_id, "occurred_at": timestamp, "country": country, "agency": agency}
border_crossing = st.builds(BorderCrossing, event_type=st.just("border_crossing"), post=code,
                            direction=st.sampled_from(["entry", "exit"]), traveler=_person(True), **_event)
visa_application = st.builds(VisaApplication, event_type=st.just("visa_application"), post=code,
                             destination_country=country, applicant=_person(True), **_event)
tip = st.builds(Tip, event_type=st.just("tip"), channel=channel, subject=_person(False), text=free_text,
                location=maybe() | st.builds(Location, city=maybe() | text, address=maybe() | free_text),
                respond=st.booleans(), **_event)
event = st.one_of(border_crossing, visa_application, tip)

name = st.fixed_dictionaries({}, optional={"given": text, "family": text, "full_name": text}).filter(bool).map(
    lambda n: Name(**n))
wanted_person = st.builds(
    WantedPerson, notice_id=notice_id, notice_type=st.sampled_from(["red", "diffusion", "national", "war_crimes"]),
    status=st.sampled_from(["active", "withdrawn", "cancelled"]), requesting_country=maybe() | country,
    names=st.lists(name, min_size=1, max_size=4), birth_dates=st.lists(partial_date, max_size=3),
    sex=maybe() | sex, nationalities=st.lists(country, max_size=3), documents=st.lists(document, max_size=3),
    offences=st.lists(text, max_size=3), caution=maybe() | text,
    source=maybe() | st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,20}", fullmatch=True))

# -- alerts and delivery -----------------------------------------------------------------------

seen_before = st.builds(SeenBefore, occurred_at=timestamp, country=country, place=maybe() | text,
                        age_hours=st.floats(0.0, 1e6, allow_nan=False),
                        trigger=st.sampled_from(["new_notice", "changed_notice"]))


@st.composite
def alert(draw: st.DrawFn) -> Alert:
    ev = draw(event)
    return Alert(alert_id=draw(alert_id), event_id=ev.event_id, event_type=ev.event_type, notice_id=draw(notice_id),
                 band=draw(st.sampled_from(["alert", "review"])), score=draw(score), reasons=draw(st.lists(text)),
                 urgency=draw(st.sampled_from(["critical", "high", "normal"])), country=ev.country,
                 requesting_country=draw(maybe() | country), raised_at=draw(timestamp), event=ev,
                 notice=draw(wanted_person), seen_before=draw(maybe() | seen_before))


delivery = st.builds(
    Delivery, key=text, alert_id=alert_id, bureau_id=slug, recipient=slug, channel=st.sampled_from(["sms", "email"]),
    status=st.sampled_from(["sent", "failed", "skipped", "queued", "delivered", "undelivered"]),
    kind=st.sampled_from(["alert", "escalation", "seen_again", "withdrawn"]), level=st.integers(0, 10),
    attempts=st.integers(1, 10), provider_id=maybe() | text, error=maybe() | text, at=timestamp)
acknowledgement = st.builds(Acknowledgement, alert_id=alert_id, bureau_id=slug, officer=slug,
                            channel=st.sampled_from(["link", "sms", "cli"]), at=timestamp)
bureau_escalation = st.builds(BureauEscalation, level=st.integers(0, 10), due_at=maybe() | timestamp,
                              state=st.sampled_from(["pending", "acked", "exhausted", "cancelled"]),
                              acked_by=maybe() | slug)
escalation = st.builds(Escalation, alert_id=alert_id, notice_id=notice_id,
                       urgency=st.sampled_from(["critical", "high", "normal"]),
                       bureaus=st.dictionaries(slug, bureau_escalation, max_size=4), updated_at=timestamp)
sighting = st.builds(Sighting, alert_id=alert_id, notice_id=notice_id, country=country, place=text,
                     first_seen=timestamp, last_seen=timestamp, count=st.integers(1, 1000))
rejected = st.builds(lambda raw, **kw: Rejected.of(raw, **kw), st.binary(max_size=8192), topic=text,
                     partition=st.integers(0, 100), offset=st.integers(0, 2**40), error=text)
response = st.builds(
    Response, event_id=event_id, event_type=maybe() | st.sampled_from(["border_crossing", "visa_application", "tip"]),
    agency=agency, result=st.sampled_from(["no_hit", "review", "hit", "rejected"]),
    hits=st.lists(st.builds(ResponseHit, alert_id=alert_id, band=st.sampled_from(["alert", "review"]), action=text,
                            notice_type=word, caution=maybe() | text,
                            call=maybe() | st.builds(CallBureau, id=slug, name=text, phone=maybe() | phone)),
                  max_size=3),
    error=maybe() | text, responded_at=timestamp)

# -- bureaus -----------------------------------------------------------------------------------

hhmm = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
officer_ids = st.lists(slug, min_size=1, max_size=5, unique=True)


@st.composite
def bureau(draw: st.DrawFn, bureau_id: str | None = None) -> Bureau:
    ids = draw(officer_ids)
    known = st.sampled_from(ids)
    officers = [Officer(id=i, name=draw(text), phone=draw(maybe() | phone), email=draw(maybe() | email),
                        role=draw(st.sampled_from(["duty", "analyst", "head"]))) for i in ids]
    roster = draw(st.lists(st.builds(Shift, days=st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat",
                                                                           "sun"]), min_size=1, max_size=7),
                                     start=hhmm, end=hhmm, officers=st.lists(known, min_size=1, max_size=3)),
                           max_size=3))
    subscription = draw(maybe() | st.builds(Subscription, offences=st.lists(word), notice_types=st.lists(word),
                                            countries=st.lists(country, max_size=3)))
    return Bureau(id=bureau_id or draw(slug), name=draw(text), country=draw(maybe() | country),
                  timezone=draw(st.sampled_from(["UTC", "Africa/Nairobi", "Asia/Dubai", "Europe/Paris",
                                                 "America/Sao_Paulo"])),
                  hotline=draw(maybe() | phone), officers=officers, subscription=subscription, roster=roster,
                  on_call=draw(st.lists(known, max_size=2)), escalation=draw(st.lists(known, max_size=3)),
                  head=draw(maybe() | known))


directory = st.lists(slug, min_size=1, max_size=3, unique=True).flatmap(
    lambda ids: st.tuples(*(bureau(i) for i in ids))).map(lambda bs: BureauDirectory(bureaus=list(bs)))

# -- the property ------------------------------------------------------------------------------

MODELS: dict[str, st.SearchStrategy[Any]] = {
    "BorderCrossing": border_crossing, "VisaApplication": visa_application, "Tip": tip,
    "WantedPerson": wanted_person, "Alert": alert(), "SeenBefore": seen_before, "Delivery": delivery,
    "Acknowledgement": acknowledgement, "Escalation": escalation, "Sighting": sighting, "Rejected": rejected,
    "Response": response, "Bureau": bureau(), "BureauDirectory": directory,
}


@pytest.mark.parametrize("model_name", sorted(MODELS))
def test_model_to_json_to_model_is_the_same_model(model_name: str) -> None:
    @settings(max_examples=60, deadline=None)
    @given(MODELS[model_name])
    def round_trip(record: BaseModel) -> None:
        again = type(record).model_validate_json(record.model_dump_json())
        assert again == record
        assert again.model_dump_json() == record.model_dump_json()

    round_trip()
