"""If even the dead letter cannot be produced, the record's coordinates are logged and counted, and
nothing is raised into the agent (issue 20)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiokafka.errors import MessageSizeTooLargeError
from structlog.testing import capture_logs

from schemas import Rejected, Response
from streams.dead_letter import send_answer, send_dead_letter


def test_a_dead_letter_that_cannot_be_produced_is_logged_with_its_coordinates_and_counted() -> None:
    lost: list[int] = []
    letter = Rejected.of(b'{"traveler": {"family": "SECRETNAME"}}', topic="events.tips", partition=3, offset=41,
                         error="invalid event")

    async def failing(key: bytes, value: bytes) -> None:
        raise MessageSizeTooLargeError()

    with capture_logs() as logs:
        ok = asyncio.run(send_dead_letter(failing, letter, lambda: lost.append(1)))
    assert ok is False and lost == [1]
    [entry] = [e for e in logs if e["event"] == "dead letter lost"]
    assert (entry["topic"], entry["partition"], entry["offset"]) == ("events.tips", 3, 41)
    assert entry["sha256"] == letter.sha256 and entry["reason"] == "MessageSizeTooLargeError"
    assert "SECRETNAME" not in repr(logs)

    answer = Response(event_id="e-1", agency="ke-immigration", result="rejected", error="x",
                      responded_at=datetime.now(UTC))

    async def no_topic(agency: str) -> object:
        raise RuntimeError("topic creation refused")

    with capture_logs() as logs:
        assert asyncio.run(send_answer(no_topic, answer, letter, lambda: lost.append(2))) is False  # type: ignore[arg-type]
    assert lost == [1, 2] and [e["offset"] for e in logs if e["event"] == "rejection answer lost"] == [41]


def test_a_dead_letter_that_is_produced_reports_success() -> None:
    sent: list[tuple[bytes, bytes]] = []
    letter = Rejected.of(b"x", topic="events.tips", partition=0, offset=1, error="e")

    async def produce(key: bytes, value: bytes) -> None:
        sent.append((key, value))

    assert asyncio.run(send_dead_letter(produce, letter, lambda: None)) is True
    assert sent == [(b"events.tips:0:1", letter.model_dump_json().encode())]
