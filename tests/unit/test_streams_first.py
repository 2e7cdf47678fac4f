"""streams/streams_first.py: a fetch takes the stream partitions' records first, then changelog records in chunks."""

from __future__ import annotations

import asyncio
from typing import Any, NamedTuple

from streams.streams_first import CHANGELOG_CHUNK, StreamPartitions, streams_first


class TP(NamedTuple):
    topic: str
    partition: int


EVENTS, CHECKS, CHANGELOG = TP("events", 0), TP("checks", 3), TP("app-documents-changelog", 3)
CHANGELOGS = {CHANGELOG.topic}


class Buffered:
    """What aiokafka holds, taken as ``fetched_records`` takes it: the given partitions' records, up to ``max_records``."""

    def __init__(self, records: dict[TP, int]) -> None:
        self.records = dict(records)
        self.calls: list[tuple[float | None, int | None]] = []

    async def __call__(self, partitions: Any, timeout: float | None, max_records: int | None) -> dict[TP, int]:
        self.calls.append((timeout, max_records))
        taken: dict[TP, int] = {}
        for tp in list(self.records):
            if tp not in partitions:
                continue
            n = self.records[tp] if max_records is None else min(self.records[tp], max_records - sum(taken.values()))
            if n:
                taken[tp] = n
                self.records[tp] -= n
        return taken


def _fetch(buffered: Buffered, active: set[TP], changelogs: set[str] = CHANGELOGS) -> dict[TP, int]:
    return asyncio.run(streams_first(buffered, active, changelogs, 1.0, None))


def test_events_waiting_behind_a_standby_backlog_are_taken_first_and_alone() -> None:
    buffered = Buffered({CHANGELOG: 200_000, EVENTS: 3})
    assert _fetch(buffered, {EVENTS, CHECKS, CHANGELOG}) == {EVENTS: 3}
    assert buffered.calls == [(0, None)]  # without waiting


def test_with_no_stream_record_the_changelog_comes_in_chunks() -> None:
    buffered = Buffered({CHANGELOG: 200_000})
    active = {EVENTS, CHECKS, CHANGELOG}
    assert _fetch(buffered, active) == {CHANGELOG: CHANGELOG_CHUNK}
    assert buffered.calls == [(0, None), (1.0, CHANGELOG_CHUNK)]  # the second waits as before
    buffered.records[CHECKS] = 1  # a check record arrives: the next fetch takes it before the backlog
    assert _fetch(buffered, active) == {CHECKS: 1}


def test_a_recovery_with_the_streams_paused_reads_its_changelogs_in_chunks() -> None:
    buffered = Buffered({CHANGELOG: 5_000, EVENTS: 10})
    assert _fetch(buffered, {CHANGELOG}) == {CHANGELOG: CHANGELOG_CHUNK}  # events are paused: not taken


def test_a_worker_without_tables_fetches_as_before() -> None:
    buffered = Buffered({EVENTS: 5_000})
    assert _fetch(buffered, {EVENTS}, changelogs=set()) == {EVENTS: 5_000}
    assert buffered.calls == [(1.0, None)]


def test_the_view_is_never_every_partition_and_reads_the_live_set() -> None:
    live = {EVENTS}
    view = StreamPartitions(live, CHANGELOGS)
    assert bool(StreamPartitions(set(), CHANGELOGS))
    assert CHECKS not in view
    live.add(CHECKS)
    assert CHECKS in view and CHANGELOG not in view
