"""Decode one raw event record and screen it: the pure core of the screening agents (no Kafka).

The agents hand this module bytes and a source position; it hands back what to produce:
alerts for hits, or one dead-letter record saying why the input was refused. ``screen_record``
does it for one record; ``screen_records`` for a batch, stage by stage, with the same outcomes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from pydantic import ValidationError

from schemas import (
    ACTIONS,
    EVENT_ADAPTER,
    Alert,
    AnyEvent,
    AppliedClearance,
    BureauDirectory,
    CallBureau,
    Person,
    Rejected,
    Response,
    ResponseHit,
    Tip,
    WantedPerson,
    alert_id_for,
    describe_validation_error,
    event_subject,
    urgency_for,
)
from schemas.reviews import Clearance

__all__ = [
    "Screener",
    "Outcome",
    "ClearanceLookup",
    "screen_record",
    "screen_records",
    "decode_event",
    "outcome_of",
    "SourceRecord",
    "reject",
    "respond",
    "urgency_for",
    "describe_validation_error",
]


class _Hit(Protocol):
    notice_id: str
    score: float
    band: str
    reasons: list[str]

    @property
    def notice(self) -> WantedPerson: ...


class Screener(Protocol):
    """What the agents need from the matching engine (``matching.Matcher`` satisfies it)."""

    def screen(self, event: AnyEvent) -> Sequence[_Hit]: ...


ClearanceLookup = Callable[[WantedPerson, Person], Clearance | None]
"""The live clearance that suppresses a hit of this person on this notice, if any
(``streams.clearances.ClearanceTable.lookup``: ``matching.clearance.check`` over the decisions)."""


@dataclass(slots=True)
class Outcome:
    event: AnyEvent | None = None
    alerts: list[Alert] = field(default_factory=list)
    cleared: list[AppliedClearance] = field(default_factory=list)
    """Hits not raised: an analyst cleared this person for that notice (docs/review.md)."""
    rejected: Rejected | None = None
    response: Response | None = None
    """The answer for the publishing agency; ``None`` for a tip that did not ask for one."""


def reject(raw: bytes | None, topic: str, partition: int, offset: int, error: str) -> Outcome:
    """The dead letter of ``raw`` (a bounded prefix, its length and SHA-256: ``schemas.Rejected.of``)."""
    return Outcome(rejected=Rejected.of(raw, topic=topic, partition=partition, offset=offset, error=error))


def screen_record(
    raw: bytes | None,
    *,
    topic: str,
    partition: int,
    offset: int,
    expected_type: str,
    screener: Screener,
    directory: BureauDirectory | None = None,
    now: datetime | None = None,
    clearances: ClearanceLookup | None = None,
) -> Outcome:
    """Validate ``raw`` as an event of ``expected_type`` and screen it.

    Never raises for bad input: a record that is not valid JSON, not a valid event, or an event
    of another type than its topic carries, comes back as ``Outcome.rejected``.
    """
    event = decode_event(raw, topic=topic, partition=partition, offset=offset, expected_type=expected_type)
    if isinstance(event, Outcome):
        return event
    return outcome_of(event, screener.screen(event), directory=directory, now=now, clearances=clearances)


class SourceRecord(Protocol):
    """A record as the agents hold it (a Faust message): its bytes and where it was read."""

    @property
    def value(self) -> bytes | None: ...
    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...


def screen_records(
    records: Sequence[SourceRecord],
    *,
    expected_type: str,
    screener: Screener,
    failed: Callable[[SourceRecord, Exception], Outcome],
    directory: BureauDirectory | None = None,
    clearances: ClearanceLookup | None = None,
) -> list[Outcome]:
    """``screen_record`` of each record of a batch, in order, done stage by stage: every record
    decoded, then every event screened, then every alert and answer made.

    The same outcomes as record by record, faster: done one record at a time, each stage ran
    with the CPU's caches full of the other stages' code and data, and took about twice as long
    as in a loop of its own (docs/benchmarks.md, "Issue 18, ninth round").

    An exception on one record (a bug, not bad input) makes that record's outcome
    ``failed(record, exc)``, called inside the ``except`` block; the other records go on.
    """
    outcomes: list[Outcome | None] = [None] * len(records)
    events: list[AnyEvent | None] = [None] * len(records)
    for i, r in enumerate(records):
        try:
            decoded = decode_event(r.value, topic=r.topic, partition=r.partition, offset=r.offset,
                                   expected_type=expected_type)
        except Exception as exc:  # noqa: BLE001 - this record's boundary
            outcomes[i] = failed(r, exc)
            continue
        if isinstance(decoded, Outcome):
            outcomes[i] = decoded
        else:
            events[i] = decoded
    hits: list[Sequence[_Hit]] = [()] * len(records)
    for i, event in enumerate(events):
        if event is not None:
            try:
                hits[i] = screener.screen(event)
            except Exception as exc:  # noqa: BLE001 - this record's boundary
                outcomes[i], events[i] = failed(records[i], exc), None
    for i, event in enumerate(events):
        if event is not None:
            try:
                outcomes[i] = outcome_of(event, hits[i], directory=directory, clearances=clearances)
            except Exception as exc:  # noqa: BLE001 - this record's boundary
                outcomes[i] = failed(records[i], exc)
    done = [o for o in outcomes if o is not None]
    assert len(done) == len(records)  # every record has exactly one outcome
    return done


def decode_event(raw: bytes | None, *, topic: str, partition: int, offset: int,
                 expected_type: str) -> AnyEvent | Outcome:
    """The event ``raw`` holds, or its refusal (``Outcome.rejected``): not JSON, not a valid event, or
    an event of another type than ``expected_type``, the one its topic carries. Never raises for bad input."""
    if not raw:
        return reject(raw, topic, partition, offset, "empty record: expected one JSON event object")
    try:
        event = EVENT_ADAPTER.validate_json(raw)
    except ValidationError as exc:
        return reject(raw, topic, partition, offset, f"invalid event: {describe_validation_error(exc)}")
    except (ValueError, RecursionError) as exc:  # pragma: no cover - pydantic wraps most of these
        return reject(raw, topic, partition, offset, f"undecodable record: {type(exc).__name__}")
    if event.event_type != expected_type:
        return reject(
            raw, topic, partition, offset,
            f"event_type {event.event_type!r} does not belong on this topic (expected {expected_type!r})",
        )
    return event


def outcome_of(event: AnyEvent, hits: Sequence[_Hit], *, directory: BureauDirectory | None = None,
               now: datetime | None = None, clearances: ClearanceLookup | None = None) -> Outcome:
    """The alerts of ``event``'s hits (those an analyst has not cleared) and the agency's answer."""
    raised_at = now or datetime.now(UTC)
    person = event_subject(event)
    alerts: list[Alert] = []
    cleared: list[AppliedClearance] = []
    for hit in hits:
        alert_id = alert_id_for(event.event_id, hit.notice_id)
        clearance = clearances(hit.notice, person) if clearances is not None else None
        if clearance is not None:
            cleared.append(AppliedClearance(alert_id=alert_id, cleared_by=clearance.cleared_by,
                                            bureau_id=clearance.bureau_id, cleared_at=clearance.at,
                                            expires_at=clearance.expires_at))
            continue
        alerts.append(Alert(
            alert_id=alert_id,
            event_id=event.event_id,
            event_type=event.event_type,
            notice_id=hit.notice_id,
            band="alert" if hit.band == "alert" else "review",
            score=round(min(max(hit.score, 0.0), 1.0), 4),
            reasons=list(hit.reasons),
            urgency=urgency_for(event.event_type, hit.notice.caution, hit.band),
            country=event.country,
            requesting_country=hit.notice.requesting_country,
            raised_at=raised_at,
            event=event,
            notice=hit.notice,
            post_name=post_name(directory, event),
        ))
    return Outcome(event=event, alerts=alerts, cleared=cleared,
                   response=respond(event, alerts, directory, raised_at, cleared))


def post_name(directory: BureauDirectory | None, event: AnyEvent) -> str | None:
    """The directory's name for the event's post (the bureau of the event's country), if it has one."""
    post = getattr(event, "post", None)
    for bureau in directory.bureaus if directory and post else ():
        if bureau.country == event.country and post in bureau.posts:
            return bureau.posts[post]
    return None


def _call(directory: BureauDirectory | None, country: str) -> CallBureau | None:
    for bureau in directory.bureaus if directory else ():
        if bureau.country == country:
            return CallBureau(id=bureau.id, name=bureau.name, phone=bureau.hotline)
    return None


def respond(event: AnyEvent, alerts: list[Alert], directory: BureauDirectory | None,
            at: datetime, cleared: Sequence[AppliedClearance] = ()) -> Response | None:
    """The answer to the agency that published ``event``: every border crossing and visa
    application gets one, hit or not; a tip only if it asked (``respond: true``).

    It names the action, the alert reference, the notice type, the caution flag and the national
    bureau to call (the one of the country where the event happened), never the notice's names,
    dates or documents. A hit suppressed by a clearance is listed in ``cleared`` (who cleared it,
    when); when nothing else hit, the result is ``cleared``.
    """
    if isinstance(event, Tip) and not event.respond:
        return None
    if not alerts:  # most events: nothing to list, no bureau to name
        return Response(event_id=event.event_id, event_type=event.event_type, agency=event.agency,
                        result="cleared" if cleared else "no_hit", cleared=list(cleared), responded_at=at)
    call = _call(directory, event.country)
    hits = [_hit(a, call) for a in sorted(alerts, key=lambda a: (a.band != "alert", -a.score))]
    result = "hit" if any(h.band == "alert" for h in hits) else "review"
    return Response(event_id=event.event_id, event_type=event.event_type, agency=event.agency, result=result,
                    hits=hits, cleared=list(cleared), responded_at=at)


def _hit(a: Alert, call: CallBureau | None) -> ResponseHit:
    notice = a.notice
    assert notice is not None  # name screening's alerts are about notices (document hits: streams/documents.py)
    return ResponseHit(alert_id=a.alert_id, band=a.band, notice_type=notice.notice_type, caution=notice.caution,
                       action=ACTIONS["review"] if a.band == "review" else ACTIONS[notice.notice_type], call=call)
