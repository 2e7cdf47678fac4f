"""Events published by border agencies, consulates and police hotlines (docs/records.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter, model_validator

from ._base import CountryCode, FreeText, Keyword, PartialDate, PostCode, Text, Timestamp, WireModel

__all__ = [
    "Document",
    "Person",
    "BorderCrossing",
    "VisaApplication",
    "Tip",
    "Location",
    "Event",
    "EVENT_ADAPTER",
    "event_subject",
]

_Id = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")]
_Name = Annotated[Text, Field(min_length=1, max_length=200)]
Sex = Literal["M", "F", "U"]


class Document(WireModel):
    """A travel or identity document as read at the desk."""

    type: Keyword
    """``passport``, ``national_id``, ``id``...: a word, not free text (it is printed on its own line)."""
    number: Annotated[Text, Field(min_length=1, max_length=40)]
    country: CountryCode | None = None


class Person(WireModel):
    """The person an event is about: ``{given, family}`` or ``{full_name}``, plus optional facts."""

    given: _Name | None = None
    family: _Name | None = None
    full_name: _Name | None = None
    birth_date: PartialDate | None = None
    sex: Sex | None = None
    nationality: CountryCode | None = None
    document: Document | None = None

    @property
    def has_name(self) -> bool:
        return bool(self.given or self.family or self.full_name)


def _require_name(person: Person, role: str) -> None:
    if not person.has_name:
        raise ValueError(f"{role} needs given/family or full_name")


class _EventBase(WireModel):
    event_id: _Id
    occurred_at: Timestamp
    country: CountryCode
    agency: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]


class BorderCrossing(_EventBase):
    event_type: Literal["border_crossing"]
    post: PostCode
    """The border post's code; the SMS shows the bureau directory's name for it where one is known."""
    direction: Literal["entry", "exit"]
    traveler: Person

    @model_validator(mode="after")
    def _named(self) -> BorderCrossing:
        _require_name(self.traveler, "traveler")
        return self


class VisaApplication(_EventBase):
    event_type: Literal["visa_application"]
    post: PostCode
    destination_country: CountryCode
    applicant: Person

    @model_validator(mode="after")
    def _named(self) -> VisaApplication:
        _require_name(self.applicant, "applicant")
        return self


class Location(WireModel):
    city: Annotated[Text, Field(max_length=200)] | None = None
    address: Annotated[FreeText, Field(max_length=500)] | None = None


class Tip(_EventBase):
    """A tip: the subject may carry no name at all, in which case only ``text`` can name them."""

    event_type: Literal["tip"]
    channel: Annotated[Keyword, Field(max_length=32)]
    """How the tip came in: ``hotline``, ``email``, ``web-form``, ``informant``..."""
    subject: Person
    text: Annotated[FreeText, Field(max_length=10_000)] = ""
    location: Location | None = None
    respond: bool = False
    """Ask for a response record on ``responses.<agency>`` (border and visa events always get one)."""


Event = Annotated[BorderCrossing | VisaApplication | Tip, Field(discriminator="event_type")]
EVENT_ADAPTER: TypeAdapter[BorderCrossing | VisaApplication | Tip] = TypeAdapter(Event)


def event_subject(event: BorderCrossing | VisaApplication | Tip) -> Person:
    """The person an event is about, whatever its type."""
    if isinstance(event, BorderCrossing):
        return event.traveler
    if isinstance(event, VisaApplication):
        return event.applicant
    return event.subject
