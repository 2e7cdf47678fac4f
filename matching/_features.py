"""Slotted, precomputed views of a notice (``Entry``) and of an event's subject (``Query``).

The matcher keeps one ``Entry`` per active notice (the pydantic model is kept as compact JSON
bytes and rebuilt only for hits), and builds one ``Query`` per event.
"""

from __future__ import annotations

import re
from datetime import datetime

import orjson

import schemas

from ._dates import PartialDate, parse_date
from ._documents import doc_key
from ._names import NameForm, forms_of

__all__ = ["Entry", "Query", "DocRef", "entry_of", "query_of"]

DocRef = tuple[str, str | None, str]
"""(normalised number, issuing country or None, document type)."""


class Entry:
    """What the matcher needs of one active notice."""

    __slots__ = ("slot", "notice_id", "forms", "dobs", "years", "sex", "nationalities", "docs", "raw")

    def __init__(self, slot: int, notice: schemas.WantedPerson) -> None:
        self.slot = slot
        self.notice_id = notice.notice_id
        forms: list[NameForm] = []
        for i, name in enumerate(notice.names):
            forms.extend(forms_of(_parts(name.given, name.family, name.full_name), i))
        self.forms = tuple(forms)
        self.dobs: tuple[PartialDate, ...] = tuple(
            d for d in (parse_date(b) for b in notice.birth_dates) if d is not None
        )
        self.years = (min(d[0] for d in self.dobs), max(d[0] for d in self.dobs)) if self.dobs else None
        """(earliest, latest) birth year, for a quick far-apart check."""
        self.sex = notice.sex if notice.sex in ("M", "F") else None
        self.nationalities = tuple(notice.nationalities)
        self.docs: tuple[DocRef, ...] = tuple(
            (doc_key(d.number), d.country, d.type) for d in notice.documents if doc_key(d.number)
        )
        self.raw = orjson.dumps(notice.model_dump(mode="json", exclude_none=False))

    def notice(self) -> schemas.WantedPerson:
        return schemas.WantedPerson.model_validate_json(self.raw)


def _parts(given: str | None, family: str | None, full: str | None) -> list[tuple[str | None, str]]:
    if given or family:
        return [(given, "g"), (family, "f")]
    return [(full, "?")]


def entry_of(slot: int, notice: schemas.WantedPerson) -> Entry:
    return Entry(slot, notice)


class Query:
    """What the matcher needs of one event."""

    __slots__ = ("forms", "dob", "sex", "nationality", "doc", "text", "ages", "is_tip")

    def __init__(self) -> None:
        self.forms: tuple[NameForm, ...] = ()
        self.dob: PartialDate | None = None
        self.sex: str | None = None
        self.nationality: str | None = None
        self.doc: DocRef | None = None
        self.text: str = ""
        self.ages: tuple[int, int] | None = None
        self.is_tip = False


_AGE = re.compile(r"(?<![\d/.:,-])(\d{2})(?!\d)(?![.:/,-]\d)")
_DECADE = re.compile(r"(?<![\d/.:-])(\d)0\s*(?:s\b|'s\b|-?ies\b|er\b|-?х\b)")


def _age_range(text: str, at: datetime) -> tuple[int, int] | None:
    """Birth-year range implied by an age in free text ("about 30", "(45)", "in their 60s")."""
    m = _DECADE.search(text)
    if m:
        lo = int(m.group(1)) * 10
        return (at.year - lo - 10, at.year - lo)
    ages = [int(a) for a in _AGE.findall(text) if 16 <= int(a) <= 95]
    if len(ages) != 1:
        return None
    return (at.year - ages[0] - 3, at.year - ages[0] + 2)


def query_of(event: schemas.BorderCrossing | schemas.VisaApplication | schemas.Tip) -> Query:
    """Build the ``Query`` of an event (its subject's name forms, facts, and a tip's text)."""
    person = schemas.event_subject(event)
    q = Query()
    q.forms = tuple(forms_of(_parts(person.given, person.family, person.full_name)))
    q.dob = parse_date(person.birth_date)
    q.sex = person.sex if person.sex in ("M", "F") else None
    q.nationality = person.nationality
    if person.document is not None:
        key = doc_key(person.document.number)
        if key:
            q.doc = (key, person.document.country, person.document.type)
    if isinstance(event, schemas.Tip):
        q.is_tip = True
        q.text = event.text or ""
        if q.text:
            q.ages = _age_range(q.text, event.occurred_at)
    return q
