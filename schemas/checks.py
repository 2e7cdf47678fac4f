"""The document check: records on ``documents.checks`` and the document side of alerts and answers.

A border crossing or visa application that carries a travel document is not answered by the
screening agent. It sends a :class:`DocumentCheck`, keyed by the document key
(``<issuing country>:<number>``, :func:`schemas.document_key`), to ``documents.checks``, which has
the partition count of ``documents.reported``: the record lands on the partition whose worker
holds that document in its table. The document agent looks the document up and produces the one
answer, combining the name screening (``response``) with what it found (docs/documents.md).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ._base import Timestamp, WireModel
from .events import Event
from .responses import Response, ResponseHit

__all__ = ["DocumentCheck", "SourcePosition", "SightingRef"]


class SourcePosition(WireModel):
    """Where an event is on its topic (so that it can be read again, e.g. by retro-screening)."""

    topic: str
    partition: int
    offset: int


class DocumentCheck(WireModel):
    """One event's document check, on ``documents.checks`` keyed by ``keys[hop]``.

    An event with several documents is checked by a chain: the record goes to the partition of
    its first document, then (with that document's hits in ``hits``) to the partition of the
    next, and the last hop answers the desk.
    """

    event: Event
    source: SourcePosition
    keys: Annotated[list[str], Field(min_length=1, max_length=8)]
    hop: int = Field(0, ge=0)
    response: Response
    """The name screening's answer, as it would have gone to the desk without documents."""
    hits: list[ResponseHit] = Field(default_factory=list)
    """Document hits of the earlier hops."""


class SightingRef(WireModel):
    """A document seen on an event: kept per document key, so a later report finds the event."""

    event_id: str
    occurred_at: Timestamp
    source: SourcePosition
