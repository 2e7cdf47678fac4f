"""Records that Faust took out of aiokafka but did not hand to an agent are put back (sought to again).

aiokafka moves a partition's position past the records a fetch takes. Faust's ``Consumer.getmany`` then
drops some of them without telling aiokafka:

- all of them, when the fetch returns while the flow is stopped (a rebalance began): it seeks every
  partition to its committed offset, but a partition with no committed offset yet (one whose owner died
  before its first commit) is not sought, so it goes on after the dropped records;
- the rest of the batch, when a rebalance begins while it hands the batch over;
- those of a partition that is no longer active (paused by a rebalance or a recovery).

A survivor of a failover thus started the dead worker's uncommitted partition after 95 events it never
answered, and committed past them. :func:`put_back` seeks each partition to its first record not handed
over, in the consumer's own loop and only if aiokafka's position is still where the fetch left it: a seek
made since (a recovery seeking to the committed offsets) wins, and a partition no longer assigned is left
to whoever owns it now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import structlog
from aiokafka.structs import TopicPartition

__all__ = ["position_now", "put_back", "undelivered"]

log = structlog.get_logger(__name__)


def undelivered(taken: Mapping[Any, Sequence[Any]], delivered: Mapping[Any, int]) -> dict[Any, tuple[int, int]]:
    """``{tp: (first offset not handed over, position the fetch left)}`` for each partition with such records.

    ``taken`` is what the fetch returned (records with ``.offset``, in order); ``delivered`` the last offset
    handed over per partition."""
    left = {}
    for tp, records in taken.items():
        if not records:
            continue
        last, end = delivered.get(tp), records[-1].offset
        if last is not None and last >= end:
            continue  # all handed over: the usual case, decided without reading the batch again
        first = records[0].offset if last is None else next(r.offset for r in records if r.offset > last)
        left[tp] = (first, end + 1)
    return left


async def put_back(consumer: Any, left: Mapping[Any, tuple[int, int]]) -> list[tuple[Any, int]]:
    """Seek ``consumer`` (aiokafka's, in the consumer's loop) back to each first record not handed over.

    Only where the partition is still assigned and its position is still the one the fetch left; returns the
    ``(tp, offset)`` sought. Nothing here waits, so nothing else moves a position between reading and seeking,
    and a partition being reset is left to its reset. An unexpected error is logged, never raised into the
    fetch loop."""
    sought = []
    for tp, (first, fetched_to) in left.items():
        atp = TopicPartition(tp.topic, tp.partition)
        try:
            if position_now(consumer, atp) != fetched_to:
                continue
            consumer.seek(atp, first)
        except Exception as exc:  # noqa: BLE001 - never stop the fetch loop; the rebalance's seek still applies
            log.warning("records taken but not handed over: not sought back", topic=tp.topic,
                        partition=tp.partition, offset=first, reason=type(exc).__name__)
            continue
        sought.append((tp, first))
        log.info("records taken but not handed over: sought back", topic=tp.topic, partition=tp.partition,
                 offset=first, records=fetched_to - first)
    return sought


def position_now(consumer: Any, tp: TopicPartition) -> int | None:
    """aiokafka's position of ``tp`` if it is assigned and valid right now, else None (``position()`` would wait).

    Reads aiokafka's subscription state (private, checked on aiokafka 0.14, which pyproject.toml pins)."""
    subscription = consumer._subscription.subscription
    assignment = None if subscription is None else subscription.assignment
    if assignment is None or tp not in assignment.tps:
        return None
    state = assignment.state_value(tp)
    return int(state.position) if state.has_valid_position else None
