"""Per-agency ingest, the pure part: which agency a topic belongs to, and whether its event may pass.

Each agency writes only to its own topics, ``ingest.<agency>.border-crossings|visa-applications|tips``
(Kafka ACLs enforce it: docs/security.md). The ingest agent (``streams/ingest_agent.py``) hands
each record to :func:`check_ingest`, which stamps the agency from the topic name (the one thing
the broker has authenticated) and lets the event through to its canonical ``events.*`` topic only
if it is a valid event of the topic's kind that names that same agency. Anything else is a
``Rejected`` record with the reason, for ``events.rejected``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError

from schemas import EVENT_ADAPTER, Rejected, Response, topics

from .dead_letter import oversize_error
from .screening import describe_validation_error, reject

__all__ = ["Forward", "IngestOutcome", "check_ingest", "parse_ingest_topic", "rejection_answer", "rejection_response"]

_KINDS = {name.removeprefix("events."): event_type for event_type, name in topics.EVENT_TOPICS.items()}


@dataclass(frozen=True, slots=True)
class Forward:
    """Where a checked event goes: ``topic`` (unprefixed ``events.*``), keyed by its event id."""

    topic: str
    key: bytes
    value: bytes
    agency: str


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    forward: Forward | None = None
    rejected: Rejected | None = None


def parse_ingest_topic(topic: str, prefix: str = "") -> tuple[str, str] | None:
    """``(agency, event_type)`` of ``<prefix>ingest.<agency>.<kind>``, or ``None`` if it is not one."""
    head = f"{prefix}{topics.INGEST_PREFIX}"
    if not topic.startswith(head):
        return None
    agency, dot, kind = topic[len(head):].rpartition(".")
    if not dot or not agency or kind not in _KINDS:
        return None
    return agency, _KINDS[kind]


def check_ingest(raw: bytes | None, *, topic: str, partition: int, offset: int, prefix: str = "",
                 max_bytes: int | None = None) -> IngestOutcome:
    """Check one record of an ingest topic: forward it to ``events.*`` or say why not.

    A record over ``max_bytes`` is refused before it is decoded. Never raises for bad input. The
    reasons name fields and agencies, never a value of the event.
    """
    def refuse(error: str) -> IngestOutcome:
        return IngestOutcome(rejected=reject(raw, topic, partition, offset, error).rejected)

    parsed = parse_ingest_topic(topic, prefix)
    if parsed is None:
        return refuse(f"{topic} is not an ingest topic ({prefix}ingest.<agency>.border-crossings|visa-applications|tips)")
    agency, expected_type = parsed
    too_large = oversize_error(raw, max_bytes) if max_bytes is not None else None
    if too_large is not None:
        return refuse(too_large)
    if not raw:
        return refuse("empty record: expected one JSON event object")
    try:
        event = EVENT_ADAPTER.validate_json(raw)
    except ValidationError as exc:
        return refuse(f"invalid event: {describe_validation_error(exc)}")
    except (ValueError, RecursionError) as exc:  # pragma: no cover - pydantic wraps most of these
        return refuse(f"undecodable record: {type(exc).__name__}")
    if event.agency != agency:
        return refuse(f"the event claims agency {event.agency!r} but was published on the ingest topic of "
                      f"{agency!r}: an agency publishes only its own events")
    if event.event_type != expected_type:
        return refuse(f"event_type {event.event_type!r} does not belong on this topic (expected {expected_type!r})")
    return IngestOutcome(forward=Forward(topic=topics.EVENT_TOPICS[event.event_type], key=event.event_id.encode(),
                                         value=raw, agency=agency))


def rejection_response(raw: bytes | None, rejected: Rejected, prefix: str = "",
                       max_bytes: int | None = None) -> Response | None:
    """The answer an agency gets on ``responses.<agency>`` when its ingest record is refused.

    Agencies may not read ``events.rejected`` (it holds every agency's records), so without this a
    bad record would be silence to its publisher. The agency is the one the broker authenticated
    (the topic's); the event id is read from the record if it has one, else the record's position.
    """
    parsed = parse_ingest_topic(rejected.topic, prefix)
    if parsed is None:
        return None
    agency, event_type = parsed
    return rejection_answer(raw, rejected, agency=agency, event_type=event_type, max_bytes=max_bytes)


_EVENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}\Z")


def rejection_answer(raw: bytes | None, rejected: Rejected, *, agency: str, event_type: str,
                     max_bytes: int | None = None) -> Response:
    """A ``rejected`` answer for ``agency`` (an authenticated one: the ingest topic's, or the header the
    ingest agent puts on what it forwards), keyed by the record's ``event_id`` if it has one.

    The record is read only if it is within ``max_bytes``: an oversize record is never decoded, and
    its answer is keyed by its position ``<topic>:<partition>:<offset>``.
    """
    event_id = f"{rejected.topic}:{rejected.partition}:{rejected.offset}"
    obj: object = None
    if raw and (max_bytes is None or len(raw) <= max_bytes):
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError):
            obj = None
    if isinstance(obj, dict) and isinstance(obj.get("event_id"), str) and _EVENT_ID.match(obj["event_id"]):
        event_id = obj["event_id"]  # only a well-formed id (json.loads lets lone surrogates through)
    return Response(event_id=event_id, event_type=event_type, agency=agency, result="rejected",
                    error=rejected.error, responded_at=datetime.now(UTC))
