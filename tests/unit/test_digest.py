"""Grouped review notifications: a burst is one digest, at most one digest per bureau per interval, nothing lost."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from alerting.digest import Decided, DigestConfig, DigestState, Queued, SendDigest, Tick, step

T0 = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
CONFIG = DigestConfig(group_wait=timedelta(seconds=30), group_interval=timedelta(minutes=15))


def _run(events: list[tuple[float, object]]) -> list[tuple[float, SendDigest]]:
    state, sent = DigestState(), []
    for seconds, event in events:
        state, actions = step(state, event, T0 + timedelta(seconds=seconds), CONFIG)  # type: ignore[arg-type]
        sent += [(seconds, a) for a in actions]
    return sent


def test_a_burst_waits_group_wait_and_goes_out_as_one_digest() -> None:
    sent = _run([(0, Queued("ncb-fr", "A-1")), (5, Queued("ncb-fr", "A-2")), (29, Tick()), (30, Tick()),
                 (31, Queued("ncb-fr", "A-3"))])
    assert sent == [(30, SendDigest("ncb-fr", ("A-1", "A-2")))]


def test_the_next_digest_waits_for_the_group_interval() -> None:
    sent = _run([(0, Queued("ncb-fr", "A-1")), (30, Tick()), (40, Queued("ncb-fr", "A-2")),
                 (70, Tick()), (929, Tick()), (930, Tick())])
    assert sent == [(30, SendDigest("ncb-fr", ("A-1",))), (930, SendDigest("ncb-fr", ("A-2",)))]


def test_after_a_quiet_spell_the_first_item_waits_only_group_wait() -> None:
    sent = _run([(0, Queued("ncb-fr", "A-1")), (30, Tick()), (3600, Queued("ncb-fr", "A-2")), (3630, Tick())])
    assert sent[-1] == (3630, SendDigest("ncb-fr", ("A-2",)))


def test_bureaus_are_grouped_separately() -> None:
    sent = _run([(0, Queued("ncb-fr", "A-1")), (10, Queued("ncb-ke", "A-1")), (30, Tick()), (40, Tick())])
    assert sent == [(30, SendDigest("ncb-fr", ("A-1",))), (40, SendDigest("ncb-ke", ("A-1",)))]


def test_an_item_decided_before_the_digest_is_left_out() -> None:
    sent = _run([(0, Queued("ncb-fr", "A-1")), (1, Queued("ncb-fr", "A-2")), (2, Decided("A-1")), (30, Tick())])
    assert sent == [(30, SendDigest("ncb-fr", ("A-2",)))]


def test_a_bureau_whose_items_were_all_decided_gets_nothing() -> None:
    assert _run([(0, Queued("ncb-fr", "A-1")), (2, Decided("A-1")), (30, Tick()), (3000, Tick())]) == []


def test_a_replayed_item_is_listed_once() -> None:
    sent = _run([(0, Queued("ncb-fr", "A-1")), (1, Queued("ncb-fr", "A-1")), (30, Tick())])
    assert sent == [(30, SendDigest("ncb-fr", ("A-1",)))]


_bureaus = st.sampled_from(["ncb-fr", "ncb-ke", "ncb-rw"])
_items = st.sampled_from([f"A-{i}" for i in range(12)])
_events = st.lists(st.tuples(st.floats(min_value=0, max_value=600, allow_nan=False),
                             st.one_of(st.builds(Queued, _bureaus, _items), st.builds(Decided, _items),
                                       st.just(Tick()))), max_size=60)


@given(_events)
def test_properties_of_any_run(raw: list[tuple[float, object]]) -> None:
    """One digest per bureau per interval at most; each item queued and never decided reaches its bureau
    exactly once (after enough time); a digest never lists an item decided since it was last queued."""
    events = [*sorted(raw, key=lambda e: e[0])]
    events.append(((events[-1][0] if events else 0.0) + 3600, Tick()))
    state, sent = DigestState(), []
    live: set[str] = set()  # queued and not decided since
    for seconds, event in events:
        if isinstance(event, Queued):
            live.add(event.item_id)
        elif isinstance(event, Decided):
            live.discard(event.item_id)
        state, actions = step(state, event, T0 + timedelta(seconds=seconds), CONFIG)  # type: ignore[arg-type]
        for digest in actions:
            assert set(digest.item_ids) <= live
            sent.append((seconds, digest))
    by_bureau: dict[str, list[float]] = {}
    for at, digest in sent:
        by_bureau.setdefault(digest.bureau_id, []).append(at)
    for times in by_bureau.values():
        assert all(b - a >= CONFIG.group_interval.total_seconds() for a, b in itertools.pairwise(times))
    decided = {e.item_id for _, e in events if isinstance(e, Decided)}
    never_decided = {(e.bureau_id, e.item_id) for _, e in events if isinstance(e, Queued) and e.item_id not in decided}
    listed = [(d.bureau_id, i) for _, d in sent for i in d.item_ids]
    assert never_decided <= set(listed)
    assert all(listed.count(pair) == 1 for pair in never_decided)
