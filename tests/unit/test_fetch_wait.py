"""The worker's adaptive fetch wait (streams/fetch_wait.py): long only after an empty fetch that asked for every partition."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from streams.fetch_wait import adapt_fetch_wait


class _Fetcher:
    """The three attributes of aiokafka's Fetcher that the adaptation reads and writes."""

    def __init__(self, brings: dict[str, Any]) -> None:
        self._records: dict[str, Any] = {}
        self._fetch_max_wait_ms = 20
        self._brings = brings

    async def _proc_fetch_request(self, assignment: Any, node_id: int, request: Any) -> bool:
        self._records.update(self._brings)
        return bool(self._brings)


def _fetch(fetcher: _Fetcher, partitions_asked: int, assigned: int = 3) -> int:
    request = SimpleNamespace(topics=[("events", [(p, 0, 1024) for p in range(partitions_asked)])])
    assignment = SimpleNamespace(tps={f"tp{i}" for i in range(assigned)})
    asyncio.run(fetcher._proc_fetch_request(assignment, 1, request))
    return fetcher._fetch_max_wait_ms


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


def test_a_fetch_keeps_the_partitions_it_was_asked_for_when_faust_pauses_them_meanwhile(tmp_path: Any) -> None:
    """Faust passes its live set of active partitions; once its recovery pauses them all, the empty set would mean
    "every partition" to aiokafka and a waiting fetch would take (and Faust drop) the stream's prefetched records.
    The worker's consumer hands the fetch a copy."""
    from faust.types import TP

    from schemas import Settings
    from streams.app import new_faust_app

    changelog, stream = TP("app-documents-changelog", 0), TP("events.border-crossings", 0)
    seen: list[set[Any]] = []

    async def run() -> None:
        app = new_faust_app(Settings(data_dir=tmp_path))
        consumer: Any = app.consumer
        active = {changelog}

        async def getmany(partitions: set[Any], timeout: float) -> dict[Any, Any]:
            active.clear()  # the recovery pauses the changelog while the fetch waits
            seen.append(set(partitions))
            return {}

        consumer._thread = SimpleNamespace(getmany=getmany)
        await consumer._getmany(active, 1.0)

    asyncio.run(run())
    assert seen == [{changelog}] and stream not in seen[0]
