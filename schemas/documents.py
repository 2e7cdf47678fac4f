"""Reported travel documents (stolen, lost, revoked...): the record on ``documents.reported``.

A reported document is a hit whatever name the traveller gives, so the record holds no person:
the document (issuing country, number, type), what happened to it, who reported it and when.

The key is the normalised document, ``<issuing country>:<number>`` (``"FR:12AB34567"``):

- the issuing country is ISO 3166-1 alpha-2, as everywhere in the project. :func:`issuing_country`
  also accepts the alpha-3 codes that ICAO Doc 9303 prints in the machine-readable zone,
  including ``D`` for Germany, and converts them;
- the number is normalised as in ICAO Doc 9303 (:func:`normalise_number`): upper case, without
  spaces, hyphens or ``<`` fillers.

The document type is not part of the key: a desk may read a card as an identity card where the
reporting bureau called it a passport, and the hit must not depend on that. A ``null`` value on
the topic means the document was recovered, or the report removed.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Annotated

import pycountry
from pydantic import AfterValidator, BeforeValidator, Field

from ._base import CountryCode, Text, WireModel

__all__ = [
    "DocumentType",
    "DocumentStatus",
    "ReportedDocument",
    "normalise_number",
    "issuing_country",
    "document_type",
    "document_key",
]


class DocumentType(StrEnum):
    """The closed set of document types. ICAO Doc 9303 codes convert with :func:`document_type`."""

    PASSPORT = "passport"
    IDENTITY_CARD = "identity_card"
    VISA = "visa"
    OTHER = "other"


class DocumentStatus(StrEnum):
    """Why the document is reported."""

    STOLEN = "stolen"
    LOST = "lost"
    STOLEN_BLANK = "stolen_blank"
    """A blank book or card stolen before it was issued to anyone (from a consulate or a printer)."""
    REVOKED = "revoked"
    INVALIDATED = "invalidated"


_FILLERS = re.compile(r"[\s\-<]+")
_NUMBER = re.compile(r"^[0-9A-Z]{1,24}$")


def normalise_number(raw: str) -> str:
    """A document number as ICAO Doc 9303 prints it: ``"ab 12-345<<"`` -> ``"AB12345"``.

    Upper case; spaces, hyphens and ``<`` fillers dropped. What is left must be 1 to 24 ASCII
    letters and digits (the letter O and the digit 0 stay distinct, as in the MRZ); anything else
    raises ``ValueError`` with a reason that does not repeat the number.
    """
    number = _FILLERS.sub("", raw).upper()
    if not _NUMBER.match(number):
        raise ValueError("a document number is 1 to 24 letters and digits (spaces, hyphens and '<' are dropped)")
    return number


_ICAO_ALPHA3 = {"D": "DE", "RKS": "XK"}
"""ICAO Doc 9303 codes that are not ISO 3166-1 alpha-3: Germany's ``D``, and Kosovo's ``RKS``."""


@lru_cache(maxsize=1024)
def issuing_country(code: str) -> str:
    """ISO 3166-1 alpha-2 from alpha-2, alpha-3 or ICAO's ``D`` (``"DEU"``, ``"D"``, ``"de"`` -> ``"DE"``)."""
    text = code.strip().upper().rstrip("<")
    if text in _ICAO_ALPHA3:
        return _ICAO_ALPHA3[text]
    if text.isascii() and text.isalpha():
        if len(text) == 2 and (text == "XK" or pycountry.countries.get(alpha_2=text) is not None):
            return text
        if len(text) == 3 and (country := pycountry.countries.get(alpha_3=text)) is not None:
            return str(country.alpha_2)
    raise ValueError("not an ISO 3166-1 alpha-2 or alpha-3 country code, nor ICAO's D")


_ICAO_TYPES = {"P": DocumentType.PASSPORT, "I": DocumentType.IDENTITY_CARD, "A": DocumentType.IDENTITY_CARD,
               "C": DocumentType.IDENTITY_CARD, "V": DocumentType.VISA}


@lru_cache(maxsize=256)  # a feed repeats a handful of codes; the enum's failed lookup is slow (a third of an import)
def document_type(value: str) -> DocumentType:
    """A type from the closed set, or from an ICAO document code (``P``, ``PD``, ``I``, ``A``, ``C``, ``V``).

    ICAO's first letter says the kind (P passport; I, A and C identity cards and official travel
    documents of card size; V visa); a second letter is the issuer's own subtype and is ignored.
    """
    text = value.strip()
    try:
        return DocumentType(text.lower())
    except ValueError:
        pass
    code = text.upper()
    if 1 <= len(code) <= 2 and code.isalpha() and code[0] in _ICAO_TYPES:
        return _ICAO_TYPES[code[0]]
    raise ValueError("not a document type (passport, identity_card, visa, other) nor an ICAO code (P, I, A, C, V)")


def document_key(country: str, number: str) -> str:
    """The key on ``documents.reported``: ``"<alpha-2>:<normalised number>"``; raises ``ValueError``."""
    return f"{issuing_country(country)}:{normalise_number(number)}"


Number = Annotated[str, AfterValidator(normalise_number)]
IssuingCountry = Annotated[str, AfterValidator(issuing_country)]
TypeField = Annotated[DocumentType, BeforeValidator(lambda v: document_type(v) if isinstance(v, str) else v)]


class ReportedDocument(WireModel):
    """A travel document reported stolen, lost, revoked or invalidated. No person data.

    ``issuing_country`` and ``number`` are normalised on the way in, so :attr:`key` is the record's
    key on ``documents.reported`` whatever spelling the source used.
    """

    issuing_country: IssuingCountry
    number: Number
    document_type: TypeField
    status: DocumentStatus
    reporting_country: CountryCode
    reported_on: date
    reference: Text = Field(min_length=1, max_length=64)
    """The reporting source's own reference for the report (shown in alerts instead of the number)."""

    @property
    def key(self) -> str:
        return f"{self.issuing_country}:{self.number}"
