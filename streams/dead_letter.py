"""Dead letters and rejection answers, produced inside the agents' error boundary.

A refused record always leaves a trace: a dead letter on ``events.rejected`` (a bounded prefix,
the length and SHA-256, and the reason: ``schemas.Rejected``) and, when the publishing agency is
known, a ``rejected`` answer on ``responses.<agency>``. If even producing those fails, the
record's coordinates are logged and counted (``fugitive_alerts_dead_letters_lost_total``) and the
agent goes on with the next record.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog

from schemas import Rejected, Response

__all__ = ["Produce", "oversize_error", "send_dead_letter", "send_answer"]

log = structlog.get_logger(__name__)

Produce = Callable[[bytes, bytes], Awaitable[object]]
"""Hand ``(key, value)`` to the producer for one topic."""


def oversize_error(raw: bytes | None, limit: int) -> str | None:
    """The reason to refuse ``raw`` before decoding it, or ``None`` when it is within ``limit`` bytes."""
    size = len(raw or b"")
    if size <= limit:
        return None
    return (f"record of {size} bytes is larger than the limit of {limit} bytes "
            "(FUGITIVE_ALERTS_MAX_RECORD_BYTES); it was not decoded")


async def send_dead_letter(produce: Produce, rejected: Rejected, on_lost: Callable[[], None]) -> bool:
    """Produce the dead letter; on any failure log the record's coordinates, call ``on_lost``, return False."""
    try:
        await produce(f"{rejected.topic}:{rejected.partition}:{rejected.offset}".encode(),
                      rejected.model_dump_json().encode())
    except Exception as exc:  # noqa: BLE001 - the agent's error boundary: never crash on a dead letter
        log.error("dead letter lost", topic=rejected.topic, partition=rejected.partition, offset=rejected.offset,
                  length=rejected.length, sha256=rejected.sha256, reason=type(exc).__name__)
        on_lost()
        return False
    return True


async def send_answer(produce: Callable[[str], Awaitable[Produce]], answer: Response, rejected: Rejected,
                      on_lost: Callable[[], None]) -> bool:
    """Produce the agency's ``rejected`` answer; on failure log the coordinates and call ``on_lost``."""
    try:
        send = await produce(answer.agency)
        await send(answer.event_id.encode(), answer.model_dump_json().encode())
    except Exception as exc:  # noqa: BLE001 - the agent's error boundary
        log.error("rejection answer lost", topic=rejected.topic, partition=rejected.partition,
                  offset=rejected.offset, agency=answer.agency, reason=type(exc).__name__)
        on_lost()
        return False
    return True
