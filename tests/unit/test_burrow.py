"""Burrow's evaluation rules (consumers.burrow), one test per rule and per edge, no Kafka."""

from __future__ import annotations

import struct

import pytest

from consumers.burrow import FAILING, Commit, Status, Window, evaluate_partition, group_status
from consumers.lag import parse_offset_commit


def window(*points: tuple[int, int, float]) -> list[Commit]:
    """Commits from (offset, lag, timestamp) triples."""
    return [Commit(offset=o, lag=lag, timestamp=t) for o, lag, t in points]


STEADY = window((10, 5, 0), (20, 4, 10), (30, 6, 20), (40, 3, 30))


def test_zero_current_lag_is_ok_whatever_the_window() -> None:
    """An idle topic with zero lag is OK, not WARN, even with no commits or a stalled-looking window."""
    assert evaluate_partition([], 0, now=1000) is Status.OK
    assert evaluate_partition(window((5, 3, 0), (5, 3, 10)), 0, now=1000) is Status.OK


def test_rule_1_lag_zero_at_any_commit_is_ok() -> None:
    assert evaluate_partition(window((10, 4, 0), (20, 0, 10), (20, 7, 20)), 7, now=21) is Status.OK


def test_rule_2_offset_going_down_is_rewind() -> None:
    assert evaluate_partition(window((10, 5, 0), (30, 5, 10), (20, 9, 20)), 9, now=21) is Status.REWIND


def test_rewind_outranks_stop() -> None:
    assert evaluate_partition(window((30, 5, 0), (20, 9, 10)), 9, now=1000) is Status.REWIND


def test_rule_3_no_commit_for_longer_than_the_window_spans_is_stop() -> None:
    # Window spans 30 s; the last commit is 31 s old.
    assert evaluate_partition(STEADY, 3, now=61) is Status.STOP
    assert evaluate_partition(STEADY, 3, now=60) is Status.OK


def test_single_commit_with_lag_is_stop_once_time_passes() -> None:
    assert evaluate_partition(window((10, 5, 100)), 5, now=101) is Status.STOP


def test_rule_0_lagging_with_no_commit_in_the_window_is_stop() -> None:
    """A consumer that died after a zero-lag commit turns STOP once that commit leaves the window."""
    assert evaluate_partition([], 12, now=1000) is Status.STOP


def test_rule_4_same_offset_at_every_commit_is_stall() -> None:
    assert evaluate_partition(window((10, 5, 0), (10, 6, 10), (10, 8, 20)), 8, now=25) is Status.STALL


def test_rule_5_lag_never_decreasing_is_warn() -> None:
    assert evaluate_partition(window((10, 5, 0), (20, 5, 10), (30, 8, 20)), 8, now=25) is Status.WARN


def test_advancing_with_lag_going_down_somewhere_is_ok() -> None:
    assert evaluate_partition(STEADY, 3, now=31) is Status.OK


def test_records_lost_to_retention_is_err() -> None:
    assert evaluate_partition(STEADY, 3, now=31, records_lost=True) is Status.ERR
    assert evaluate_partition(STEADY, 0, now=31, records_lost=True) is Status.OK


def test_unknown_lag_at_a_commit_does_not_prove_lagging() -> None:
    assert evaluate_partition([Commit(offset=10, timestamp=0), Commit(offset=10, timestamp=10, lag=4)], 4,
                              now=11) is Status.OK


def test_group_status_is_the_worst_partition_status() -> None:
    assert group_status([]) is Status.OK
    assert group_status([Status.OK, Status.WARN]) is Status.WARN
    assert group_status([Status.STOP, Status.WARN, Status.ERR]) is Status.STOP
    assert group_status([Status.STALL, Status.REWIND]) is Status.REWIND
    assert {s for s in Status if s in FAILING} == {Status.ERR, Status.STOP, Status.STALL, Status.REWIND}


def test_window_keeps_the_newest_commits_within_the_age_limit() -> None:
    w = Window(max_commits=3, max_age=100.0, min_distance=1.0)
    for t in range(0, 50, 10):
        w.add(Commit(offset=t, timestamp=float(t)))
    assert [c.offset for c in w.commits(now=50)] == [20, 30, 40]
    assert [c.offset for c in w.commits(now=135)] == [40]
    assert w.commits(now=1000) == []


def test_window_commit_within_min_distance_replaces_the_newest() -> None:
    w = Window(max_commits=10, max_age=100.0, min_distance=1.0)
    w.add(Commit(offset=1, timestamp=0.0))
    w.add(Commit(offset=2, timestamp=0.5))
    w.add(Commit(offset=3, timestamp=2.0))
    assert [(c.offset, c.timestamp) for c in w.commits(now=3)] == [(2, 0.5), (3, 2.0)]


def _s(text: str) -> bytes:
    return struct.pack(">h", len(text)) + text.encode()


@pytest.mark.parametrize("version", [0, 1, 2, 3])
def test_offset_commit_records_decode(version: int) -> None:
    key = struct.pack(">h", 1) + _s("grp") + _s("events.tips") + struct.pack(">i", 2)
    value = struct.pack(">hq", version, 42)
    if version >= 3:
        value += struct.pack(">i", 7)
    value += _s("meta") + struct.pack(">q", 1_700_000_000_500)
    if version == 1:
        value += struct.pack(">q", -1)
    assert parse_offset_commit(key, value) == ("grp", "events.tips", 2, 42, 1_700_000_000.5)


def test_flexible_offset_commit_value_decodes() -> None:
    key = struct.pack(">h", 1) + _s("g") + _s("t") + struct.pack(">i", 0)
    value = struct.pack(">hqi", 4, 9, -1) + bytes([5]) + b"meta" + struct.pack(">q", 2000) + b"\x00"
    assert parse_offset_commit(key, value) == ("g", "t", 0, 9, 2.0)


def test_tombstone_and_group_metadata_records() -> None:
    key = struct.pack(">h", 1) + _s("g") + _s("t") + struct.pack(">i", 0)
    assert parse_offset_commit(key, None) == ("g", "t", 0, None, None)
    assert parse_offset_commit(struct.pack(">h", 2) + _s("g"), b"\x00\x03") is None
    assert parse_offset_commit(None, None) is None
