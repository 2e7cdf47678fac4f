"""Per-agency ingest, the pure rules (streams/ingest.py): the topic names the agency; the event must agree."""

from __future__ import annotations

import base64
import json

import pytest

from schemas import topics
from streams.ingest import check_ingest, parse_ingest_topic
from tests import factories as f

KE_TOPIC = "p.ingest.ke-immigration.border-crossings"


def _crossing(**changes: object) -> bytes:
    event = f.border_crossing(f.traveler("OKAFOR", "GRACE", dob="1990-02-02", passport="NG1234567"),
                              event_id="bc-1") | changes
    return json.dumps(event).encode()


@pytest.mark.parametrize(("topic", "expected"), [
    ("p.ingest.ke-immigration.border-crossings", ("ke-immigration", "border_crossing")),
    ("p.ingest.fr-visas.visa-applications", ("fr-visas", "visa_application")),
    ("p.ingest.cd-police.tips", ("cd-police", "tip")),
    ("p.ingest.ke-immigration.alerts", None),
    ("p.events.border-crossings", None),
    ("ingest.ke-immigration.border-crossings", None),  # another prefix
    ("p.ingest..tips", None),
])
def test_the_topic_name_gives_the_agency_and_the_event_type(topic: str, expected: object) -> None:
    assert parse_ingest_topic(topic, "p.") == expected


def test_ingest_topic_names_round_trip() -> None:
    for event_type in topics.EVENT_TOPICS:
        assert parse_ingest_topic(topics.ingest_topic("x-y", event_type)) == ("x-y", event_type)


def test_a_valid_event_of_the_topics_agency_is_forwarded_unchanged_keyed_by_event_id() -> None:
    raw = _crossing()
    outcome = check_ingest(raw, topic=KE_TOPIC, partition=0, offset=7, prefix="p.")
    assert outcome.rejected is None and outcome.forward is not None
    assert outcome.forward.topic == topics.BORDER_CROSSINGS
    assert outcome.forward.key == b"bc-1" and outcome.forward.value == raw
    assert outcome.forward.agency == "ke-immigration"


def test_an_event_claiming_another_agency_is_rejected_with_the_reason() -> None:
    raw = _crossing(agency="fr-visas")
    outcome = check_ingest(raw, topic=KE_TOPIC, partition=0, offset=7, prefix="p.")
    assert outcome.forward is None and outcome.rejected is not None
    r = outcome.rejected
    assert (r.topic, r.partition, r.offset) == (KE_TOPIC, 0, 7)
    assert "claims agency 'fr-visas'" in r.error and "'ke-immigration'" in r.error
    assert base64.b64decode(r.raw) == raw


@pytest.mark.parametrize(("raw", "reason"), [
    (b"", "empty record"),
    (b"not json", "invalid event"),
    (b'{"event_type": "border_crossing"}', "invalid event"),
    (json.dumps(f.tip("Someone", event_id="tip-1") | {"agency": "ke-immigration"}).encode(), "does not belong"),
])
def test_bad_input_is_rejected_never_raised(raw: bytes, reason: str) -> None:
    outcome = check_ingest(raw, topic=KE_TOPIC, partition=0, offset=1, prefix="p.")
    assert outcome.forward is None and outcome.rejected is not None and reason in outcome.rejected.error


def test_a_reason_never_holds_a_value_of_the_event() -> None:
    """Field paths and agencies only: no name, birth date or document number in the error."""
    bad = json.loads(_crossing(agency="fr-visas"))
    bad["traveler"]["birth_date"] = "not-a-date-OKAFOR"
    for raw in (json.dumps(bad).encode(), _crossing(agency="fr-visas")):
        error = check_ingest(raw, topic=KE_TOPIC, partition=0, offset=1, prefix="p.").rejected.error  # type: ignore[union-attr]
        for value in ("OKAFOR", "GRACE", "1990-02-02", "NG1234567"):
            assert value not in error


def test_a_refused_ingest_record_is_answered_to_its_agency_with_the_reason() -> None:
    """Agencies cannot read events.rejected: the refusal reaches them on responses.<agency>."""
    from schemas import Rejected
    from streams.ingest import rejection_response

    bad = Rejected.of(b"", topic="ingest.ke-immigration.border-crossings", partition=0, offset=7,
                      error="invalid event: traveler: Field required")
    answer = rejection_response(b'{"event_id": "bc-123", "event_type": "border_crossing"}', bad)
    assert answer is not None and answer.agency == "ke-immigration" and answer.event_id == "bc-123"
    assert answer.result == "rejected" and answer.error == bad.error and answer.event_type == "border_crossing"
    unreadable = rejection_response(b"\xff{", bad)
    assert unreadable is not None and unreadable.event_id == "ingest.ke-immigration.border-crossings:0:7"
    canonical = Rejected.of(b"", topic="events.border-crossings", partition=0, offset=1, error="x")
    assert rejection_response(b"{}", canonical) is None, "only an authenticated (ingest) agency is answered"


def test_an_oversize_ingest_record_is_refused_before_decoding_and_its_dead_letter_is_bounded() -> None:
    import base64
    import hashlib

    from schemas import rejected_max_bytes
    from streams.ingest import rejection_response

    raw = b'{"event_id": "bc-big", "text": "' + b"x" * (300 * 1024) + b'"}'
    outcome = check_ingest(raw, topic=KE_TOPIC, partition=0, offset=9, prefix="p.", max_bytes=256 * 1024)
    r = outcome.rejected
    assert outcome.forward is None and r is not None
    assert f"record of {len(raw)} bytes is larger than the limit of {256 * 1024} bytes" in r.error
    assert r.length == len(raw) and r.sha256 == hashlib.sha256(raw).hexdigest()
    assert base64.b64decode(r.raw) == raw[:4096]
    assert len(r.model_dump_json().encode()) <= rejected_max_bytes()
    answer = rejection_response(raw, r, "p.", max_bytes=256 * 1024)
    assert answer is not None and answer.agency == "ke-immigration" and answer.result == "rejected"
    assert answer.event_id == f"{KE_TOPIC}:0:9", "an oversize record is not read, not even for its event id"
    within = check_ingest(_crossing(), topic=KE_TOPIC, partition=0, offset=10, prefix="p.", max_bytes=256 * 1024)
    assert within.forward is not None, "the limit refuses only what is over it"


def test_a_dead_letter_never_exceeds_its_bound_whatever_the_error() -> None:
    from schemas import Rejected, rejected_max_bytes

    letter = Rejected.of(b"\x00" * (10 * 1024 * 1024), topic="t" * 300, partition=2**31, offset=2**62,
                         error="\u202e\"\\" * 5000)
    assert len(letter.model_dump_json().encode()) <= rejected_max_bytes()
    assert letter.length == 10 * 1024 * 1024 and len(letter.error) <= 1000


def test_a_rejection_answer_never_takes_a_malformed_event_id_from_the_record() -> None:
    """Found by `make fuzz`: json.loads lets a lone surrogate through, and the answer must still be built."""
    from schemas import Rejected
    from streams.ingest import rejection_response

    for raw in (b'{"event_id": "va-0\xed\xa0\x80174"}', b'{"event_id": "\\ud800va-000276"}',
                b'{"event_id": "bc 1\\r\\nX"}', b'{"event_id": "' + b"a" * 129 + b'"}'):
        bad = Rejected.of(raw, topic=KE_TOPIC, partition=0, offset=5, error="invalid event")
        answer = rejection_response(raw, bad, "p.")
        assert answer is not None and answer.event_id == f"{KE_TOPIC}:0:5", raw
