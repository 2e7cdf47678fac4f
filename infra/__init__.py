"""Plumbing shared by ``streams``, ``consumers`` and the shell: Kafka readers and helpers, web middleware.

No business rule lives here: nothing about notices, alerts, bureaus or officers. It may import
``schemas`` only, and ``streams``, ``consumers`` and ``fugitive_alerts`` may import it, so one
Kafka helper serves them all without an arrow between ``streams`` and ``consumers``.
"""

from .compacted import Apply, CompactedReader, CompactedView, StartOffsets, Undecoded
from .topics import TopicMetadata, TopicNotFound, topic_partitions

__all__ = ["Apply", "CompactedReader", "CompactedView", "StartOffsets", "TopicMetadata", "TopicNotFound", "Undecoded",
           "topic_partitions"]
