"""The bureau directory: national bureaus and specialised units, their officers and what they receive."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import AfterValidator, EmailStr, Field, model_validator

from ._base import CountryCode, WireModel

__all__ = ["Officer", "Subscription", "Bureau", "BureauDirectory"]


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
    name: Annotated[str, Field(min_length=1, max_length=200)]
    phone: E164 | None = None
    email: EmailStr | None = None
    role: Annotated[str, Field(max_length=64)] = "duty"


class Subscription(WireModel):
    """A unit receives alerts whose notice matches any listed offence, notice type or country."""

    offences: list[str] = []
    notice_types: list[str] = []
    countries: list[CountryCode] = []


class Bureau(WireModel):
    id: _Id
    name: Annotated[str, Field(min_length=1, max_length=200)]
    country: CountryCode | None = None
    """The country a national bureau serves; ``None`` for a unit that only subscribes."""
    timezone: Annotated[str, AfterValidator(_zone)] = "UTC"
    hotline: E164 | None = None
    """The bureau's 24/7 number, given to border officers in responses to a hit."""
    officers: Annotated[list[Officer], Field(min_length=1)]
    subscription: Subscription | None = None

    @model_validator(mode="after")
    def _unique_officers(self) -> "Bureau":
        ids = [o.id for o in self.officers]
        if len(ids) != len(set(ids)):
            raise ValueError(f"bureau {self.id}: officer ids must be unique")
        return self


class BureauDirectory(WireModel):
    bureaus: Annotated[list[Bureau], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_ids(self) -> "BureauDirectory":
        ids = [b.id for b in self.bureaus]
        if len(ids) != len(set(ids)):
            raise ValueError("bureau ids must be unique")
        return self
