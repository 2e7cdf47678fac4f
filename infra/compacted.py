"""A compacted topic read whole, then followed: the one reader of the project's compacted topics.

The wanted list and the bureau directory in every worker, retro-screening's fingerprints, and the
dispatcher's bureaus, sightings and notice states are all the same thing: every partition of a
compacted topic, read from the beginning with a group-less consumer (each reader needs all of it,
not a share), applied record by record, then followed for as long as the process runs. The topic
is its own changelog; nothing else is stored.

- :class:`CompactedReader` reads and hands each record to an ``apply(key, value)`` function,
  which returns ``None`` or why it refused the record (the reader logs that with topic,
  partition and offset, never the value, and goes on).
- :class:`CompactedView` is a reader whose state is a ``key -> value`` dict, or, for views of many
  records that are read seldom, an :class:`Undecoded` mapping that keeps each value as its record's
  bytes.

``ready`` is set once the reader has caught up with the end offsets it saw at start, so a caller
can wait for a complete view before it acts (a worker screens no event against a half-loaded
wanted list).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any, Generic, TypeVar

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import ConsumerStoppedError
from pydantic import ValidationError

from schemas import describe_validation_error

from ._compat import adapt_fetch_wait, fetcher_of
from .topics import topic_partitions

__all__ = ["Apply", "CompactedReader", "CompactedView", "StartOffsets", "Undecoded"]

log = structlog.get_logger(__name__)
V = TypeVar("V")

FETCH_MAX_WAIT_MS = 5000
"""How long the broker may hold a reader's fetch when nothing is new. A reader is group-less and
follows topics that change rarely; a new record ends the wait at once (``fetch_min_bytes`` stays 1),
so the wait only sets how often an idle reader asks: every 5 s instead of aiokafka's 500 ms, which
made the three readers of a worker and the four of a dispatcher about 14 of the broker's requests
per second at rest (docs/benchmarks.md, "Broker CPU")."""

CLOSE_WAIT_S = 0.25
"""How long :meth:`CompactedReader.stop` waits for the broker to confirm its connections closed.

Over TLS, closing a connection sends ``close_notify`` and waits for the broker's reply, and the
broker reads nothing from a connection while it holds that connection's fetch: an idle reader's
stop waited up to ``FETCH_MAX_WAIT_MS`` for it. A dispatcher has six readers; stopped one after
the other, it took 13-32 s to exit over SASL_SSL (plaintext: 0.2 s), and a supervisor's kill after
30 s (systemd's and Kubernetes' default) cut some of those stops short. A reader holds no group and
commits nothing, so nothing waits on that reply: its sockets are closed either way and the
remaining TLS goodbye finishes in the background, or with the process."""

GATHER_MS = 250
GATHER_BYTES = 16384
"""A reader that gathers (``gather=True``): after a fetch that brought records, the next waits up to
``GATHER_MS`` for ``GATHER_BYTES``. For topics a process writes at the rate of alerts and reads back
without hurry (the dispatcher's sightings and review items, about one record per alert): each record
woke its reader's fetch, one request to the broker per record (25 a second each at 1,000 events/s).
A fetch after a quiet spell still ends at the first record (docs/benchmarks.md, "The dispatcher's
requests")."""

StartOffsets = Callable[[dict[int, int], dict[int, int]], dict[int, int] | None]
"""``start(begin, end)`` -> the offset to read each partition from, or None: from the beginning."""

Apply = Callable[[bytes | None, bytes | None], str | None]
"""Apply one record ``(key, value)`` (value None: a tombstone); return why it was refused, or None."""


_closing: set[asyncio.Future[None]] = set()
"""Readers' consumers still closing after their stop returned (held here until they are done)."""


def _closed(closing: asyncio.Future[None]) -> None:
    _closing.discard(closing)
    if not closing.cancelled() and (exc := closing.exception()) is not None:
        log.warning("a stopped reader's connections closed with an error", error=type(exc).__name__)


class CompactedReader:
    """Every record of ``topic``, from the beginning, handed to ``apply``, for as long as it runs.

    ``start()`` opens it and follows the topic in a task of its own; a host with its own task
    management (a Faust worker's ``mode.Service``) calls ``open()`` and runs ``run()`` itself.
    Raises :class:`~infra.TopicNotFound` at start if the topic does not exist.
    """

    def __init__(self, topic: str, client_kwargs: dict[str, Any], apply: Apply, *, gather: bool = False) -> None:
        self.topic = topic
        self.client_kwargs = client_kwargs
        self.apply = apply
        self.gather = gather
        self.ready = asyncio.Event()
        self.refused = 0
        self._consumer: AIOKafkaConsumer | None = None
        self._ends: dict[TopicPartition, int] = {}
        self._task: asyncio.Task[None] | None = None
        self.next_offsets: dict[int, int] = {}
        """Per partition, the offset after the last record applied, or the one it started from."""

    async def open(self, start: StartOffsets | None = None) -> None:
        """Assign every partition, from the beginning, and note the end offsets to catch up with.

        ``start(begin, end)``, given the log start and end offset of each partition, may return
        the offset to read each partition from instead (a host that restored its state from a
        local snapshot), or ``None`` to read from the beginning."""
        tps = await topic_partitions(self.client_kwargs, [self.topic], required=True)
        consumer = AIOKafkaConsumer(enable_auto_commit=False, auto_offset_reset="earliest", group_id=None,
                                    fetch_max_wait_ms=FETCH_MAX_WAIT_MS, **self.client_kwargs)
        await consumer.start()
        if self.gather:
            adapt_fetch_wait(fetcher_of(consumer), FETCH_MAX_WAIT_MS, FETCH_MAX_WAIT_MS,
                             gather_ms=GATHER_MS, gather_bytes=GATHER_BYTES)
        try:
            # the end offsets first: once assigned, the consumer's first fetch (held by the broker for up
            # to FETCH_MAX_WAIT_MS on a quiet topic) would queue this request behind it on the connection
            self._ends = await consumer.end_offsets(tps)
            begins = {tp.partition: o for tp, o in (await consumer.beginning_offsets(tps)).items()}
            consumer.assign(tps)
            chosen = start(begins, {tp.partition: o for tp, o in self._ends.items()}) if start is not None else None
            if chosen is None:
                await consumer.seek_to_beginning(*tps)
                self.next_offsets.update(begins)
            else:
                for tp in tps:
                    consumer.seek(tp, chosen[tp.partition])
                self.next_offsets.update(chosen)
        except BaseException:
            await consumer.stop()
            raise
        self._consumer = consumer

    async def start(self) -> None:
        """:meth:`open`, then follow the topic in a background task until :meth:`stop`."""
        await self.open()
        self._task = asyncio.create_task(self.run(), name=f"compacted:{self.topic}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._consumer is not None:
            consumer, self._consumer = self._consumer, None
            closing = asyncio.ensure_future(consumer.stop())
            await asyncio.wait([closing], timeout=CLOSE_WAIT_S)
            if closing.done():
                closing.result()
            else:  # finishing in the background (CLOSE_WAIT_S)
                _closing.add(closing)
                closing.add_done_callback(_closed)

    async def position(self, partition: int) -> int:
        """The offset of the next record this reader will apply on ``partition``."""
        assert self._consumer is not None, "open() first"
        return int(await self._consumer.position(TopicPartition(self.topic, partition)))

    async def _caught_up(self) -> bool:
        assert self._consumer is not None
        for tp, end in self._ends.items():
            if await self._consumer.position(tp) < end:
                return False
        return True

    async def run(self) -> None:
        """Apply records until stopped (returns when the consumer is stopped)."""
        consumer = self._consumer
        assert consumer is not None, "open() first"
        with contextlib.suppress(ConsumerStoppedError):
            while True:
                if not self.ready.is_set() and await self._caught_up():
                    self.ready.set()
                    log.info("compacted topic loaded", topic=self.topic, refused=self.refused)
                batches = await consumer.getmany(timeout_ms=500, max_records=5000)
                for tp, records in batches.items():
                    if records:  # before applying: no await between here and the last apply
                        self.next_offsets[tp.partition] = records[-1].offset + 1
                    for rec in records:
                        error = self.apply(rec.key, rec.value)
                        if error:
                            self.refused += 1
                            log.warning("record refused", topic=rec.topic, partition=rec.partition,
                                        offset=rec.offset, error=error)


class Undecoded(MutableMapping[str, V]):
    """A ``key -> value`` mapping that keeps each value as its JSON bytes and decodes it when read.

    For state that grows with traffic and is read seldom: a dispatcher's review items (each holds a
    whole alert) and sightings, its delivery outcomes. Decoded, each is objects the garbage collector
    tracks (every model and its fields-set, every list: a dozen or more for a review item, two for
    an outcome), and each full collection walks all of them: at a few hundred thousand, a pause of
    200 ms in which no SMS goes out (docs/benchmarks.md, "The dispatcher's collector pauses").
    Bytes are not tracked. Reading decodes again (a new object each time: treat it as a copy);
    writing encodes (``encode``).
    """

    __slots__ = ("_raw", "decode", "encode")

    def __init__(self, decode: Callable[[bytes], V], encode: Callable[[V], bytes]) -> None:
        self._raw: dict[str, bytes] = {}
        self.decode, self.encode = decode, encode

    def __getitem__(self, key: str) -> V:
        return self.decode(self._raw[key])

    def __setitem__(self, key: str, value: V) -> None:
        self._raw[key] = self.encode(value)

    def __delitem__(self, key: str) -> None:
        del self._raw[key]

    def __contains__(self, key: object) -> bool:
        return key in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def get_raw(self, key: str) -> bytes | None:
        """The stored bytes of ``key``, not decoded."""
        return self._raw.get(key)

    def put_raw(self, key: str, raw: bytes) -> None:
        """Store ``raw`` as the value of ``key`` as it is (already checked by the caller)."""
        self._raw[key] = raw


class CompactedView(CompactedReader, Generic[V]):
    """A live ``key -> value`` view of a compacted topic (``values``), keys decoded as UTF-8.

    ``decode`` turns a value into ``V`` and raises ``ValueError`` (pydantic's ``ValidationError``
    is one) for a bad one, which is refused. A tombstone drops its key, or, with ``tombstone``
    given, keeps the key with that value. ``on_change(key, value)`` is called for every record
    applied once the view is ready, so callers can react to live changes.

    ``gather`` lets records gather into fewer fetches while they flow (:data:`GATHER_MS`).

    With ``encode`` given, ``values`` is :class:`Undecoded`: each record is still decoded once as it
    arrives (a bad one is refused as before), and kept as its bytes (no ``tombstone`` value then).
    """

    def __init__(self, topic: str, client_kwargs: dict[str, Any], decode: Callable[[bytes], V],
                 on_change: Callable[[str, V | None], None] | None = None, tombstone: V | None = None,
                 encode: Callable[[V], bytes] | None = None, *, gather: bool = False) -> None:
        super().__init__(topic, client_kwargs, self._apply, gather=gather)
        if encode is not None and tombstone is not None:
            raise ValueError("a view that keeps bytes (encode) cannot keep a tombstone value")
        self.decode = decode
        self.on_change = on_change
        self.tombstone = tombstone
        self.values: MutableMapping[str, V] = Undecoded(decode, encode) if encode is not None else {}

    def _apply(self, raw_key: bytes | None, raw: bytes | None) -> str | None:
        key = raw_key.decode("utf-8", "replace") if raw_key else ""
        if not key:
            return "record without a key"
        value: V | None
        if raw is None:
            value = self.tombstone
            if value is None:
                if key in self.values:  # (not pop: an Undecoded value would be decoded to be dropped)
                    del self.values[key]
            else:
                self.values[key] = value
        else:
            try:
                value = self.decode(raw)
            except ValidationError as exc:
                return f"invalid value: {describe_validation_error(exc)}"
            except ValueError as exc:  # its message could quote the value: name the error only
                return f"invalid value ({type(exc).__name__})"
            if isinstance(self.values, Undecoded):
                self.values.put_raw(key, raw)  # (checked just above; not encoded again)
            else:
                self.values[key] = value
        if self.on_change is not None and self.ready.is_set():
            self.on_change(key, value)
        return None
