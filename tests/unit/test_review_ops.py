"""Ops emails for review queues that fall behind: when, how often, and the all-clear."""

from __future__ import annotations

from consumers.review_ops import StaleQueues

H = 3600.0


def test_a_bureau_past_the_limit_gets_one_email_then_reminders_then_the_all_clear() -> None:
    state = StaleQueues(limit=24 * H, reminder=1 * H)
    assert state.check({"ncb-ke": (3, 23 * H)}, 0.0) == []
    assert state.check({"ncb-ke": (3, 24 * H), "ncb-fr": (1, 60.0)}, 10.0) == [("ncb-ke", "alert")]
    assert state.check({"ncb-ke": (3, 24.5 * H)}, 10.0 + 0.5 * H) == []
    assert state.check({"ncb-ke": (3, 25 * H)}, 10.0 + H) == [("ncb-ke", "reminder")]
    assert state.check({}, 10.0 + 1.5 * H) == [("ncb-ke", "recovered")], "an emptied queue has caught up"
    assert state.check({}, 10.0 + 2 * H) == []


def test_an_email_that_could_not_be_sent_is_tried_again_at_the_next_check() -> None:
    state = StaleQueues(limit=H, reminder=H)
    assert state.check({"ncb-ke": (1, 2 * H)}, 0.0) == [("ncb-ke", "alert")]
    state.not_sent("ncb-ke", "alert")
    assert state.check({"ncb-ke": (1, 2 * H)}, 60.0) == [("ncb-ke", "alert")]
    assert state.check({"ncb-ke": (0, 0.0)}, 120.0) == [("ncb-ke", "recovered")]
    state.not_sent("ncb-ke", "recovered")
    assert state.check({"ncb-ke": (0, 0.0)}, 180.0) == [("ncb-ke", "recovered")]
    assert state.check({"ncb-ke": (0, 0.0)}, 240.0) == []
