"""Which partitions a topic has, from the cluster's metadata, on aiokafka's public admin API.

A group-less consumer must ``assign()`` partitions itself, and ``AIOKafkaConsumer.partitions_for_topic``
only knows topics already in the consumer's cached metadata. :class:`TopicMetadata` asks the
cluster instead, with ``AIOKafkaAdminClient.describe_topics()``. It asks for *all* topics (the
topics this client may describe) and picks the wanted ones: a metadata request that names a
missing topic would let a broker with ``auto.create.topics.enable`` create it with its default
partition count, which Faust then refuses (``PartitionsMismatch``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from schemas.errors import FugitiveAlertsError

__all__ = ["TopicMetadata", "TopicNotFound", "topic_partitions"]


class TopicNotFound(FugitiveAlertsError, RuntimeError):
    """A topic a reader needs does not exist (or this client may not describe it)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = sorted(names)
        super().__init__(f"topic(s) not found: {', '.join(self.names)}. The worker and the dispatcher create the "
                         "project's topics at start (`fugitive-alerts worker`); with ACLs on, this client may "
                         "also lack DESCRIBE on them")


class TopicMetadata:
    """An admin connection that answers "which partitions has this topic?" and "is Kafka up?".

    Keep one open where the question comes back (a view that picks up new partitions, a lag
    monitor); :func:`topic_partitions` opens one for a single answer.
    """

    def __init__(self, client_kwargs: dict[str, Any], *, request_timeout_ms: int = 15000) -> None:
        self._admin = AIOKafkaAdminClient(**{**client_kwargs, "request_timeout_ms": request_timeout_ms})
        self._closed = False

    @property
    def admin(self) -> AIOKafkaAdminClient:
        """The admin client underneath, for the calls this class does not wrap."""
        return self._admin

    async def start(self) -> None:
        await self._admin.start()

    async def close(self) -> None:
        """Close the connections (also those of a start that failed half-way)."""
        if not self._closed:
            self._closed = True
            await self._admin.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def partitions(self, names: Iterable[str]) -> dict[str, list[int]]:
        """``topic -> sorted partition ids`` for each of ``names`` that exists; missing ones are left out."""
        wanted = set(names)
        if not wanted:
            return {}
        out: dict[str, list[int]] = {}
        for topic in await self._admin.describe_topics():
            name = topic["topic"]
            if name in wanted and not topic["error_code"] and topic["partitions"]:
                out[name] = sorted(p["partition"] for p in topic["partitions"])
        return out

    async def topic_partitions(self, names: Iterable[str], *, required: bool = False) -> list[TopicPartition]:
        """Every partition of ``names``, in the order given and by partition number.

        ``required``: raise :class:`TopicNotFound` naming the missing topics, rather than leave them out.
        """
        names = list(dict.fromkeys(names))
        found = await self.partitions(names)
        if required and (missing := [n for n in names if n not in found]):
            raise TopicNotFound(missing)
        return [TopicPartition(n, p) for n in names for p in found.get(n, ())]

    async def describe_cluster(self) -> dict[str, Any]:
        """The cluster's brokers and controller (a cheap "is Kafka up?" question)."""
        result: dict[str, Any] = await self._admin.describe_cluster()
        return result


async def topic_partitions(client_kwargs: dict[str, Any], names: Iterable[str], *,
                           required: bool = False) -> list[TopicPartition]:
    """Every partition of ``names`` (see :meth:`TopicMetadata.topic_partitions`), on a connection of its own."""
    async with TopicMetadata(client_kwargs) as metadata:
        return await metadata.topic_partitions(names, required=required)
