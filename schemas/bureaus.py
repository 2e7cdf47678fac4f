"""The bureau directory: national bureaus and specialised units, their officers and what they receive."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import AfterValidator, EmailStr, Field, model_validator

from ._base import CountryCode, PostCode, Text, WireModel

__all__ = ["Officer", "Subscription", "Shift", "Weekday", "WEEKDAYS", "Bureau", "BureauDirectory"]


def _e164(value: str) -> str:
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number in E.164 form (+CCNNN...): {exc}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number")
    formatted = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if formatted != value:
        raise ValueError(f"phone number must be written in E.164 form, e.g. {formatted}")
    return value


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA time zone: {value!r}") from None
    return value


E164 = Annotated[str, AfterValidator(_e164)]
_Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]


class Officer(WireModel):
    id: _Id
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    phone: E164 | None = None
    email: EmailStr | None = None
    role: Annotated[Text, Field(max_length=64)] = "duty"


class Subscription(WireModel):
    """A unit receives alerts whose notice matches any listed offence, notice type or country."""

    offences: list[str] = Field(default_factory=list)
    notice_types: list[str] = Field(default_factory=list)
    countries: list[CountryCode] = Field(default_factory=list)


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class Shift(WireModel):
    """Officers on duty on the given weekdays from ``start`` to ``end``, in the bureau's time zone.

    A shift whose ``end`` is not after its ``start`` runs past midnight into the next day
    (``22:00``-``06:00``); ``00:00``-``00:00`` is the whole day.
    """

    days: Annotated[list[Weekday], Field(min_length=1)]
    start: _HHMM
    end: _HHMM
    officers: Annotated[list[str], Field(min_length=1)]


class Bureau(WireModel):
    id: _Id
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    country: CountryCode | None = None
    """The country a national bureau serves; ``None`` for a unit that only subscribes."""
    timezone: Annotated[str, AfterValidator(_zone)] = "UTC"
    hotline: E164 | None = None
    """The bureau's 24/7 number, given to border officers in responses to a hit."""
    posts: dict[PostCode, Annotated[Text, Field(min_length=1, max_length=80)]] = Field(default_factory=dict)
    """Names of the border posts and consulates in this bureau's country, by code
    (``NBO-JKIA-T1: Nairobi JKIA Terminal 1``): SMS and emails show the name, not the agency's code."""
    officers: Annotated[list[Officer], Field(min_length=1)]
    subscription: Subscription | None = None
    roster: list[Shift] = Field(default_factory=list)
    """Staffed hours. Empty: the officers with role ``duty`` are always on duty."""
    on_call: list[str] = Field(default_factory=list)
    """Officer ids who take critical alerts outside the roster's staffed hours."""
    escalation: list[str] = Field(default_factory=list)
    """Officer ids to escalate to, in order, when nobody acknowledges in time; then ``head``."""
    head: str | None = None
    """The head of the bureau: the last step of every escalation."""

    @model_validator(mode="after")
    def _consistent(self) -> Bureau:
        ids = [o.id for o in self.officers]
        if len(ids) != len(set(ids)):
            raise ValueError(f"bureau {self.id}: officer ids must be unique")
        known = set(ids)
        named = [*self.on_call, *self.escalation, *([self.head] if self.head else [])]
        named += [o for shift in self.roster for o in shift.officers]
        unknown = sorted(set(named) - known)
        if unknown:
            raise ValueError(f"bureau {self.id}: roster, on_call, escalation or head name unknown officers {unknown}")
        return self

    def officer(self, officer_id: str) -> Officer | None:
        return next((o for o in self.officers if o.id == officer_id), None)


class BureauDirectory(WireModel):
    bureaus: Annotated[list[Bureau], Field(min_length=1)]

    def get(self, bureau_id: str) -> Bureau | None:
        return next((b for b in self.bureaus if b.id == bureau_id), None)

    @model_validator(mode="after")
    def _unique_ids(self) -> BureauDirectory:
        ids = [b.id for b in self.bureaus]
        if len(ids) != len(set(ids)):
            raise ValueError("bureau ids must be unique")
        return self
