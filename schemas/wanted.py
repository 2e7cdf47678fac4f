"""Wanted persons: notices on the compacted ``wanted.notices`` topic (a null value withdraws)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

import orjson
from pydantic import Field, model_validator

from ._base import CountryCode, PartialDate, Text, WireModel
from .events import Document, Sex

__all__ = ["Name", "WantedPerson", "NoticeType", "NoticeStatus", "fingerprint"]

NoticeType = Literal["red", "diffusion", "national", "war_crimes"]
NoticeStatus = Literal["active", "withdrawn", "cancelled"]
_Part = Annotated[Text, Field(min_length=1, max_length=200)]


class Name(WireModel):
    """One name of a wanted person, in any script: ``{given, family}`` or ``{full_name}``."""

    given: _Part | None = None
    family: _Part | None = None
    full_name: _Part | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Name:
        if not (self.given or self.family or self.full_name):
            raise ValueError("a name needs given, family or full_name")
        return self

    def display(self) -> str:
        if self.full_name:
            return self.full_name
        return " ".join(p for p in (self.given, self.family) if p)


class WantedPerson(WireModel):
    """A notice. ``names[0]`` is the primary name, the rest known aliases."""

    notice_id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")]
    notice_type: NoticeType = "red"
    status: NoticeStatus = "active"
    requesting_country: CountryCode | None = None
    names: Annotated[list[Name], Field(min_length=1, max_length=100)]
    birth_dates: Annotated[list[PartialDate], Field(max_length=20)] = Field(default_factory=list)
    sex: Sex | None = None
    nationalities: Annotated[list[CountryCode], Field(max_length=20)] = Field(default_factory=list)
    documents: Annotated[list[Document], Field(max_length=50)] = Field(default_factory=list)
    offences: Annotated[list[Annotated[Text, Field(min_length=1, max_length=200)]], Field(max_length=50)] = Field(
        default_factory=list)
    caution: Annotated[Text, Field(max_length=200)] | None = None
    source: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")] | None = None
    """The list this notice was imported from (``interpol``, ``opensanctions``, ``csv:<stem>``...).
    A ``--full-snapshot`` import withdraws only notices of its own source (docs/wanted-lists.md)."""

    @property
    def active(self) -> bool:
        return self.status == "active"


def fingerprint(notice: WantedPerson) -> str:
    """A digest of what matching reads: names, birth dates, sex, nationalities, documents.

    Order does not count (lists are sorted), and neither do fields that only route or label an
    alert (offences, caution, requesting country, type, source): changing those does not find
    anyone new, so it does not re-screen.
    """

    def canon(items: list[dict[str, object]]) -> list[bytes]:
        return sorted(orjson.dumps(i, option=orjson.OPT_SORT_KEYS) for i in items)

    body = orjson.dumps(
        [
            [b.decode() for b in canon([n.model_dump(exclude_none=True) for n in notice.names])],
            sorted(notice.birth_dates),
            notice.sex,
            sorted(notice.nationalities),
            [b.decode() for b in canon([d.model_dump(exclude_none=True) for d in notice.documents])],
        ]
    )
    return hashlib.sha256(body).hexdigest()[:32]
