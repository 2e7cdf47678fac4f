"""The dispatcher never commits past an alert that is still being delivered."""

from consumers.offsets import OffsetTracker


def test_commit_stops_at_the_first_record_still_in_flight() -> None:
    t = OffsetTracker()
    for offset in (10, 11, 12, 13):
        t.begin("p0", offset)
    t.done("p0", 11)
    t.done("p0", 12)
    assert t.committable() == {}, "10 is still being handled"
    t.done("p0", 10)
    assert t.committable() == {"p0": 13}
    assert t.in_flight() == 1
    t.done("p0", 13)
    assert t.committable() == {"p0": 14}
    assert t.committable() == {}, "nothing new to commit"


def test_partitions_are_independent_and_revoked_ones_are_forgotten() -> None:
    t = OffsetTracker()
    t.begin("p0", 0)
    t.begin("p1", 5)
    t.done("p1", 5)
    assert t.committable() == {"p1": 6}
    t.forget(["p0"])
    t.done("p0", 0)
    assert t.committable() == {}


def test_pending_until_committed_whether_handled_or_not() -> None:
    """The dispatcher commits at most once a second while busy: records handled meanwhile are still pending."""
    t = OffsetTracker()
    assert not t.pending()
    t.begin("p0", 0)
    assert t.pending(), "in flight"
    t.done("p0", 0)
    assert t.pending(), "handled, not committed yet"
    assert t.committable() == {"p0": 1}
    assert not t.pending()
