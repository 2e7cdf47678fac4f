"""Burrow's consumer-lag evaluation rules, as pure functions over a sliding window of commits.

No Kafka here: a window is a list of :class:`Commit` (committed offset, lag at the time of the
commit, commit time), and :func:`evaluate_partition` turns it, the partition's current lag and
the current time into a :class:`Status`. ``docs/ops.md`` states the rules; the unit tests in
``tests/unit/test_burrow.py`` cover each one.

The rules are Burrow's (linkedin/Burrow, ``core/internal/evaluator/caching.go``), checked in
this order for a partition whose current lag is above zero:

1. lag zero at any commit in the window: OK;
2. the committed offset went down between two commits: REWIND;
3. now - newest commit time > newest - oldest commit time: STOP (no longer committing);
4. every commit in the window has the same offset: STALL (committing, not moving);
5. the lag never went down from one commit to the next: WARN (slower than the producers);
6. otherwise OK.

Two additions, both for cases Burrow reports as OK while records wait:

- **0. no commit in the window** while the current lag is above zero: STOP. Burrow keeps the
  last ``intervals`` commits however old, so a consumer that died right after a zero-lag commit
  stays OK there forever. Here the window is also bounded in time, so such a consumer turns
  STOP once its last commit is older than the window.
- **E. records lost**: the committed offset is below the partition's log-start offset
  (retention deleted records this group never read): ERR.

A current lag of zero is always OK, whatever the window holds: an idle topic is not a problem.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

__all__ = ["FAILING", "Commit", "Status", "Window", "evaluate_partition", "group_status"]


class Status(StrEnum):
    """Partition and group statuses, in Burrow's order of severity (worst last)."""

    OK = "OK"
    WARN = "WARN"
    ERR = "ERR"
    STOP = "STOP"
    STALL = "STALL"
    REWIND = "REWIND"

    @property
    def severity(self) -> int:
        return _ORDER.index(self)

    def __str__(self) -> str:
        return self.value


_ORDER = list(Status)

FAILING = frozenset({Status.ERR, Status.STOP, Status.STALL, Status.REWIND})
"""Statuses Burrow counts as errors (its group status is ERR for each): ``lag`` exits 1, ops are emailed."""


@dataclass(slots=True)
class Commit:
    """One offset commit: the offset, when (epoch seconds), and the lag when it was committed.

    ``lag`` is None until it is known (the Kafka side fills it in before evaluating).
    """

    offset: int
    timestamp: float
    lag: int | None = None


def evaluate_partition(commits: Sequence[Commit], current_lag: int, now: float, *,
                       records_lost: bool = False) -> Status:
    """The status of one partition of one group (rules in the module docstring)."""
    if current_lag <= 0:
        return Status.OK
    if records_lost:
        return Status.ERR
    if not commits:
        return Status.STOP
    if any(not c.lag for c in commits):  # None counts as unknown, i.e. not proven lagging
        return Status.OK
    pairs = list(pairwise(commits))
    if any(b.offset < a.offset for a, b in pairs):
        return Status.REWIND
    first, last = commits[0], commits[-1]
    if now - last.timestamp > last.timestamp - first.timestamp:
        return Status.STOP
    if all(b.offset == a.offset for a, b in pairs):
        return Status.STALL
    if all((b.lag or 0) >= (a.lag or 0) for a, b in pairs):
        return Status.WARN
    return Status.OK


def group_status(statuses: Iterable[Status]) -> Status:
    """The worst partition status (OK for a group with no partitions).

    Burrow folds STOP, STALL and REWIND into ERR at group level; here the group keeps the
    partition's own status so an operator sees why at a glance. ``FAILING`` is the same set.
    """
    return max(statuses, key=lambda s: s.severity, default=Status.OK)


class Window:
    """The sliding window of one partition's commits: the newest ``max_commits``, none older than ``max_age``.

    Like Burrow's ``min-distance``, a commit less than ``min_distance`` seconds after the newest
    one replaces it rather than being appended, so a consumer that commits many times a second
    does not shrink the window to a fraction of a second.
    """

    __slots__ = ("_commits", "max_age", "min_distance")

    def __init__(self, max_commits: int = 10, max_age: float = 600.0, min_distance: float = 1.0) -> None:
        self._commits: deque[Commit] = deque(maxlen=max_commits)
        self.max_age, self.min_distance = max_age, min_distance

    def add(self, commit: Commit) -> None:
        if self._commits and commit.timestamp - self._commits[-1].timestamp < self.min_distance:
            self._commits[-1] = commit
        else:
            self._commits.append(commit)

    def commits(self, now: float) -> list[Commit]:
        """The commits still inside the window at ``now``, oldest first."""
        while self._commits and now - self._commits[0].timestamp > self.max_age:
            self._commits.popleft()
        return list(self._commits)

    def __len__(self) -> int:
        return len(self._commits)
