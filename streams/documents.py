"""The document check, the pure part: which documents an event carries, what a report means, and the
alerts and the one answer a check gives. No Kafka; the agents are ``streams.document_agent``.

- An event's documents (:func:`document_keys`): the traveller's or applicant's document, keyed as
  on ``documents.reported`` (``schemas.document_key``); its issuing country, if the desk did not
  read one, is the person's nationality. A document that gives no key (no country at all, or a
  number that is not 1 to 24 letters and digits) is not checked: the event is still screened by name.
- A reported document is a hit whatever the name (:func:`check_document`): an alert in band
  ``alert``, "document reported <status>", routed to the bureau of the country where the event
  happened and to the reporting country's bureau (``requesting_country``), with the urgency of the
  event (critical for a border crossing). Its reason names the report by reference, never the number.
- The desk gets one answer (:func:`combine`): the name screening's answer, with the document hits
  after its alert-band hits.
- Retro-screening (:func:`retro_alert`): a document reported after an event it appeared on alerts
  "seen before", with the urgency lowered by the age of the sighting as for notices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import TypeAdapter, ValidationError

from schemas import (
    ACTIONS,
    EVENT_ADAPTER,
    Alert,
    AnyEvent,
    BureauDirectory,
    CallBureau,
    DocumentCheck,
    DocumentHit,
    ReportedDocument,
    Response,
    ResponseHit,
    SeenBefore,
    SightingRef,
    SourcePosition,
    Tip,
    alert_id_for,
    describe_validation_error,
    document_key,
    event_subject,
)

from .retro import urgency_by_age
from .screening import Outcome, urgency_for

__all__ = [
    "document_keys",
    "check_request",
    "decode_check",
    "CheckOutcome",
    "check_document",
    "combine",
    "document_alert",
    "ReportChange",
    "classify_report",
    "add_sighting",
    "sightings_in_window",
    "retro_alert",
    "SIGHTINGS_KEPT",
]

SIGHTINGS_KEPT = 20
"""Sightings kept per document (the most recent ones within the retention window)."""

_STATUS_TEXT = {"stolen": "stolen", "lost": "lost", "stolen_blank": "stolen blank", "revoked": "revoked",
                "invalidated": "invalidated"}
_SIGHTINGS: TypeAdapter[list[SightingRef]] = TypeAdapter(list[SightingRef])


def document_keys(event: AnyEvent) -> list[str]:
    """The ``documents.reported`` keys of the documents on a border crossing or visa application."""
    if isinstance(event, Tip):
        return []
    person = event_subject(event)
    keys: list[str] = []
    for doc in [person.document] if person.document else []:
        country = doc.country or person.nationality
        if country is None:
            continue
        try:
            key = document_key(country, doc.number)
        except ValueError:
            continue
        if key not in keys:
            keys.append(key)
    return keys


def check_request(outcome: Outcome, source: SourcePosition) -> tuple[str, DocumentCheck] | None:
    """The check record to send instead of the answer (key, record), or ``None`` to answer at once."""
    if outcome.event is None or outcome.response is None:
        return None
    keys = document_keys(outcome.event)
    if not keys:
        return None
    return keys[0], DocumentCheck(event=outcome.event, source=source, keys=keys, response=outcome.response)


def decode_check(raw: bytes | None, key: bytes | None) -> DocumentCheck | str:
    """A check record, or why it is refused (field paths and rules, never values)."""
    if not raw:
        return "empty check record"
    try:
        check = DocumentCheck.model_validate_json(raw)
    except ValidationError as exc:
        return f"invalid check record: {describe_validation_error(exc)}"
    if check.hop >= len(check.keys):
        return "invalid check record: hop is past the last document"
    if key is None or key.decode("utf-8", "replace") != check.keys[check.hop]:
        return "check record key does not match its document"
    return check


def document_alert(event: AnyEvent, key: str, report: ReportedDocument, now: datetime,
                   seen_before: SeenBefore | None = None) -> Alert:
    """The alert for ``event`` carrying the reported document ``key``."""
    status = _STATUS_TEXT[report.status.value]
    reason = (f"document {report.reference} reported {status} by {report.reporting_country} "
              f"on {report.reported_on.isoformat()}")
    return Alert(
        alert_id=alert_id_for(event.event_id, f"document:{key}"),
        event_id=event.event_id,
        event_type=event.event_type,
        notice_id=f"document:{report.reference}",
        band="alert",
        score=1.0,
        reasons=[reason],
        urgency=urgency_for(event.event_type, None, "alert"),
        country=event.country,
        requesting_country=report.reporting_country,
        raised_at=now,
        event=event,
        document=DocumentHit(reference=report.reference, status=report.status, document_type=report.document_type,
                             issuing_country=report.issuing_country, reporting_country=report.reporting_country,
                             reported_on=report.reported_on),
        seen_before=seen_before,
    )


def _call(directory: BureauDirectory | None, country: str) -> CallBureau | None:
    for bureau in directory.bureaus if directory else ():
        if bureau.country == country:
            return CallBureau(id=bureau.id, name=bureau.name, phone=bureau.hotline)
    return None


@dataclass(slots=True)
class CheckOutcome:
    alerts: list[Alert] = field(default_factory=list)
    forward: tuple[str, DocumentCheck] | None = None
    """The check's next hop (key, record) when the event carries another document."""
    response: Response | None = None
    """The one answer to the desk, after the last document."""


def check_document(check: DocumentCheck, report: ReportedDocument | None, *,
                   directory: BureauDirectory | None, now: datetime) -> CheckOutcome:
    """Check the document of this hop (``report``: what the table holds for it, or ``None``)."""
    hits = list(check.hits)
    alerts: list[Alert] = []
    if report is not None:
        alert = document_alert(check.event, check.keys[check.hop], report, now)
        alerts.append(alert)
        assert alert.document is not None
        hits.append(ResponseHit(alert_id=alert.alert_id, band="alert", action=ACTIONS["document"],
                                notice_type="document", call=_call(directory, check.event.country),
                                document=alert.document))
    if check.hop + 1 < len(check.keys):
        forward = check.model_copy(update={"hop": check.hop + 1, "hits": hits})
        return CheckOutcome(alerts, forward=(check.keys[check.hop + 1], forward))
    return CheckOutcome(alerts, response=combine(check.response, hits, now))


def combine(response: Response, document_hits: list[ResponseHit], now: datetime) -> Response:
    """The name screening's answer with the document hits: alert-band name hits, documents, review hits."""
    if not document_hits:
        return response.model_copy(update={"responded_at": now})
    hits = ([h for h in response.hits if h.band == "alert"] + document_hits
            + [h for h in response.hits if h.band != "alert"])
    return response.model_copy(update={"hits": hits, "result": "hit", "responded_at": now})


@dataclass(frozen=True, slots=True)
class ReportChange:
    """What one ``documents.reported`` record does to the table."""

    action: Literal["set", "delete", "unchanged", "invalid"]
    value: bytes | None = None
    """The record to store (normalised JSON) for ``set``."""
    report: ReportedDocument | None = None
    new: bool = False
    """Nothing was reported for this document before: past sightings are retro-screened."""
    error: str | None = None


def classify_report(key: bytes | None, value: bytes | None, previous: bytes | None) -> ReportChange:
    """Decide from a ``documents.reported`` record and what the table held for its key.

    ``unchanged`` when the table already holds the record as it would store it (a report sent
    again, e.g. by a daily full import), or a tombstone for a document it does not hold: nothing
    to write. A record equal byte for byte to the stored one is not decoded again.
    """
    if not key:
        return ReportChange("invalid", error="reported document without a key")
    if value is None:
        return ReportChange("delete") if previous is not None else ReportChange("unchanged")
    if previous is not None and value == previous:
        return ReportChange("unchanged")
    try:
        report = ReportedDocument.model_validate_json(value)
    except ValidationError as exc:
        return ReportChange("invalid", error=f"invalid reported document: {describe_validation_error(exc)}")
    if key.decode("utf-8", "replace") != report.key:
        return ReportChange("invalid", error="record key does not match the document (issuing_country:number)")
    stored = report.model_dump_json().encode()
    if stored == previous:
        return ReportChange("unchanged")
    return ReportChange("set", stored, report, new=previous is None)


def _refs(raw: bytes | None) -> list[SightingRef]:
    if not raw:
        return []
    try:
        return _SIGHTINGS.validate_json(raw)
    except ValidationError:
        return []


def add_sighting(existing: bytes | None, seen: SightingRef, now: datetime, window: timedelta) -> bytes:
    """The sightings of a document with ``seen`` added: the most recent ``SIGHTINGS_KEPT`` in the window."""
    refs = [r for r in _refs(existing) if r.event_id != seen.event_id and now - r.occurred_at <= window]
    refs.append(seen)
    refs.sort(key=lambda r: r.occurred_at)
    return _SIGHTINGS.dump_json(refs[-SIGHTINGS_KEPT:])


def sightings_in_window(existing: bytes | None, now: datetime, window: timedelta) -> list[SightingRef]:
    return [r for r in _refs(existing) if now - r.occurred_at <= window]


def _place(event: AnyEvent) -> str | None:
    return None if isinstance(event, Tip) else event.post


def retro_alert(raw_event: bytes | None, key: str, report: ReportedDocument, now: datetime,
                window: timedelta) -> Alert | None:
    """The "seen before" alert of a past event (its raw record) that carried a newly reported document.

    ``None`` if the record is no longer a valid event, does not carry the document, or is older
    than the window.
    """
    try:
        event = EVENT_ADAPTER.validate_json(raw_event or b"")
    except ValidationError:
        return None
    age = max(now - event.occurred_at, timedelta(0))
    if age > window or key not in document_keys(event):
        return None
    place = _place(event)
    seen = SeenBefore(occurred_at=event.occurred_at, country=event.country, place=place,
                      age_hours=round(age.total_seconds() / 3600, 2), trigger="document_reported")
    alert = document_alert(event, key, report, now, seen_before=seen)
    when = event.occurred_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    at = f"{place}, {event.country}" if place else event.country
    hours = age.total_seconds() / 3600
    ago = f"{int(age.total_seconds() // 60)} min" if hours < 1 else f"{int(hours)} h" if hours < 48 else \
        f"{int(hours // 24)} days"
    reason = f"SEEN BEFORE the document was reported: {ago} ago, {when}, at {at}"
    return alert.model_copy(update={"urgency": urgency_by_age(alert.urgency, age),
                                    "reasons": [reason, *alert.reasons]})
