"""Records taken from aiokafka and not handed to an agent are put back (streams/put_back.py, streams/fetch_wait.py)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from aiokafka.structs import TopicPartition

from streams.put_back import put_back, undelivered

P1 = TopicPartition("events.border-crossings", 1)


def _records(*offsets: int) -> list[Any]:
    return [SimpleNamespace(offset=o) for o in offsets]


def test_the_first_record_not_handed_over_is_found_per_partition() -> None:
    """Nothing handed over: from the first record; part of it: from the one after the last handed over; all: none."""
    taken = {P1: _records(5, 6, 7)}
    assert undelivered(taken, {}) == {P1: (5, 8)}
    assert undelivered(taken, {P1: 6}) == {P1: (7, 8)}
    assert undelivered(taken, {P1: 7}) == {}
    assert undelivered({P1: []}, {}) == {}


class _Consumer:
    """aiokafka's ``AIOKafkaConsumer`` as ``put_back`` reads it: the subscription state of one partition, and seek."""

    def __init__(self, position: int | None, assigned: bool = True) -> None:
        self.state = SimpleNamespace(position=position, has_valid_position=position is not None)
        assignment = SimpleNamespace(tps={P1} if assigned else set(), state_value=lambda tp: self.state)
        self._subscription = SimpleNamespace(subscription=SimpleNamespace(assignment=assignment))

    @property
    def at(self) -> int | None:
        return self.state.position

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.state.position = offset


def test_a_partition_is_sought_back_only_where_the_fetch_left_it_and_while_it_is_assigned() -> None:
    """Still where the fetch left it: sought back. Sought elsewhere since (the recovery's seek to the committed
    offset wins), no longer assigned (its new owner starts from the committed offset), or being reset: left alone."""
    left = {P1: (5, 96)}
    untouched = _Consumer(96)
    assert asyncio.run(put_back(untouched, left)) == [(P1, 5)] and untouched.at == 5
    recovered = _Consumer(87)
    assert asyncio.run(put_back(recovered, left)) == [] and recovered.at == 87
    gone = _Consumer(96, assigned=False)
    assert asyncio.run(put_back(gone, left)) == [] and gone.at == 96
    resetting = _Consumer(None)  # being reset (just assigned): its reset decides
    assert asyncio.run(put_back(resetting, left)) == [] and resetting.at is None


def test_a_fetch_returning_while_a_rebalance_has_stopped_the_flow_puts_back_what_it_took(tmp_path: Any) -> None:
    """Faust drops every record of a fetch that returns once the flow is stopped and seeks to the committed offsets,
    which leaves a partition with no committed offset after the dropped records (a survivor skipped a dead worker's
    uncommitted partition). The worker's consumer hands over nothing and puts every record back."""
    from faust.types import TP

    from schemas import Settings
    from streams.app import new_faust_app

    put: list[Any] = []
    tp = TP(P1.topic, P1.partition)

    async def run() -> list[Any]:
        app = new_faust_app(Settings(data_dir=tmp_path))
        consumer: Any = app.consumer
        consumer._active_partitions = {tp}

        async def getmany(partitions: Any, timeout: float) -> dict[Any, Any]:
            consumer.stop_flow()  # a rebalance begins while the fetch waits
            return {tp: _records(5, 6, 7)}

        async def seek_to_committed() -> dict[Any, Any]:
            return {tp: None}  # its owner died before its first commit

        async def put_back(left: Any) -> list[Any]:
            put.append(left)
            return []

        consumer._thread = SimpleNamespace(getmany=getmany, seek_to_committed=seek_to_committed, put_back=put_back)
        return [item async for item in consumer.getmany(1.0)]

    assert asyncio.run(run()) == [] and put == [{tp: (5, 8)}]
