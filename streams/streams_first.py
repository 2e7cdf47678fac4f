"""Stream records before a backlog of changelog records: a worker answers while its standbys catch up.

The worker's one Faust consumer reads the event streams and the tables' changelogs (the active
partitions it restores, and its standby copies, kept up to date for ever). aiokafka's
``fetched_records`` hands over every record it holds for the partitions it is given, and Faust's
drain loop hands all of them on before it asks again. A standby that is behind (after a table load,
or after a restart with the state directory wiped) brings up to ``consumer_max_fetch_size`` (8 MiB)
per changelog partition in each fetch: with 10 million reported documents, a fetch of six standby
partitions held about 30 s of work. A crossing that arrived meanwhile was screened when that batch
was done, its document check record went to the broker, and the check waited for the *next* batch:
answers came 30-70 s late, names included, long after the worker said it was ready
(docs/documents.md, "10,000,000 documents").

So each fetch takes what the stream partitions hold, and at most :data:`CHANGELOG_CHUNK` changelog
records beside them (about 60 ms of work), without waiting; only when neither has
anything does it wait, as before, for whatever comes first (again at most a chunk of changelog). An
event therefore waits behind about 60 ms of table work at most, and the standbys still move
on while the streams are busy. (Taking changelog records only when no stream record was there starved
the standbys during a bulk load of reports, a stream: a restart right after the load then found its
new active partitions a standby half a million records behind, and took a minute to be ready.) A
recovery, which holds the stream partitions paused, reads its changelogs in chunks, with more, smaller
fetches.

The decision is :func:`streams_first`, a pure function of the fetch it is handed; the worker's
consumer thread (``streams/fetch_wait.py``) calls it with aiokafka's own fetch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from collections.abc import Set as AbstractSet
from typing import Any

__all__ = ["CHANGELOG_CHUNK", "StreamPartitions", "streams_first"]

CHANGELOG_CHUNK = 500
"""Changelog records taken at most per fetch (table recovery, standbys): about 60 ms of Faust's work (8,000/s)."""

Fetch = Callable[[Any, float | None, int | None], Awaitable[dict[Any, Any]]]
"""``(partitions, timeout, max_records) -> records by partition``: aiokafka's ``fetched_records`` as Faust calls it."""


class StreamPartitions:
    """The active partitions that are (``changelog=False``) or are not a table's changelog (a view, read when
    the records are taken)."""

    __slots__ = ("_active", "_changelogs", "_changelog")

    def __init__(self, active: Any, changelogs: AbstractSet[str], changelog: bool = False) -> None:
        self._active, self._changelogs, self._changelog = active, changelogs, changelog

    def __contains__(self, tp: Any) -> bool:
        return tp in self._active and (tp.topic in self._changelogs) is self._changelog

    def __bool__(self) -> bool:
        return True  # never aiokafka's "every partition", as ``ActivePartitions``


async def streams_first(fetch: Fetch, active: Any, changelogs: AbstractSet[str], timeout: float | None,
                        max_records: int | None) -> dict[Any, Any]:
    """What the stream partitions hold and at most ``CHANGELOG_CHUNK`` changelog records, without waiting; if
    neither has anything, wait as before (again at most a chunk of changelog records)."""
    if active is None or not changelogs:
        return await fetch(active, timeout, max_records)
    chunk = CHANGELOG_CHUNK if max_records is None else min(max_records, CHANGELOG_CHUNK)
    streams = await fetch(StreamPartitions(active, changelogs), 0, max_records)
    tables = await fetch(StreamPartitions(active, changelogs, changelog=True), 0, chunk)
    if streams or tables:
        return {**streams, **tables}
    return await fetch(active, timeout, chunk)
