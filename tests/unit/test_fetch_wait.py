"""The worker's adaptive fetch wait (streams/fetch_wait.py): long only after an empty fetch that asked for every partition."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from infra._compat import adapt_fetch_wait


class _Fetcher:
    """The attributes of aiokafka's Fetcher that the adaptation reads and writes."""

    def __init__(self, brings: dict[str, Any]) -> None:
        self._records: dict[str, Any] = {}
        self._fetch_max_wait_ms = 20
        self._fetch_min_bytes = 1
        self._brings = brings

    async def _proc_fetch_request(self, assignment: Any, node_id: int, request: Any) -> bool:
        self._records.update(self._brings)
        return bool(self._brings)


def _fetch(fetcher: _Fetcher, partitions_asked: int, assigned: int = 3) -> int:
    return _fetch_tps(fetcher, asked=[("events", p) for p in range(partitions_asked)],
                      assigned=[("events", p) for p in range(assigned)])


def test_an_empty_fetch_of_every_partition_lets_the_next_one_wait_long() -> None:
    fetcher = _Fetcher(brings={})
    adapt_fetch_wait(fetcher, busy_ms=20, idle_ms=1000)
    assert _fetch(fetcher, partitions_asked=3) == 1000


def test_a_fetch_that_brought_records_keeps_the_short_wait() -> None:
    fetcher = _Fetcher(brings={"tp0": ["record"]})
    adapt_fetch_wait(fetcher, busy_ms=20, idle_ms=1000)
    assert _fetch(fetcher, partitions_asked=3) == 20


def test_an_empty_fetch_that_left_a_partition_out_keeps_the_short_wait() -> None:
    """A partition left out (records buffered, paused) would wait for the in-flight fetch: it stays short."""
    fetcher = _Fetcher(brings={})
    adapt_fetch_wait(fetcher, busy_ms=20, idle_ms=1000)
    assert _fetch(fetcher, partitions_asked=2) == 20


def test_the_wait_comes_back_to_short_once_records_flow_again() -> None:
    fetcher = _Fetcher(brings={})
    adapt_fetch_wait(fetcher, busy_ms=20, idle_ms=1000)
    assert _fetch(fetcher, partitions_asked=3) == 1000
    fetcher._brings = {"tp1": ["record"]}
    assert _fetch(fetcher, partitions_asked=3) == 20


def test_while_records_flow_the_next_fetch_may_wait_for_a_few_more() -> None:
    """With ``gather_ms``: a fetch of every partition that brought records is followed by one that waits up to
    ``gather_ms`` for ``gather_bytes``; an empty one, or one that left a partition out, asks for one byte again."""
    fetcher = _Fetcher(brings={"tp0": ["record"]})
    adapt_fetch_wait(fetcher, busy_ms=20, idle_ms=1000, gather_ms=10, gather_bytes=16384)
    assert (_fetch(fetcher, partitions_asked=3), fetcher._fetch_min_bytes) == (10, 16384)
    fetcher._records.clear()
    assert (_fetch(fetcher, partitions_asked=2), fetcher._fetch_min_bytes) == (20, 1)  # tp0 still buffered
    fetcher._records.clear()
    fetcher._brings = {}
    assert (_fetch(fetcher, partitions_asked=3), fetcher._fetch_min_bytes) == (1000, 1)  # idle: answered at once


def test_without_gather_a_fetch_never_waits_for_more_than_one_byte() -> None:
    fetcher = _Fetcher(brings={"tp0": ["record"]})
    adapt_fetch_wait(fetcher, busy_ms=20, idle_ms=1000)
    assert (_fetch(fetcher, partitions_asked=3), fetcher._fetch_min_bytes) == (20, 1)


CHANGELOG = ("app-documents-changelog", 0)
STREAM = ("events.border-crossings", 0)


def _taken(active: set[Any], while_waiting: Callable[[set[Any]], None], buffered: dict[Any, list[str]],
           tmp_path: Any) -> dict[Any, list[str]]:
    """The records a fetch takes, when Faust's active partitions change while the fetch waits.

    The stand-in for aiokafka's ``Fetcher.fetched_records`` applies its filter (aiokafka 0.14) to the buffered
    records once the wait is over: a partition is taken when ``not partitions or tp in partitions``."""
    from faust.types import TP

    from schemas import Settings
    from streams.app import new_faust_app

    async def run() -> dict[Any, list[str]]:
        app = new_faust_app(Settings(data_dir=tmp_path))
        consumer: Any = app.consumer

        async def getmany(partitions: Any, timeout: float) -> dict[Any, list[str]]:
            while_waiting(active)
            return {tp: records for tp, records in buffered.items() if not partitions or tp in partitions}

        consumer._thread = SimpleNamespace(getmany=getmany)
        return dict(await consumer._getmany(active, 1.0))

    as_tps = {TP(*tp): records for tp, records in buffered.items()}
    buffered.clear()
    buffered.update(as_tps)
    return {(tp.topic, tp.partition): records for tp, records in asyncio.run(run()).items()}


def test_a_fetch_takes_nothing_once_the_recovery_has_paused_every_partition_it_was_asked_for(tmp_path: Any) -> None:
    """The recovery pauses the changelogs (all that was active) while a fetch waits: Faust's live set is then empty,
    which aiokafka reads as "every partition". The fetch must not take the stream's prefetched backlog, which Faust
    would drop with nothing seeking back (a wiped-state restart answered no event)."""
    from faust.types import TP

    taken = _taken({TP(*CHANGELOG)}, lambda active: active.clear(), {STREAM: ["backlog"]}, tmp_path)
    assert taken == {}


def test_a_fetch_begun_before_a_rebalance_does_not_take_a_partition_paused_since(tmp_path: Any) -> None:
    """A fetch begins while the stream partition is active; a rebalance pauses it and the recovery seeks it while the
    fetch waits. The fetch must not take the records the seek made available: Faust would drop them, the next fetch
    would start after them, and Faust would commit the jump as a gap (a failover left events unanswered)."""
    from faust.types import TP

    taken = _taken({TP(*STREAM), TP(*CHANGELOG)}, lambda active: active.discard(TP(*STREAM)),
                   {STREAM: ["after the seek"], CHANGELOG: ["changelog"]}, tmp_path)
    assert taken == {CHANGELOG: ["changelog"]}


def test_a_fetch_takes_a_partition_resumed_while_it_waited(tmp_path: Any) -> None:
    """The view follows Faust's live set both ways: a stream partition resumed while the fetch waits is taken."""
    from faust.types import TP

    taken = _taken({TP(*CHANGELOG)}, lambda active: active.add(TP(*STREAM)), {STREAM: ["first event"]}, tmp_path)
    assert taken == {STREAM: ["first event"]}


def test_an_ack_during_a_rebalance_or_from_an_older_generation_is_never_committed(tmp_path: Any) -> None:
    """Faust's stream acks the messages it skips in a rebalance; such acks must not move the committed offset
    (the recovery's seek would then start past messages no agent handled). They still release the message."""
    from faust.types import TP
    from faust.types.tuples import Message

    from schemas import Settings
    from streams.app import new_faust_app

    tp = TP("events.border-crossings", 0)

    def message(offset: int, generation: int) -> Message:
        return Message(tp.topic, tp.partition, offset, 0.0, 0, None, b"k", b"v", None, generation_id=generation,
                       tp=tp)

    async def run() -> tuple[list[bool], list[int]]:
        app = new_faust_app(Settings(data_dir=tmp_path))
        consumer: Any = app.consumer
        app.consumer_generation_id = 2
        app.topics.acks_enabled_for = lambda topic: True  # type: ignore[method-assign]  # no agent subscribes here
        app.rebalancing = False
        acks = [consumer.ack(message(10, 2))]  # normal: counted
        acks.append(consumer.ack(message(11, 1)))  # fetched under the previous generation
        app.rebalancing = True
        skipped = message(12, 2)
        consumer._unacked_messages.add(skipped)
        acks.append(consumer.ack(skipped))  # skipped (or handled) while a rebalance is on
        assert skipped.acked and skipped not in consumer._unacked_messages
        return acks, list(consumer._acked[tp])

    acks, acked = asyncio.run(run())
    assert acks == [True, False, False] and acked == [10]


def _fetch_tps(fetcher: _Fetcher, asked: list[tuple[str, int]], assigned: list[tuple[str, int]]) -> int:
    """A fetch as aiokafka builds it: the request names (topic, partition) pairs, the assignment holds partitions."""
    from aiokafka import TopicPartition

    by_topic: dict[str, list[tuple[int, int, int]]] = {}
    for topic, partition in asked:
        by_topic.setdefault(topic, []).append((partition, 0, 1024))
    request = SimpleNamespace(topics=list(by_topic.items()))
    assignment = SimpleNamespace(tps={TopicPartition(*tp) for tp in assigned})
    asyncio.run(fetcher._proc_fetch_request(assignment, 1, request))
    return fetcher._fetch_max_wait_ms


CHECKS = ("documents.checks", 0)


def test_a_changelog_whose_records_faust_holds_back_does_not_keep_the_worker_from_its_idle_wait() -> None:
    """Faust pauses a table's changelog once the table is read, and never takes what aiokafka buffers of it
    afterwards (the sightings the worker itself writes), so aiokafka leaves it out of every later fetch. Left out for
    that reason, it must not count: the idle wait and the gather still work (documents check on: the worker fetched
    every 20 ms at rest, and never gathered)."""
    from aiokafka import TopicPartition

    held = {TopicPartition(*CHANGELOG)}
    fetcher = _Fetcher(brings={})
    fetcher._records = {TopicPartition(*CHANGELOG): ["a sighting"]}
    adapt_fetch_wait(fetcher, busy_ms=20, idle_ms=1000, gather_ms=20, gather_bytes=2048, held=held.__contains__)
    assigned = [STREAM, CHECKS, CHANGELOG]
    assert _fetch_tps(fetcher, asked=[STREAM, CHECKS], assigned=assigned) == 1000  # idle, the changelog still buffered
    fetcher._brings = {TopicPartition(*STREAM): ["event"]}
    assert (_fetch_tps(fetcher, asked=[STREAM, CHECKS], assigned=assigned), fetcher._fetch_min_bytes) == (20, 2048)


def test_a_partition_left_out_for_any_other_reason_still_keeps_the_short_wait() -> None:
    """An event partition paused by a rebalance, or whose agent's buffer is full, has its records taken once it is
    resumed; the next fetch of it must not wait behind an idle one. Only held partitions are exempt."""
    from aiokafka import TopicPartition

    fetcher = _Fetcher(brings={})
    fetcher._records = {TopicPartition(*STREAM): ["backlog"]}
    adapt_fetch_wait(fetcher, busy_ms=20, idle_ms=1000, gather_ms=20, gather_bytes=2048, held=lambda tp: False)
    assert (_fetch_tps(fetcher, asked=[CHECKS], assigned=[STREAM, CHECKS]), fetcher._fetch_min_bytes) == (20, 1)
    fetcher._records = {}
    assert _fetch_tps(fetcher, asked=[CHECKS], assigned=[STREAM, CHECKS]) == 20  # left out, not buffered: paused
    assert _fetch_tps(fetcher, asked=[STREAM, CHECKS], assigned=[STREAM, CHECKS]) == 1000


def test_faust_holds_back_a_paused_changelog_and_nothing_else(tmp_path: Any) -> None:
    """``held_back`` reads the worker's own Faust consumer: a changelog partition paused (the table read) is held;
    the same changelog resumed (a recovery reading it), or a paused event partition, is not."""
    from faust.types import TP

    from schemas import Settings
    from streams.app import new_faust_app
    from streams.fetch_wait import held_back

    app = new_faust_app(Settings(data_dir=tmp_path))
    table = app.Table("documents", partitions=1, key_type=bytes, value_type=bytes)
    changelog, stream = TP(table.changelog_topic.get_topic_name(), 0), TP(*STREAM)
    consumer: Any = app.consumer
    held = held_back(consumer)
    consumer.pause_partitions({changelog, stream})
    assert (held(changelog), held(stream)) == (True, False)
    consumer.resume_partitions({changelog})
    assert held(changelog) is False


def test_with_the_documents_check_the_worker_does_not_gather_unless_told_to(tmp_path: Any) -> None:
    """A crossing's check record follows its event within a millisecond; a gathering fetch would hold it for the
    whole gather at low rates. A setting given is kept."""
    from schemas import Settings
    from streams.app import fetch_gather_ms

    assert fetch_gather_ms(Settings(_env_file=None, data_dir=tmp_path)) == 20
    assert fetch_gather_ms(Settings(_env_file=None, data_dir=tmp_path, documents_check=True)) == 0
    assert fetch_gather_ms(Settings(_env_file=None, data_dir=tmp_path, documents_check=True,
                                    faust_fetch_gather_ms=10)) == 10
    # a process started with these settings (the demo's, the tests' workers) gets the same default, not a copy of 20
    env = Settings(_env_file=None, data_dir=tmp_path, documents_check=True).to_env()
    assert "FUGITIVE_ALERTS_FAUST_FETCH_GATHER_MS" not in env
