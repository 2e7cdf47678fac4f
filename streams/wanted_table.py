"""Compacted topics read whole into every worker: the wanted list (into the matcher) and the bureaus.

A Faust ``Table`` is partitioned across workers, and each worker would hold only its share of
notices, while every worker must screen against the whole list. So each worker reads every
partition of the compacted topic itself (no consumer group), from the beginning, and applies
each record to its in-memory index: a notice upserts, a tombstone (null value) withdraws. The
topic is its own changelog; nothing else is stored. Screening waits for ``ready``, which is set
once the worker has caught up with the end offsets it saw at start.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator, MutableMapping
from typing import Any, Protocol

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from mode import Service
from pydantic import ValidationError

from schemas import Bureau, BureauDirectory, WantedPerson

from .screening import describe_validation_error

__all__ = ["CompactedTable", "WantedTable", "BureauTable", "FingerprintTable", "NoticeIndex", "apply_record"]

log = structlog.get_logger(__name__)


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
    """Applies every record of a compacted topic, from the beginning, for as long as the worker runs."""

    def __init__(self, topic: str, client_kwargs: dict[str, Any],
                 apply: Callable[[bytes | None, bytes | None], str | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.apply = apply
        self.topic = topic
        self.client_kwargs = client_kwargs
        self.ready = asyncio.Event()
        self.rejected = 0
        self._consumer: AIOKafkaConsumer | None = None

    async def on_start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            enable_auto_commit=False, auto_offset_reset="earliest", group_id=None, **self.client_kwargs
        )
        await self._consumer.start()
        # partitions_for_topic() only knows topics already in the client's metadata; fetch it.
        cluster = await self._consumer._client.fetch_all_metadata()
        partitions = cluster.partitions_for_topic(self.topic) or set()
        tps = [TopicPartition(self.topic, p) for p in sorted(partitions)]
        if not tps:
            raise RuntimeError(f"topic {self.topic!r} does not exist: run `fugitive-alerts worker`, which creates it")
        self._consumer.assign(tps)
        await self._consumer.seek_to_beginning(*tps)
        self._targets = await self._consumer.end_offsets(tps)
        self.add_future(self._run())

    async def on_stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()

    async def _check_caught_up(self) -> None:
        assert self._consumer is not None
        if self.ready.is_set():
            return
        for tp, end in self._targets.items():
            if await self._consumer.position(tp) < end:
                return
        self.ready.set()
        log.info("table loaded", topic=self.topic, rejected=self.rejected)

    async def _run(self) -> None:
        assert self._consumer is not None
        await self._check_caught_up()
        while not self.should_stop:
            batches = await self._consumer.getmany(timeout_ms=500, max_records=5000)
            for tp, records in batches.items():
                for rec in records:
                    error = self.apply(rec.key, rec.value)
                    if error:
                        self.rejected += 1
                        log.warning("record refused", topic=tp.topic, partition=tp.partition,
                                    offset=rec.offset, error=error)
            await self._check_caught_up()


class WantedTable(CompactedTable):
    """The wanted list, applied to ``index`` (the matcher) in place."""

    def __init__(self, index: NoticeIndex, topic: str, client_kwargs: dict[str, Any], **kwargs: Any) -> None:
        self.index = index
        super().__init__(topic, client_kwargs, lambda k, v: apply_record(index, k, v), **kwargs)


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
