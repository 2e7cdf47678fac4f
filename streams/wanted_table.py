"""Compacted topics read whole into every worker: the wanted list (into the matcher) and the bureaus.

A Faust ``Table`` is partitioned across workers, and each worker would hold only its share of
notices, while every worker must screen against the whole list. So each worker reads every
partition of the compacted topic itself, with the project's one compacted-topic reader
(:class:`infra.CompactedReader`: no consumer group, from the beginning), and applies each record
to its in-memory index: a notice upserts, a tombstone (null value) withdraws. The topic is its
own changelog; nothing else is stored. Screening waits for ``ready``, which is set once the
worker has caught up with the end offsets it saw at start.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator, MutableMapping
from typing import Any, Protocol

from mode import Service
from pydantic import ValidationError

from infra import Apply, CompactedReader
from schemas import Bureau, BureauDirectory, WantedPerson

from .index_keeper import IndexKeeper, SnapshotPolicy
from .screening import describe_validation_error

__all__ = ["CompactedTable", "WantedTable", "BureauTable", "FingerprintTable", "NoticeIndex", "apply_record"]


class NoticeIndex(Protocol):
    def upsert(self, notice: WantedPerson) -> None: ...
    def remove(self, notice_id: str) -> None: ...
    def __len__(self) -> int: ...


def apply_record(index: NoticeIndex, key: bytes | None, value: bytes | None) -> str | None:
    """Apply one ``wanted.notices`` record to ``index``; return an error string if it was refused."""
    if value is None:
        if not key:
            return "tombstone without a key"
        index.remove(key.decode("utf-8", "replace"))
        return None
    try:
        notice = WantedPerson.model_validate_json(value)
    except ValidationError as exc:
        return f"invalid notice: {describe_validation_error(exc)}"
    if key is not None and key.decode("utf-8", "replace") != notice.notice_id:
        return "record key does not match notice_id"
    index.upsert(notice)
    return None


class CompactedTable(Service):
    """A compacted topic read whole into this worker (:class:`infra.CompactedReader`), started and
    stopped with the worker as a ``mode.Service``. ``ready`` is set once it has caught up."""

    def __init__(self, topic: str, client_kwargs: dict[str, Any], apply: Apply, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reader = CompactedReader(topic, client_kwargs, apply)
        self.topic = topic
        self.ready = self.reader.ready

    @property
    def rejected(self) -> int:
        """Records refused so far (each logged with its offset)."""
        return self.reader.refused

    async def position(self, partition: int) -> int:
        """The offset of the next record this table will apply on ``partition``."""
        return await self.reader.position(partition)

    async def on_start(self) -> None:
        await self.reader.open()
        self.add_future(self.reader.run())

    async def on_stop(self) -> None:
        await self.reader.stop()


class WantedTable(CompactedTable):
    """The wanted list, applied to ``index`` (the matcher) in place.

    With ``snapshot`` (a :class:`~streams.index_keeper.SnapshotPolicy`), the index is kept on
    local disk and a restarted worker loads it and reads the topic on from the offsets it
    reflects (``streams/index_keeper.py``)."""

    def __init__(self, index: NoticeIndex, topic: str, client_kwargs: dict[str, Any],
                 snapshot: SnapshotPolicy | None = None, **kwargs: Any) -> None:
        self.index = index
        super().__init__(topic, client_kwargs, lambda k, v: apply_record(index, k, v), **kwargs)
        self.keeper = IndexKeeper(snapshot, index, self.reader) if snapshot is not None else None

    async def on_start(self) -> None:
        if self.keeper is None:
            await super().on_start()
            return
        await self.reader.open(self.keeper.restore)
        self.add_future(self.reader.run())
        self.add_future(self.keeper.run(self.sleep, lambda: self.should_stop))


class BureauTable(CompactedTable):
    """The bureau directory from the ``bureaus`` topic, for responses (the bureau to call)."""

    def __init__(self, topic: str, client_kwargs: dict[str, Any], **kwargs: Any) -> None:
        self.bureaus: dict[str, Bureau] = {}
        super().__init__(topic, client_kwargs, self._apply, **kwargs)

    def _apply(self, key: bytes | None, value: bytes | None) -> str | None:
        if not key:
            return "record without a key"
        if value is None:
            self.bureaus.pop(key.decode("utf-8", "replace"), None)
            return None
        try:
            self.bureaus[key.decode("utf-8", "replace")] = Bureau.model_validate_json(value)
        except ValidationError as exc:
            return f"invalid bureau: {describe_validation_error(exc)}"
        return None

    def directory(self) -> BureauDirectory:
        return BureauDirectory.model_construct(bureaus=list(self.bureaus.values()))


class _WrittenThrough(MutableMapping[bytes, bytes]):
    """A dict whose changes are also produced to a compacted topic (a tombstone for a delete)."""

    def __init__(self, write: Callable[[bytes, bytes | None], Coroutine[Any, Any, Any]]) -> None:
        self.data: dict[bytes, bytes] = {}
        self._write = write
        self._pending: set[asyncio.Task[Any]] = set()

    def _send(self, key: bytes, value: bytes | None) -> None:
        # Handed to the producer at once; Faust flushes the producer before it commits offsets. A
        # write lost in a crash only means one more (idempotent) re-screen of that notice later.
        task = asyncio.get_running_loop().create_task(self._write(key, value))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def __getitem__(self, key: bytes) -> bytes:
        return self.data[key]

    def __setitem__(self, key: bytes, value: bytes) -> None:
        if self.data.get(key) != value:
            self.data[key] = value
            self._send(key, value)

    def __delitem__(self, key: bytes) -> None:
        del self.data[key]
        self._send(key, None)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


class FingerprintTable(CompactedTable):
    """Retro-screening's memory (``wanted.retro-fingerprints``): notice_id -> the content last screened.

    A plain compacted topic read whole by every worker, rather than a Faust table: a Faust table's
    changelog recovery at start raced the stream fetcher here and skipped events of the source
    topic under load (seen in the ops test: a restarted worker screened events 1 and 5 of 5).
    """

    def __init__(self, topic: str, client_kwargs: dict[str, Any],
                 write: Callable[[bytes, bytes | None], Coroutine[Any, Any, Any]], **kwargs: Any) -> None:
        self.mapping = _WrittenThrough(write)
        super().__init__(topic, client_kwargs, self._apply, **kwargs)

    def _apply(self, key: bytes | None, value: bytes | None) -> str | None:
        if not key:
            return "record without a key"
        if value is None:
            self.mapping.data.pop(key, None)
        else:
            self.mapping.data[key] = value
        return None
