"""The dispatcher's escalation store (``consumers.escalations.EscalationStore``), without Kafka: its
``due`` reads only the alerts with a step pending and gives what a scan of every record would give;
a settled record (every bureau acknowledged or cancelled) is held as its JSON and read back the same."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

from hypothesis import example, given, settings
from hypothesis import strategies as st

from alerting import escalation
from alerting.escalation import Ack, Start, State, StoodDown, Tick, Withdraw
from consumers.escalations import EscalationStore
from tests import factories as f

from .alert_factory import TRAVELER, make_alert
from .test_escalation import DIRECTORY, T0, TIMEOUTS

ALERTS = [make_alert(f.border_crossing(TRAVELER, country="KE", event_id=f"bc-{i}")) for i in range(6)]


def _started(i: int, minutes: int) -> State:
    state, _ = escalation.step(State(), Start(ALERTS[i], ("ncb-ke", "ncb-rw"), TIMEOUTS), T0 + timedelta(minutes=minutes))
    return state


def _acked(state: State, *bureaus: str) -> State:
    for bureau in bureaus:
        state, _ = escalation.step(state, Ack(bureau, "duty", T0), T0)
    return state


def _tombstone(alert_id: str) -> SimpleNamespace:
    return SimpleNamespace(key=alert_id.encode(), value=None, partition=0, offset=0)


def _scan(store: EscalationStore, now: object) -> set[str]:
    """What ``due`` gave before its index: every record looked at."""
    return {a.alert_id for a in ALERTS if escalation.due(store.state(a.alert_id), now)}  # type: ignore[arg-type]


def test_due_lists_the_pending_alerts_whose_step_has_come_longest_overdue_first() -> None:
    store = EscalationStore("alerts.escalations", {})
    early, late = _started(0, 0), _started(1, 3)
    store.put(ALERTS[1].alert_id, late)
    store.put(ALERTS[0].alert_id, early)
    assert store.due(T0 + timedelta(minutes=4)) == []
    assert store.due(T0 + timedelta(minutes=5)) == [ALERTS[0].alert_id]
    assert store.due(T0 + timedelta(minutes=9)) == [ALERTS[0].alert_id, ALERTS[1].alert_id]


def test_an_alert_acked_everywhere_is_held_settled_as_its_json_and_read_back_the_same() -> None:
    store = EscalationStore("alerts.escalations", {})
    alert_id = ALERTS[0].alert_id
    store.put(alert_id, _started(0, 0))
    acked = _acked(store.state(alert_id), "ncb-ke", "ncb-rw")
    store.put(alert_id, acked)
    assert store.due(T0 + timedelta(hours=1)) == []
    assert alert_id not in store.states and len(store) == 1
    assert store.get(alert_id) == acked.record
    assert store.state(alert_id) == State(record=acked.record)
    assert store.for_notice(ALERTS[0].notice_id) == [alert_id]


def test_a_settled_record_can_still_change_and_a_replayed_start_keeps_it() -> None:
    store = EscalationStore("alerts.escalations", {})
    alert_id = ALERTS[0].alert_id
    state = _acked(_started(0, 0), "ncb-ke")
    state, _ = escalation.step(state, Withdraw(DIRECTORY, ()), T0)  # the notice withdrawn: ncb-rw cancelled
    state, _ = escalation.step(state, StoodDown(), T0)
    store.put(alert_id, state)
    assert alert_id not in store.states and store.get(alert_id) == state.record
    again, actions = escalation.step(store.state(alert_id), Start(ALERTS[0], ("ncb-ke",), TIMEOUTS), T0)
    assert actions == [] and again.record == state.record
    acked, actions = escalation.step(store.state(alert_id), Ack("ncb-rw", "rw-duty", T0), T0)  # an ack after it
    assert actions and acked.record is not None and acked.record.bureaus["ncb-rw"].state == "acked"
    store.put(alert_id, acked)
    assert store.get(alert_id) == acked.record


def test_expired_lists_the_records_no_step_can_follow_last_changed_before_the_limit() -> None:
    store = EscalationStore("alerts.escalations", {})
    settled, exhausted, pending = (a.alert_id for a in ALERTS[:3])
    store.put(settled, _acked(_started(0, 0), "ncb-ke", "ncb-rw"))
    state, _ = escalation.step(_acked(_started(1, 0), "ncb-ke"), Tick(DIRECTORY, TIMEOUTS), T0 + timedelta(minutes=5))
    assert state.record is not None and state.record.bureaus["ncb-rw"].state == "exhausted"  # no step left
    store.put(exhausted, state)
    store.put(pending, _started(2, 0))
    assert store.expired(T0) == []
    assert store.expired(T0 + timedelta(days=1)) == [settled, exhausted]  # oldest change first
    assert store.expired(T0 + timedelta(days=1), limit=1) == [settled]
    assert not store.is_expired(pending, T0 + timedelta(days=1))


def test_a_tombstone_drops_the_record_and_its_indexes() -> None:
    store = EscalationStore("alerts.escalations", {})
    alert_id = ALERTS[0].alert_id
    store.put(alert_id, _started(0, 0))
    store._apply(_tombstone(alert_id))
    assert store.get(alert_id) is None
    assert store.due(T0 + timedelta(hours=1)) == []
    assert store.for_notice(ALERTS[0].notice_id) == []
    assert store.notices() == []


_change = st.tuples(st.integers(0, 5), st.sampled_from(["start", "ack-ke", "ack-all", "sending", "standing", "drop"]),
                    st.integers(0, 20))


@settings(max_examples=150, deadline=None)
@given(st.lists(_change, max_size=30), st.integers(0, 40))
@example([(0, "start", 20), (0, "start", 0)], 10)  # the same alert's record again, due sooner
def test_due_gives_what_a_scan_of_every_record_gives(changes: list[tuple[int, str, int]], minutes: int) -> None:
    store = EscalationStore("alerts.escalations", {})
    for i, change, at in changes:
        alert_id = ALERTS[i].alert_id
        held = store.state(alert_id)
        if change == "start" or held.record is None:
            store.put(alert_id, _started(i, at))
        elif change == "ack-ke":
            store.put(alert_id, _acked(held, "ncb-ke"))
        elif change == "ack-all":
            store.put(alert_id, _acked(held, "ncb-ke", "ncb-rw"))
        elif change == "sending":
            store.put(alert_id, replace(held, sending=frozenset({"ncb-ke"})))
        elif change == "standing":
            store.put(alert_id, replace(held, standing_down=True))
        else:
            store._apply(_tombstone(alert_id))
    now = T0 + timedelta(minutes=minutes)
    due = store.due(now)
    assert len(due) == len(set(due))
    assert set(due) == _scan(store, now)
    kept = sorted(a.alert_id for a in ALERTS if store.get(a.alert_id) is not None)
    assert len(store) == len(kept)
    assert store.for_notice(ALERTS[0].notice_id) == kept
