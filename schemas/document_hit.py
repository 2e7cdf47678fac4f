"""A reported document found on an event, as alerts and answers name it: by reference, never by number."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from ._base import CountryCode, Text, WireModel
from .documents import DocumentStatus, DocumentType

__all__ = ["DocumentHit"]


class DocumentHit(WireModel):
    """A reported document found on an event: the report, by reference, never by number."""

    reference: Annotated[Text, Field(min_length=1, max_length=64)]
    status: DocumentStatus
    document_type: DocumentType
    issuing_country: CountryCode
    reporting_country: CountryCode
    reported_on: date
