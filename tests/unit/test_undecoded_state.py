"""State that grows with traffic kept as bytes (``infra.Undecoded``): the dispatcher's delivery
outcomes, review items and sightings.

Decoded, each is objects the garbage collector tracks (every model and its fields-set), and a full
collection walks every one of them: with the state of a few thousand alerts, pauses of 100-250 ms in
which the dispatcher sent nothing. Bytes are not tracked, so the walk no longer grows with the state.
"""

from __future__ import annotations

import gc
from datetime import UTC, datetime

import pytest

from consumers.delivery_log import DeliveryLog
from infra import CompactedView, Undecoded
from schemas import Delivery, Sighting


def _delivery(key: str, alert_id: str, status: str = "sent") -> Delivery:
    return Delivery.model_validate({"key": key, "alert_id": alert_id, "bureau_id": "ncb-ke", "recipient": "ke-duty",
                                    "channel": "sms", "status": status, "provider_id": "SM0001",
                                    "at": datetime(2026, 12, 6, 3, 0, tzinfo=UTC)})


def _sighting(n: int) -> Sighting:
    return Sighting.model_validate({"alert_id": f"A-{n}", "notice_id": f"N-{n}", "country": "KE", "place": "NBO",
                                    "first_seen": datetime(2026, 12, 6, tzinfo=UTC),
                                    "last_seen": datetime(2026, 12, 6, tzinfo=UTC)})


def _tracked() -> int:
    gc.collect()
    return len(gc.get_objects())


def test_undecoded_is_a_mapping_that_decodes_on_read() -> None:
    values: Undecoded[Delivery] = Undecoded(Delivery.model_validate_json, lambda d: d.model_dump_json().encode())
    d = _delivery("A-1/ke-duty/sms", "A-1")
    values["A-1/ke-duty/sms"] = d
    assert "A-1/ke-duty/sms" in values and "A-2/ke-duty/sms" not in values
    assert values["A-1/ke-duty/sms"] == d and values["A-1/ke-duty/sms"] is not d  # an equal copy
    assert values.get("A-2/ke-duty/sms") is None
    assert list(values) == ["A-1/ke-duty/sms"] and len(values) == 1
    assert values.get_raw("A-1/ke-duty/sms") == d.model_dump_json().encode()
    del values["A-1/ke-duty/sms"]
    assert len(values) == 0


def test_a_thousand_kept_outcomes_are_not_a_thousand_models_for_the_collector() -> None:
    log = DeliveryLog("deliveries", {})
    outcomes = [_delivery(f"A-{n}/ke-duty/sms", f"A-{n}") for n in range(1000)]
    raws = [d.model_dump_json().encode() for d in outcomes]
    before = _tracked()
    for d, raw in zip(outcomes, raws, strict=True):
        log.record(d, raw)
    del outcomes, d
    grown = _tracked() - before
    # as models, 1,000 outcomes were 2,000 tracked objects (each model and its fields-set; measured)
    assert grown < 100, grown
    assert len(log) == 1000


def test_the_delivery_log_finds_an_alerts_outcomes_and_keeps_the_latest() -> None:
    log = DeliveryLog("deliveries", {})
    log.record(_delivery("A-1/ke-duty/sms", "A-1"))
    log.record(_delivery("A-1/ke-duty/email", "A-1"))
    log.record(_delivery("A-2/ke-duty/sms", "A-2"))
    log.record(_delivery("A-1/ke-duty/sms", "A-1", status="delivered"))  # a status callback's update
    assert "A-1/ke-duty/sms" in log and "A-3/ke-duty/sms" not in log
    assert [(d.key, d.status) for d in log.for_alert("A-1")] == [("A-1/ke-duty/sms", "delivered"),
                                                                  ("A-1/ke-duty/email", "sent")]
    assert log.for_alert("A-3") == []
    assert log.get("A-1/ke-duty/sms") == _delivery("A-1/ke-duty/sms", "A-1", status="delivered")
    assert sorted(d.key for d in log.all()) == ["A-1/ke-duty/email", "A-1/ke-duty/sms", "A-2/ke-duty/sms"]


def test_a_view_that_keeps_bytes_refuses_bad_records_and_hands_decoded_values_on() -> None:
    changes: list[tuple[str, Sighting | None]] = []
    view: CompactedView[Sighting] = CompactedView("alerts.sightings", {}, Sighting.model_validate_json,
                                                  on_change=lambda k, v: changes.append((k, v)),
                                                  encode=lambda s: s.model_dump_json().encode())
    view.ready.set()
    s = _sighting(1)
    assert view._apply(b"N-1|ke", s.model_dump_json().encode()) is None
    assert view._apply(b"N-2|ke", b'{"not": "a sighting"}') is not None  # refused, as before
    assert view.values["N-1|ke"] == s and "N-2|ke" not in view.values
    assert changes == [("N-1|ke", s)]
    view.values["N-3|ke"] = _sighting(3)  # a write-through (the handler's own new sighting)
    assert view.values["N-3|ke"] == _sighting(3)
    assert view._apply(b"N-1|ke", None) is None  # a tombstone drops the key
    assert "N-1|ke" not in view.values


def test_a_view_that_keeps_bytes_has_no_tombstone_value() -> None:
    with pytest.raises(ValueError, match="tombstone"):
        CompactedView("wanted.notices", {}, bool, tombstone=False, encode=lambda v: b"")
