"""Keep every topic the worker produces to in its producer's metadata (aiokafka 0.14, issue #1018).

An aiokafka client fetches metadata for the topics it tracks (``client._topics``), or for all topics
while it tracks none. A send adds its topic only when the topic is missing from the cached metadata
(``AIOKafkaClient._wait_on_metadata``), so a topic first learnt from a fetch of all topics is never
tracked; Faust's ``create_topic`` makes exactly such fetches (``client.force_metadata_update()`` after
creating a topic, while the client tracks none). The first send to a topic the cache lacks then
tracks that topic alone, the next fetch asks for it alone, and ``ClusterMetadata.update_metadata``
replaces the cache: every other topic is gone from it. A batch already waiting for such a topic
(lingering, or re-enqueued after a ``NotLeaderForPartition``, e.g. on a topic just created) has no
leader any more; the sender asks for metadata again at once, which again lacks the topic, in a loop
without backoff until the batch expires (``request_timeout_ms``: 20 minutes under Faust). Nothing
sends to the topic again to heal it when the worker waits for that record. Tracking every topic
before its first record is handed over keeps it in every fetch.
"""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

__all__ = ["track_topic"]


def track_topic(producer: AIOKafkaProducer, topic: str) -> None:
    """Have ``producer``'s client fetch metadata for ``topic`` from now on (once per topic and client).

    Call it before handing the topic's first record to the producer. A topic new to the client
    starts a metadata refresh in the background (``AIOKafkaClient.add_topic``), which the send that
    follows waits for if it needs it."""
    client = producer.client
    if topic not in client._topics:  # the topics the client fetches metadata for (none: all topics)
        client.add_topic(topic)
