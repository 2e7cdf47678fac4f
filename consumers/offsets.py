"""Which offsets a consumer may commit while records are handled concurrently. Pure.

Records of a partition are handled in parallel and finish in any order; the committed offset
must never pass a record that is still being handled, or a crash would lose it. So per
partition the tracker commits up to the first record not yet done.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

__all__ = ["OffsetTracker"]


class OffsetTracker:
    def __init__(self) -> None:
        self._open: dict[Hashable, dict[int, bool]] = {}

    def begin(self, tp: Hashable, offset: int) -> None:
        self._open.setdefault(tp, {})[offset] = False

    def done(self, tp: Hashable, offset: int) -> None:
        offsets = self._open.get(tp)
        if offsets is not None and offset in offsets:
            offsets[offset] = True

    def in_flight(self) -> int:
        return sum(1 for offsets in self._open.values() for finished in offsets.values() if not finished)

    def pending(self) -> bool:
        """Whether a record begun is not committed yet (handled or still in flight)."""
        return any(self._open.values())

    def committable(self) -> dict[Hashable, int]:
        """Next offset to commit per partition that advanced since the last call (and forget those)."""
        out: dict[Hashable, int] = {}
        for tp, offsets in self._open.items():
            last = None
            for offset in sorted(offsets):
                if not offsets[offset]:
                    break
                last = offset
                del offsets[offset]
            if last is not None:
                out[tp] = last + 1
        return out

    def forget(self, tps: Iterable[Hashable]) -> None:
        """Partitions revoked: their offsets are no longer ours to commit."""
        for tp in tps:
            self._open.pop(tp, None)
