"""The worker's Kafka fetch wait: short while events flow, long while the worker is idle.

Faust hard-codes ``fetch_max_wait_ms=1500``; this makes it a setting, and adapts it.

aiokafka keeps one fetch request in flight per broker, and leaves out of it every partition
whose records are still buffered. While the agent works through a batch of the events
partition, the next request holds only partitions with nothing new (the wanted list, the
other event topics), so the broker keeps it up to ``fetch_max_wait_ms`` before answering, and
the events that arrived meanwhile wait for it. With the 100k list (~150 µs per event) that
happened on every batch at a steady 500 events/s: the worker was half idle and events waited
0.7-1.6 s (docs/benchmarks.md). Hence a short wait, ``FUGITIVE_ALERTS_FAUST_FETCH_MAX_WAIT_MS``
(20 ms).

A short wait costs an empty fetch per wait when idle: 40-50 requests a second from every idle
worker, which was most of the broker's CPU at rest (3% of a core alone, 11% with one idle
worker; docs/benchmarks.md, "Broker CPU"). So the wait adapts: after a fetch that asked for
every assigned partition and got nothing back, with nothing buffered, the next fetch may wait
``IDLE_FETCH_MAX_WAIT_MS``. That costs no latency: a fetch that left no partition out is
answered as soon as any record arrives (``fetch_min_bytes`` is 1). As soon as a fetch brings
records, or leaves a partition out (buffered, paused, being reset), the short wait is back.

While events flow, a fetch with one byte to wait for is answered as soon as one event is there, so at a few
hundred events a second the worker fetched about once per event (386 requests a second at 300/s), and the
broker and the worker each paid for every request. So a fetch of every partition that brought records is
followed by one that waits up to ``FUGITIVE_ALERTS_FAUST_FETCH_GATHER_MS`` (20 ms; see below for the documents
check) for ``FUGITIVE_ALERTS_FAUST_FETCH_GATHER_BYTES`` (2 KiB, about five border crossings): events gather
into fewer, larger batches. The bytes bound the wait by the rate: at 1,000 events/s they are there in about 5
ms, at 300/s in 15-20 ms. It costs latency only while events flow: an event that follows another within the
gather may wait for it, while an empty fetch goes back to one byte and the idle wait, so an event after a
quiet spell is answered at once. Measured against no gather (docs/benchmarks.md, "Gathering fetches by
bytes"): about 40% less CPU per event at 300/s, a third of the worker's requests, and 3-5 ms more on the
median answer. An earlier 10 ms gather for 16 KiB, which never filled and so always waited its 10 ms, cost the
1,000/s event → alert target; with 2 KiB the wait ends early as the rate grows. 0 turns it off.

A table's changelog is the one exception to "left out". Faust pauses it, in its own set, once the table is
read, but aiokafka still fetches it; the worker writes to it (with the documents check, a sighting on every
check), so aiokafka soon holds records of it that Faust will never take, and leaves it out of every later fetch.
Counted as left out, it kept a worker with the documents check from its idle wait for good: 42-50 requests a
second at rest, against 3.4 since, fetches, heartbeats and commits together (docs/benchmarks.md, "The
documents check and the fetch wait"). Such a partition (``held_back``: paused by Faust, and a changelog) does
not count, and neither do its records. An event partition paused in a rebalance, or while its agent's buffer
is full, still counts: its records are taken when it is resumed, and the next fetch of it must not wait behind
an idle one.

With the documents check the worker does not gather by default (``streams.app.fetch_gather_ms``): a crossing's
check record follows its event within a millisecond, and a gathering fetch would hold it for the whole gather.

The fetcher's wait, its buffered records and its response handler are private attributes of
aiokafka's ``Fetcher``: the adaptation itself is ``infra._compat.adapt_fetch_wait``, with the other
uses of aiokafka's private API (the dispatcher's views of compacted topics gather the same way).

The same subclass sets the consumer's ``client_rack`` (KIP-392, ``Settings.client_rack``), which
Faust does not pass either: with brokers that have a rack-aware replica selector, the worker then
fetches from an in-sync replica in its own rack or zone (docs/reliability.md, "Production settings").

The same subclass hands each fetch a view of Faust's active partitions that is read when the
fetch takes its records, and is never "every partition" to aiokafka (``ActivePartitions``;
docs/architecture.md, "Workers hold no Faust table").

The same subclass runs in the worker's own event loop rather than in a thread of its own, unless
``consumer_thread`` asks for Faust's thread (``streams/consumer_loop.py``).

The same subclass puts back the records Faust takes from aiokafka and does not hand to an agent
(``streams/put_back.py``), and never commits an ack made during a rebalance, or of a message
fetched under an older consumer generation (``Consumer.ack``): such messages are read again after
the rebalance.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types.tuples import ack_lock
from mode.utils.futures import notify

from infra._compat import adapt_fetch_wait, fetcher_of, set_client_rack

from .consumer_loop import InLoop
from .put_back import put_back, undelivered

__all__ = ["IDLE_FETCH_MAX_WAIT_MS", "ActivePartitions", "held_back", "set_fetch_max_wait"]

IDLE_FETCH_MAX_WAIT_MS = 1000
"""The wait of a fetch that follows an empty one: an idle worker asks the broker once a second."""


class ActivePartitions:
    """Faust's live set of active partitions, as the filter of the records an aiokafka fetch takes.

    aiokafka's ``Fetcher.fetched_records`` takes the buffered records of every partition in the set it is
    given, and of *every* partition if that set is empty. It reads the set when records are there, which can
    be long after the fetch began. Faust drops the records of a partition that is not active by the time they
    come back, and nothing seeks aiokafka back to them. Two ways of passing the set both lost events:

    - Faust's live set: a recovery that pauses its last active partitions (the changelogs, once read) while
      a fetch waits leaves it empty, so the fetch takes the stream's prefetched backlog and Faust drops it.
    - A copy: a fetch that began before a rebalance still names the old generation's stream partitions.
      It takes the records the recovery's seek has just made available, while Faust still holds those
      partitions paused, and Faust drops them. The next fetch starts after them, and Faust counts the jump
      in offsets as a gap it may commit (a survivor of a failover left events unanswered).

    This view reads the live set when the records are taken, so a fetch takes only what Faust hands to an
    agent, and it is never empty in aiokafka's sense. aiokafka only tests it for truth and membership.
    """

    __slots__ = ("_live",)

    def __init__(self, live: AbstractSet[Any]) -> None:
        self._live = live

    def __contains__(self, tp: object) -> bool:
        return tp in self._live

    def __bool__(self) -> bool:
        return True  # "no partition" when the live set is empty, never aiokafka's "every partition"


def held_back(consumer: Any) -> Callable[[Any], bool]:
    """Whether Faust holds back the records of a partition until the next rebalance: a table's changelog, which
    Faust pauses (in its own set; aiokafka still fetches it) once the table is read. The worker writes to that
    changelog (the document sightings, on every check), and aiokafka then keeps the records it fetched from it
    buffered for good. An event topic paused during a rebalance, or while its agent's buffer is full, is not:
    its records are taken as soon as it is resumed."""
    paused: AbstractSet[Any] = consumer._paused_partitions  # Faust's live set (Consumer.pause_partitions)
    tables = consumer.app.tables

    def held(tp: Any) -> bool:
        return tp in paused and tp.topic in tables.changelog_topics
    return held


def set_fetch_max_wait(app: faust.App, ms: int, client_rack: str | None = None,
                       idle_ms: int = IDLE_FETCH_MAX_WAIT_MS, *, gather_ms: int = 0, gather_bytes: int = 1,
                       consumer_thread: bool = False) -> None:
    """Make ``app``'s worker consumer fetch with ``fetch_max_wait_ms=ms``, ``idle_ms`` while idle and
    ``gather_ms``/``gather_bytes`` while records flow (:func:`adapt_fetch_wait`), and from ``client_rack``,
    if given. Without ``consumer_thread`` the consumer runs in the worker's own loop (``streams.consumer_loop``).

    Call before the worker starts.
    """

    class ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
        def _create_worker_consumer(self, transport: Any) -> Any:
            consumer = super()._create_worker_consumer(transport)
            consumer._fetch_max_wait_ms = ms  # read by AIOKafkaConsumer.start() when it builds its Fetcher
            if client_rack:
                set_client_rack(consumer, client_rack)
            return consumer

        async def on_start(self) -> None:
            await super().on_start()  # starts the aiokafka consumer, which builds its Fetcher
            if idle_ms > ms or gather_ms:
                adapt_fetch_wait(fetcher_of(self._consumer), ms, idle_ms, gather_ms=gather_ms,
                                 gather_bytes=gather_bytes, held=held_back(self.consumer))

        async def put_back(self, left: Mapping[Any, tuple[int, int]]) -> list[tuple[Any, int]]:
            """:func:`streams.put_back.put_back` in the consumer's thread."""
            sought: list[tuple[Any, int]] = await self.call_thread(put_back, self._ensure_consumer(), left)
            return sought

    thread_class: type[ConsumerThread] = ConsumerThread
    if not consumer_thread:
        class InLoopConsumerThread(InLoop, ConsumerThread):
            pass

        thread_class = InLoopConsumerThread

    class Consumer(faust_aiokafka.Consumer):
        _taken: Mapping[Any, Sequence[Any]] = {}  # what the last fetch took out of aiokafka

        def _new_consumer_thread(self) -> Any:
            return thread_class(self, loop=self.loop, beacon=self.beacon)

        async def _getmany(self, active_partitions: Any, timeout: float) -> Any:
            # Membership is read when the records are taken, which may be after a rebalance or a recovery has
            # paused partitions: the fetch takes only what Faust still hands to an agent (ActivePartitions).
            view = None if active_partitions is None else ActivePartitions(active_partitions)
            taken = await super()._getmany(view, timeout)  # type: ignore[arg-type]  # aiokafka only tests truth and membership
            self._taken = taken
            return taken

        async def getmany(self, timeout: float) -> AsyncIterator[tuple[Any, Any]]:
            # Faust drops some of the records a fetch took (a rebalance began, a partition was paused) without
            # seeking aiokafka back to them; whatever was taken and not handed over is put back (streams/put_back.py).
            self._taken = {}
            delivered: dict[Any, int] = {}
            async for tp, message in super().getmany(timeout):
                delivered[tp] = message.offset
                yield tp, message
            left = undelivered(self._taken, delivered)
            if left:
                thread: Any = self._thread
                await thread.put_back(left)

        def ack(self, message: Any) -> bool:
            # Faust's stream skips a message fetched under an older consumer generation, or met while a rebalance
            # has suspended the flow, and acks it anyway; agents also finish the batch they held when the rebalance
            # began. The revocation has already dropped the partition's acked offsets, so a commit during the
            # rebalance would count from this ack alone and could move past messages that the rebalance cleared
            # unhandled. An ack during a rebalance, or of an older generation's message, only releases the message
            # and is never committed: the message is read again after the seek (at least once). Transactions keep
            # Faust's ack.
            app = self.app
            if app.in_transaction or not (app.rebalancing or message.generation_id != app.consumer_generation_id):
                return bool(super().ack(message))
            with ack_lock:
                if not message.acked:
                    message.acked = True
                    self._unacked_messages.discard(message)
                notify(self._waiting_for_ack)
            return False

    app.transport.Consumer = Consumer  # type: ignore[misc]  # Faust reads the class from the transport instance
