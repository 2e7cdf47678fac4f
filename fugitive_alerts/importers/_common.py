"""Shared pieces of the importers: a rejected row, warnings, and field converters.

Every reason and warning written here is safe to print and log: it names fields and what is
wrong with them, never the value (a value may be a name, a birth date or a document number).
Country codes are the one exception: a short code (``XK``) is echoed so the operator can fix it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import pycountry
from pydantic import ValidationError

from schemas import WantedPerson, describe_validation_error
from schemas.errors import FugitiveAlertsError

__all__ = [
    "RowError",
    "Warnings",
    "Row",
    "country",
    "countries",
    "partial_date",
    "sex",
    "one_line",
    "offence",
    "unique_names",
    "document",
    "build_notice",
]


class RowError(FugitiveAlertsError, ValueError):
    """A row that cannot become a notice. ``notice_id`` is kept when it could be read, so a
    ``--full-snapshot`` import does not take the notice for withdrawn."""

    def __init__(self, reason: str, notice_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.notice_id = notice_id


@dataclass(slots=True)
class Warnings:
    """Problems that did not cost the row, counted by message (``unknown country code 'XK'``)."""

    counts: Counter[str] = field(default_factory=Counter)
    first_at: dict[str, str] = field(default_factory=dict)
    where: str = ""

    def __call__(self, message: str) -> None:
        self.counts[message] += 1
        self.first_at.setdefault(message, self.where)

    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(slots=True)
class Row:
    """One record of an input file: where it is (``line 7``, ``notice 3``) and its parsed data,
    or why it could not be parsed (``error``), or why it is not for us (``skip``, e.g. an FtM
    company in a file of people: counted, not rejected)."""

    where: str
    data: Any = None
    error: str | None = None
    skip: str | None = None


_SHORT_CODE = re.compile(r"^[A-Za-z]{2,3}$")


@lru_cache(maxsize=1024)
def _alpha2(code: str) -> str | None:
    code = code.strip().upper()
    if len(code) == 2:
        found = pycountry.countries.get(alpha_2=code)
    elif len(code) == 3:
        found = pycountry.countries.get(alpha_3=code)
    else:
        return None
    return found.alpha_2 if found is not None else None


def country(value: object, what: str, warn: Warnings) -> str | None:
    """ISO 3166-1 alpha-2 (alpha-3 accepted and converted), or ``None`` with a warning."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        code = _alpha2(value)
        if code is not None:
            return code
        if _SHORT_CODE.match(value.strip()):
            warn(f"unknown country code {value.strip().upper()!r} in {what}, left out")
            return None
    warn(f"{what} is not a country code, left out")
    return None


def countries(values: Iterable[object], what: str, warn: Warnings) -> list[str]:
    out: list[str] = []
    for value in values:
        code = country(value, what, warn)
        if code is not None and code not in out:
            out.append(code)
    return out


_DATE = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?$")


def partial_date(value: object, what: str, warn: Warnings) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` from ISO or INTERPOL (``YYYY/MM/DD``) forms.

    A zero month or day (``1970/00/00``) means unknown, and is cut off. A timestamp keeps its
    date. Anything else is left out with a warning: a notice is not lost over a bad date.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        m = _DATE.match(value.strip()[:10])
        if m:
            year, month, day = m.groups()
            parts = [year]
            if month and int(month):
                parts.append(f"{int(month):02d}")
                if day and int(day):
                    parts.append(f"{int(day):02d}")
            try:
                date(
                    int(year), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1
                )
            except ValueError:
                pass
            else:
                if 1800 <= int(year) <= 2200:
                    return "-".join(parts)
    warn(f"{what} is not a date (YYYY, YYYY-MM or YYYY-MM-DD), left out")
    return None


_SEX = {"m": "M", "male": "M", "f": "F", "female": "F", "u": "U", "unknown": "U", "other": "U"}


def sex(value: object, what: str, warn: Warnings) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().lower() in _SEX:
        return _SEX[value.strip().lower()]
    warn(f"{what} is not M, F or U (male, female, other), left out")
    return None


def one_line(value: object) -> str | None:
    """A string with its whitespace (line breaks included) collapsed, or ``None`` if empty/not text."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def offence(value: object) -> str | None:
    """An offence on one line, cut to the schema's 200 characters."""
    text = one_line(value)
    if text is None:
        return None
    return text if len(text) <= 200 else text[:199].rstrip() + "…"


def unique_names(names: Iterable[Mapping[str, str | None]]) -> list[dict[str, str]]:
    """Names without empty parts, each once (by their display form, case-insensitively), in order.

    ``{given: "Ana", family: "Lupu"}`` and ``{full_name: "ANA LUPU"}`` are the same name: the
    first one given is kept.
    """
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for name in names:
        clean = {k: v for k, v in ((k, one_line(v)) for k, v in name.items()) if v}
        if not clean:
            continue
        display = clean.get("full_name") or " ".join(
            p for p in (clean.get("given"), clean.get("family")) if p
        )
        key = " ".join(display.casefold().split())
        if key not in seen:
            seen.add(key)
            out.append(clean)
    return out


def document(
    doc_type: str, number: object, doc_country: str | None, what: str, warn: Warnings
) -> dict[str, Any] | None:
    """A document, or ``None`` with a warning if its number is not one line of at most 40 characters."""
    text = one_line(number)
    if text is None:
        return None
    if len(text) > 40:
        warn(f"{what} longer than 40 characters, left out")
        return None
    return {"type": doc_type, "number": text, "country": doc_country}


def build_notice(fields: dict[str, Any]) -> WantedPerson:
    """Validate the mapped fields as a ``WantedPerson``; a failure is a ``RowError`` with field paths."""
    notice_id = fields.get("notice_id") if isinstance(fields.get("notice_id"), str) else None
    if not notice_id:
        raise RowError("no notice id")
    if not fields.get("names"):
        raise RowError("no name", notice_id)
    try:
        return WantedPerson.model_validate(fields)
    except ValidationError as exc:
        raise RowError(f"invalid notice: {describe_validation_error(exc, limit=3)}", notice_id) from None
