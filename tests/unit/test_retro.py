"""Retro-screening without Kafka: which notice records re-screen, and the alerts they raise."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schemas import Alert, WantedPerson, alert_id_for
from streams.retro import Rescreen, classify, fingerprint, retro_alerts, urgency_by_age
from streams.retro_agent import RetroScreener, WantedRecord
from tests import factories as f
from tests.unit.alert_factory import NOTICE, TRAVELER, matcher_with

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
WINDOW = timedelta(days=30)
GRACE = timedelta(seconds=5)


def _raw(record: dict[str, Any] | None) -> bytes | None:
    return None if record is None else json.dumps(record).encode()


def _crossing(hours_ago: float, now: datetime = NOW, **kw: Any) -> dict[str, Any]:
    event = f.border_crossing(TRAVELER, country="KE", **kw)
    event["occurred_at"] = (now - timedelta(hours=hours_ago)).isoformat().replace("+00:00", "Z")
    return event


def _retro(
    event: dict[str, Any],
    notice: dict[str, Any] = NOTICE,
    trigger: Any = "new_notice",
    *,
    appended: timedelta = timedelta(hours=-1),
    issued_at: datetime = NOW,
) -> list[Alert]:
    """Retro-screen ``event``, appended to its topic ``appended`` after the notice record."""
    return retro_alerts(
        _raw(event),
        topic="events.border-crossings",
        partition=0,
        offset=7,
        appended_at=issued_at + appended,
        expected_type=event["event_type"],
        screener=matcher_with(notice),
        notices={notice["notice_id"]: Rescreen(trigger, issued_at)},
        now=NOW,
        window=WINDOW,
        grace=GRACE,
    )


# --- fingerprint and classify ---------------------------------------------------------------------


def test_fingerprint_ignores_routing_fields_and_order() -> None:
    a = WantedPerson.model_validate(NOTICE)
    routed = WantedPerson.model_validate(
        {
            **NOTICE,
            "offences": ["fraud"],
            "caution": "armed",
            "source": "x",
            "requesting_country": "KE",
            "notice_type": "national",
        }
    )
    reordered = WantedPerson.model_validate(
        {
            **NOTICE,
            "names": list(reversed([*NOTICE["names"], {"given": "Athanase", "family": "Mbarushimanzi"}])),
            "nationalities": ["KE", "RW"],
        }
    )
    with_alias = WantedPerson.model_validate(
        {
            **NOTICE,
            "names": [*NOTICE["names"], {"given": "Athanase", "family": "Mbarushimanzi"}],
            "nationalities": ["RW", "KE"],
        }
    )
    assert fingerprint(a) == fingerprint(routed)
    assert fingerprint(reordered) == fingerprint(with_alias)
    assert fingerprint(a) != fingerprint(with_alias)


def test_classify_new_changed_unchanged_withdrawn_invalid() -> None:
    key = NOTICE["notice_id"].encode()
    fp = fingerprint(WantedPerson.model_validate(NOTICE))
    new = classify(key, _raw(NOTICE), None)
    assert (new.action, new.trigger, new.fingerprint) == ("rescreen", "new_notice", fp)
    assert classify(key, _raw(NOTICE), fp).action == "unchanged"
    changed = classify(key, _raw({**NOTICE, "birth_dates": ["1951"]}), fp)
    assert (changed.action, changed.trigger) == ("rescreen", "changed_notice")
    assert classify(key, None, fp).action == "forget"
    assert classify(key, _raw({**NOTICE, "status": "withdrawn"}), fp).action == "forget"
    assert classify(key, b"{not json", fp).action == "invalid"
    assert classify(b"other-key", _raw(NOTICE), None).action == "invalid"


# --- urgency and alerts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "urgency", "expected"),
    [
        (0, "critical", "critical"),
        (23.9, "critical", "critical"),
        (24, "critical", "high"),
        (24 * 6.9, "high", "normal"),
        (24 * 7, "critical", "normal"),
        (24 * 29, "high", "normal"),
    ],
)
def test_urgency_follows_the_age_of_the_sighting(hours: float, urgency: Any, expected: str) -> None:
    assert urgency_by_age(urgency, timedelta(hours=hours)) == expected


def test_retro_hit_has_live_alert_id_and_seen_before_context() -> None:
    event = _crossing(50, post="NBO-JKIA-T2")
    [alert] = _retro(event)
    assert alert.alert_id == alert_id_for(event["event_id"], NOTICE["notice_id"])
    assert alert.seen_before is not None
    assert alert.seen_before.place == "NBO-JKIA-T2" and alert.seen_before.country == "KE"
    assert alert.seen_before.age_hours == 50.0 and alert.seen_before.trigger == "new_notice"
    assert alert.urgency == "high"  # a border crossing two days old: one step down from critical
    assert alert.reasons[0].startswith("seen before the notice was issued: 2 days ago")
    assert "NBO-JKIA-T2, KE" in alert.reasons[0] and "ATHANASIUS" not in alert.reasons[0]
    assert Alert.model_validate_json(alert.model_dump_json()) == alert  # still a valid wire record


def test_recent_sighting_keeps_live_urgency_and_changed_notice_says_so() -> None:
    [alert] = _retro(_crossing(2), trigger="changed_notice")
    assert alert.urgency == "critical"
    assert alert.seen_before is not None and alert.seen_before.trigger == "changed_notice"
    assert alert.reasons[0].startswith("seen before the notice was changed: 2 h ago")


def test_event_older_than_the_window_by_occurred_at_raises_nothing() -> None:
    assert _retro(_crossing(24 * 30 + 1)) == []
    assert len(_retro(_crossing(24 * 29))) == 1


def test_event_appended_after_the_notice_and_grace_was_screened_live() -> None:
    """Retro-screening skips what live screening saw with the notice loaded (no duplicate alerts)."""
    assert _retro(_crossing(30), appended=GRACE) == []
    assert _retro(_crossing(30), appended=timedelta(hours=2)) == []


def test_event_in_the_grace_after_the_notice_alerts_as_live_screening_would() -> None:
    """An event that happened after the notice, appended within the grace: a worker that had not
    loaded the notice yet may have missed it, so it alerts, but it is not "seen before"."""
    event = _crossing(-0.0005)  # occurred two seconds after the notice was issued
    [alert] = _retro(event, appended=timedelta(seconds=3))
    assert alert.seen_before is None and alert.urgency == "critical"
    assert not alert.reasons[0].startswith("seen before")


def test_an_old_crossing_uploaded_after_the_notice_alerts_as_live_screening_did() -> None:
    """A post that uploads a day's crossings late, just after the notice was imported: live
    screening alerted the crossing (critical, to the officers on duty), so the grace scan raises
    that same alert, not a "seen before" one, one step down, that would reach other recipients."""
    event = _crossing(30)  # happened 30 hours before the notice was issued ...
    [alert] = _retro(event, appended=timedelta(seconds=3))  # ... appended 3 s after its record
    assert alert.seen_before is None and alert.urgency == "critical"
    assert alert.alert_id == alert_id_for(event["event_id"], NOTICE["notice_id"])
    assert not alert.reasons[0].startswith("seen before")


def test_only_the_retro_screened_notices_alert() -> None:
    other = f.notice(
        "Quillfeather", "Barnabus", notice_id="2026/00003", dob="1960-01-01", passport="GB7000003"
    )
    event = _crossing(3)
    alerts = retro_alerts(
        _raw(event),
        topic="t",
        partition=0,
        offset=0,
        appended_at=NOW - timedelta(hours=1),
        expected_type="border_crossing",
        screener=matcher_with(NOTICE, other),
        notices={"2026/00003": Rescreen("new_notice", NOW)},
        now=NOW,
        window=WINDOW,
        grace=GRACE,
    )
    assert alerts == []


def test_invalid_event_raises_nothing() -> None:
    assert (
        retro_alerts(
            b"{broken",
            topic="t",
            partition=0,
            offset=0,
            appended_at=NOW - timedelta(hours=1),
            expected_type="border_crossing",
            screener=matcher_with(NOTICE),
            notices={NOTICE["notice_id"]: Rescreen("new_notice", NOW)},
            now=NOW,
            window=WINDOW,
            grace=GRACE,
        )
        == []
    )


# --- the agent's body, with fakes for Kafka -------------------------------------------------------


@dataclass
class _Rec:
    topic: str
    partition: int
    offset: int
    value: bytes
    timestamp: int
    """ms, like aiokafka's"""


class FakeEventLog:
    """The event topics as lists; ``since`` ignores the time (the window is tested above)."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.event_types = {"events.border-crossings": "border_crossing"}
        appended = int((time.time() - 3600) * 1000)  # an hour before the notice records of these tests
        self.records = [
            _Rec("events.border-crossings", 0, i, _raw(e) or b"", appended) for i, e in enumerate(events)
        ]
        self.reads = 0

    async def since(self, since_ms: int) -> tuple[dict[Any, int], dict[Any, int]]:
        return {"p0": 0}, {"p0": len(self.records)}

    async def ends(self) -> dict[Any, int]:
        return {"p0": len(self.records)}

    async def read(self, starts: dict[Any, int], ends: dict[Any, int]) -> Any:
        self.reads += 1
        for rec in self.records[starts.get("p0", 0) : ends.get("p0", 0)]:
            yield rec


def _screener(
    events: list[dict[str, Any]], fingerprints: dict[bytes, bytes]
) -> tuple[RetroScreener, list[Alert]]:
    sent: list[Alert] = []
    matcher = matcher_with(NOTICE)

    async def send(alert: Alert) -> asyncio.Future[Any]:
        sent.append(alert)
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        fut.set_result(None)
        return fut

    async def applied(last: dict[int, int]) -> None:
        return None

    return RetroScreener(
        screener=matcher,
        fingerprints=fingerprints,
        events=FakeEventLog(events),  # type: ignore[arg-type]
        send=send,
        window=WINDOW,
        grace=0.0,
        applied=applied,
    ), sent


def _wanted(
    record: dict[str, Any] | None, notice_id: str = NOTICE["notice_id"], offset: int = 0
) -> WantedRecord:
    return WantedRecord(notice_id.encode(), _raw(record), 0, offset, time.time())


def test_new_notice_alerts_once_and_identical_reimport_does_not_rescreen() -> None:
    fingerprints: dict[bytes, bytes] = {}
    event = _crossing(5, datetime.now(UTC))
    screener, sent = _screener([event], fingerprints)
    assert asyncio.run(screener.handle([_wanted(NOTICE)])) == 1
    assert [a.event_id for a in sent] == [event["event_id"]]
    assert fingerprints[NOTICE["notice_id"].encode()]
    reads = screener.events.reads  # type: ignore[attr-defined]
    assert asyncio.run(screener.handle([_wanted({**NOTICE, "source": "another-list"}, offset=1)])) == 0
    assert len(sent) == 1 and screener.events.reads == reads  # type: ignore[attr-defined]


def test_withdrawn_then_reissued_notice_screens_again() -> None:
    fingerprints: dict[bytes, bytes] = {}
    screener, sent = _screener([_crossing(5, datetime.now(UTC))], fingerprints)
    asyncio.run(screener.handle([_wanted(NOTICE)]))
    asyncio.run(screener.handle([_wanted(None, offset=1)]))
    assert NOTICE["notice_id"].encode() not in fingerprints
    asyncio.run(screener.handle([_wanted(NOTICE, offset=2)]))
    assert len(sent) == 2 and sent[1].seen_before and sent[1].seen_before.trigger == "new_notice"


def test_notice_added_and_withdrawn_in_one_batch_does_not_scan() -> None:
    fingerprints: dict[bytes, bytes] = {}
    screener, sent = _screener([_crossing(5, datetime.now(UTC))], fingerprints)
    assert asyncio.run(screener.handle([_wanted(NOTICE), _wanted(None, offset=1)])) == 0
    assert sent == [] and screener.events.reads == 0 and fingerprints == {}  # type: ignore[attr-defined]


def test_changed_notice_rescreens_with_changed_trigger() -> None:
    fingerprints: dict[bytes, bytes] = {}
    screener, sent = _screener([_crossing(5, datetime.now(UTC))], fingerprints)
    asyncio.run(screener.handle([_wanted(NOTICE)]))
    changed = {**NOTICE, "names": [*NOTICE["names"], {"given": "Athanase", "family": "Mbarushimanzi"}]}
    screener.screener = matcher_with(changed)  # the worker's matcher has applied the change
    asyncio.run(screener.handle([_wanted(changed, offset=1)]))
    assert [a.seen_before.trigger for a in sent if a.seen_before] == ["new_notice", "changed_notice"]
    assert sent[0].alert_id == sent[1].alert_id  # the dispatcher's idempotency sends it once
