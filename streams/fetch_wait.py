"""The worker's Kafka fetch wait: Faust hard-codes ``fetch_max_wait_ms=1500``; this makes it a setting.

aiokafka keeps one fetch request in flight per broker, and leaves out of it every partition
whose records are still buffered. While the agent works through a batch of the events
partition, the next request holds only partitions with nothing new (the wanted list, the
other event topics), so the broker keeps it up to ``fetch_max_wait_ms`` before answering, and
the events that arrived meanwhile wait for it. With the 100k list (~150 µs per event) that
happened on every batch at a steady 500 events/s: the worker was half idle and events waited
0.7-1.6 s (docs/benchmarks.md). A short wait costs an empty fetch per wait when idle.

The same subclass sets the consumer's ``client_rack`` (KIP-392, ``Settings.client_rack``), which
Faust does not pass either: with brokers that have a rack-aware replica selector, the worker then
fetches from an in-sync replica in its own rack or zone (docs/reliability.md, "Production settings").
"""

from __future__ import annotations

from typing import Any

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka

__all__ = ["set_fetch_max_wait"]


def set_fetch_max_wait(app: faust.App, ms: int, client_rack: str | None = None) -> None:
    """Make ``app``'s worker consumer fetch with ``fetch_max_wait_ms=ms`` (and ``client_rack``, if given).
    Call before the worker starts."""

    class ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
        def _create_worker_consumer(self, transport: Any) -> Any:
            consumer = super()._create_worker_consumer(transport)
            # both read by AIOKafkaConsumer.start() when it builds its Fetcher
            consumer._fetch_max_wait_ms = ms
            if client_rack:
                consumer._client_rack = client_rack
            return consumer

    class Consumer(faust_aiokafka.Consumer):
        def _new_consumer_thread(self) -> Any:
            return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    app.transport.Consumer = Consumer  # type: ignore[misc]  # Faust reads the class from the transport instance
