"""Stream records before changelog records: a worker answers while its standbys catch up.

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

So each fetch takes the stream partitions' records first, without waiting; only when none are
there does it take changelog records, at most :data:`CHANGELOG_CHUNK` of them (about a tenth of a
second of work), or wait, as before, for whatever comes first. A recovery, which holds the stream
partitions paused, reads its changelogs in chunks as before, only with more, smaller fetches.

The decision is :func:`streams_first`, a pure function of the fetch it is handed; the worker's
consumer thread (``streams/fetch_wait.py``) calls it with aiokafka's own fetch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from collections.abc import Set as AbstractSet
from typing import Any

__all__ = ["CHANGELOG_CHUNK", "StreamPartitions", "streams_first"]

CHANGELOG_CHUNK = 1000
"""Changelog records taken at most per fetch (table recovery, standbys): about 0.1 s of Faust's work."""

Fetch = Callable[[Any, float | None, int | None], Awaitable[dict[Any, Any]]]
"""``(partitions, timeout, max_records) -> records by partition``: aiokafka's ``fetched_records`` as Faust calls it."""


class StreamPartitions:
    """The active partitions that are not a table's changelog (a view, read when the records are taken)."""

    __slots__ = ("_active", "_changelogs")

    def __init__(self, active: Any, changelogs: AbstractSet[str]) -> None:
        self._active, self._changelogs = active, changelogs

    def __contains__(self, tp: Any) -> bool:
        return tp in self._active and tp.topic not in self._changelogs

    def __bool__(self) -> bool:
        return True  # never aiokafka's "every partition", as ``ActivePartitions``


async def streams_first(fetch: Fetch, active: Any, changelogs: AbstractSet[str], timeout: float | None,
                        max_records: int | None) -> dict[Any, Any]:
    """The stream partitions' records if any are there; else at most ``CHANGELOG_CHUNK`` records, waiting as before."""
    if active is None or not changelogs:
        return await fetch(active, timeout, max_records)
    streams = await fetch(StreamPartitions(active, changelogs), 0, max_records)
    if streams:
        return streams
    chunk = CHANGELOG_CHUNK if max_records is None else min(max_records, CHANGELOG_CHUNK)
    return await fetch(active, timeout, chunk)
