"""The agent tier: a Faust app whose producer keeps what the agents send, for ``agent.test_context()``.

No broker. The agent under test is the real one, registered by the real ``add_*_agent`` function;
only the app's producer is replaced, at the one place every Faust send goes through
(``app.producer``), by :class:`RecordingProducer`.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import faust
from faust.types import TP
from faust.types.tuples import RecordMetadata

__all__ = ["RecordingProducer", "Sent", "recording_app"]


@dataclass(frozen=True, slots=True)
class Sent:
    topic: str
    key: bytes | None
    value: bytes | None
    headers: Any

    def json(self) -> Any:
        return json.loads(self.value or b"null")


class RecordingProducer:
    """Stands in for the app's Kafka producer: each send is kept, and acknowledged at once."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.declared: list[str] = []
        self._changed = asyncio.Condition()

    async def maybe_start(self) -> None:
        return None

    async def create_topic(self, topic: str, partitions: int, replication: int, **kwargs: Any) -> None:
        self.declared.append(topic)

    async def send(self, topic: str, key: bytes | None, value: bytes | None, partition: int | None,
                   timestamp: float | None, headers: Any, *, transactional_id: str | None = None) -> asyncio.Future[Any]:
        offset = sum(1 for s in self.sent if s.topic == topic)
        self.sent.append(Sent(topic, key, value, headers))
        async with self._changed:
            self._changed.notify_all()
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        fut.set_result(RecordMetadata(topic=topic, partition=0, topic_partition=TP(topic, 0), offset=offset,
                                      timestamp=timestamp, timestamp_type=0))
        return fut

    def to(self, topic: str) -> list[Sent]:
        return [s for s in self.sent if s.topic == topic]

    async def wait_for(self, topic: str, count: int, timeout: float = 10.0) -> list[Sent]:
        """The records sent to ``topic`` once there are ``count`` of them (fails after ``timeout`` s)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.to(topic)) >= count), timeout)
        return self.to(topic)


def recording_app(app_id: str) -> tuple[faust.App, RecordingProducer]:
    """A Faust app (never connected: its broker is a closed port) with a :class:`RecordingProducer`."""
    app = faust.App(app_id, broker="kafka://127.0.0.1:1", store="memory://", key_serializer="raw",
                    value_serializer="raw", web_enabled=False)
    producer = RecordingProducer()
    app.producer = producer  # type: ignore[assignment]
    app.finalize()
    return app, producer
