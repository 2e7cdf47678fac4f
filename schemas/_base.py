"""Shared building blocks for the wire models: strict base class and constrained field types."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

import pycountry
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "WireModel",
    "describe_validation_error",
    "CountryCode",
    "PartialDate",
    "Timestamp",
    "Text",
    "FreeText",
    "PostCode",
    "Keyword",
]


class WireModel(BaseModel):
    """Base of every record on a topic: unknown fields rejected, immutable, strict-ish types.

    ``strict=True`` would refuse ISO strings for datetimes in Python mode, so strictness is
    applied per field instead: no silent int->str coercion (``coerce_numbers_to_str`` off),
    and str fields must be str.

    A list or dict default is written ``Field(default_factory=list)``: pydantic deep-copies a
    literal ``[]`` default for every instance, about three microseconds per model on the worker's
    path (a ``Response`` per event).
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        validate_default=False,
        ser_json_inf_nan="strings",
    )


_ALPHA2 = frozenset(c.alpha_2 for c in pycountry.countries)
"""The ISO 3166-1 alpha-2 codes (upper case): every event carries two or three, checked in one look-up."""


# Error messages never repeat the input: a rejected value may be personal data.


def _check_country(value: str) -> str:
    code = value.upper()
    if code not in _ALPHA2:
        raise ValueError("not an ISO 3166-1 alpha-2 country code")
    return code


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_LAYOUT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\ufeff]")
"""Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), the zero-width space
(U+200B) and the byte-order mark (U+FEFF): they reorder or hide what an officer reads (U+202E turns
"Reply ACK A-..." around on a phone) and carry nothing a name needs. ZWNJ and ZWJ (U+200C, U+200D)
are kept: Persian and Indic names are spelt with them."""
_INVISIBLE_REASON = ("bidi control, zero-width space or byte-order mark in text "
                     "(U+202A-U+202E, U+2066-U+2069, U+200B and U+FEFF are not allowed)")


def _check_text(value: str) -> str:
    """One-line text (names, numbers, places): any script, no control characters, line breaks,
    bidi controls, zero-width spaces or byte-order marks."""
    if _CONTROL.search(value):
        raise ValueError("control character in text")
    if _INVISIBLE.search(value):
        raise ValueError(_INVISIBLE_REASON)
    return value


def _check_free_text(value: str) -> str:
    """Free text (a tip's narrative): tabs and line breaks allowed, other control characters and the
    invisible characters of ``_INVISIBLE`` not."""
    if _CONTROL_BUT_LAYOUT.search(value):
        raise ValueError("control character in text")
    if _INVISIBLE.search(value):
        raise ValueError(_INVISIBLE_REASON)
    return value


_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,63}$")


def _check_code(value: str) -> str:
    """A code (a border post, a consulate): upper-cased, ASCII letters and digits with ``. _ / -``."""
    code = value.upper()
    if not _CODE.match(code):
        raise ValueError("not a code: 1-64 of A-Z, 0-9 and . _ / - (e.g. NBO-JKIA-T1)")
    return code


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_UNKNOWN_PART = re.compile(r"^(\d{4})-(\d{2}|[Xx]{2})(?:-(\d{2}|[Xx]{2}))?$")


def _check_partial_date(value: str) -> str:
    """ISO 8601 calendar date, possibly partial: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``. A month
    or day written ``00`` or ``XX`` (unknown, as many travel documents and national systems
    print it) makes the date partial: ``1971-00-00`` is ``1971``, ``1971-05-XX`` is ``1971-05``."""
    if len(value) == 10 and value[4] == value[7] == "-":  # the usual case, a whole date, checked in C
        try:
            whole = date.fromisoformat(value)
        except ValueError:
            pass  # 00 or XX, or out of range: the checks below say which
        else:
            if 1800 <= whole.year <= 2200:
                return value
    u = _UNKNOWN_PART.match(value)
    if u and any(p is not None and p.upper() in ("00", "XX") for p in u.groups()[1:]):
        year, month, day = u.groups()
        if day is not None and day.isdigit() and not 0 <= int(day) <= 31:
            raise ValueError("day out of range for the month")
        value = year if month.upper() in ("00", "XX") else f"{year}-{month}"
    m = _PARTIAL_DATE.match(value)
    if not m:
        raise ValueError("not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = m.groups()
    if not 1800 <= int(year) <= 2200:
        raise ValueError("year out of range 1800-2200")
    if month is not None and not 1 <= int(month) <= 12:
        raise ValueError("month out of range")
    if day is not None:
        try:
            date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError("day out of range for the month") from None
    return value


def _check_timestamp(value: datetime) -> datetime:
    if not 1970 <= value.year <= 2200:
        raise ValueError("timestamp out of range 1970-2200")
    return value


CountryCode = Annotated[str, AfterValidator(_check_country)]
"""ISO 3166-1 alpha-2, upper-cased on the way in."""

PartialDate = Annotated[str, AfterValidator(_check_partial_date)]
Timestamp = Annotated[AwareDatetime, AfterValidator(_check_timestamp)]
"""RFC 3339 timestamp; naive datetimes are rejected."""

Text = Annotated[str, AfterValidator(_check_text)]
FreeText = Annotated[str, AfterValidator(_check_free_text)]
PostCode = Annotated[str, AfterValidator(_check_code)]
"""A border post's or consulate's code, e.g. ``NBO-JKIA-T1``; upper-cased on the way in."""
Keyword = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")]
"""A short machine word (a document type, a tip's channel): a letter, then letters, digits, ``_`` or ``-``."""


def describe_validation_error(exc: ValidationError, limit: int = 5) -> str:
    """A short, personal-data-free reason: field paths and messages, never the offending values."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False)[:limit]:
        loc = ".".join(str(p) for p in err["loc"]) or "(record)"
        parts.append(f"{loc}: {err['msg']}")
    more = exc.error_count() - limit
    if more > 0:
        parts.append(f"... and {more} more")
    return "; ".join(parts)
