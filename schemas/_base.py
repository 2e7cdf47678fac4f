"""Shared building blocks for the wire models: strict base class and constrained field types."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated

import pycountry
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, ValidationError

__all__ = [
    "WireModel",
    "describe_validation_error",
    "CountryCode",
    "PartialDate",
    "Timestamp",
    "Text",
    "FreeText",
]


class WireModel(BaseModel):
    """Base of every record on a topic: unknown fields rejected, immutable, strict-ish types.

    ``strict=True`` would refuse ISO strings for datetimes in Python mode, so strictness is
    applied per field instead: no silent int->str coercion (``coerce_numbers_to_str`` off),
    and str fields must be str.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        validate_default=False,
        ser_json_inf_nan="strings",
    )


@lru_cache(maxsize=512)
def _known_alpha2(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None


# Error messages never repeat the input: a rejected value may be personal data.


def _check_country(value: str) -> str:
    code = value.upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha() or not _known_alpha2(code):
        raise ValueError("not an ISO 3166-1 alpha-2 country code")
    return code


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_LAYOUT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _check_text(value: str) -> str:
    """One-line text (names, posts, numbers): any script, no control characters or line breaks."""
    if _CONTROL.search(value):
        raise ValueError("control character in text")
    return value


def _check_free_text(value: str) -> str:
    """Free text (a tip's narrative): tabs and line breaks allowed, other control characters not."""
    if _CONTROL_BUT_LAYOUT.search(value):
        raise ValueError("control character in text")
    return value


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _check_partial_date(value: str) -> str:
    """ISO 8601 calendar date, possibly partial: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
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
