"""The dead letter on ``events.rejected``: where a refused record was, a bounded prefix of it, and why.

    {topic, partition, offset, raw (base64 of at most ``raw_prefix`` bytes), length, sha256, error}

A hostile or broken record can be as large as the broker allows (megabytes). Its dead letter is
not: it keeps the first bytes (``FUGITIVE_ALERTS_DEAD_LETTER_RAW_BYTES``, 4 KiB by default), the
record's full length and the SHA-256 of the whole record, so an operator can match it with the
agency's copy. The error is cut to ``ERROR_CHARS``. A dead letter is therefore at most
:func:`rejected_max_bytes` long, far below any producer's limit.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Annotated

from pydantic import Field

from ._base import WireModel

__all__ = ["DEFAULT_RAW_PREFIX", "ERROR_CHARS", "MAX_RAW_PREFIX", "Rejected", "rejected_max_bytes"]

DEFAULT_RAW_PREFIX = 4096
MAX_RAW_PREFIX = 64 * 1024
ERROR_CHARS = 1000
_TOPIC_CHARS = 249  # Kafka's own limit on a topic name


def rejected_max_bytes(raw_prefix: int = DEFAULT_RAW_PREFIX) -> int:
    """The largest dead letter (JSON, UTF-8) for a given raw prefix: base64 of the prefix, the
    error (each character at most 6 bytes once JSON-escaped), the topic, and 512 bytes of the rest."""
    return -(-raw_prefix // 3) * 4 + ERROR_CHARS * 6 + _TOPIC_CHARS + 512


class Rejected(WireModel):
    """Dead-letter record on ``events.rejected``: where the bad record was, a prefix of it, and why."""

    topic: Annotated[str, Field(max_length=_TOPIC_CHARS)]
    partition: int
    offset: int
    raw: str
    """Base64 of the record's first bytes (at most the configured prefix)."""
    length: int = Field(ge=0)
    """The length of the whole record in bytes."""
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    """Hex SHA-256 of the whole record."""
    error: Annotated[str, Field(max_length=ERROR_CHARS)]

    @classmethod
    def of(cls, raw: bytes | None, *, topic: str, partition: int, offset: int, error: str,
           raw_prefix: int = DEFAULT_RAW_PREFIX) -> Rejected:
        """The dead letter of ``raw``: never longer than :func:`rejected_max_bytes` of ``raw_prefix``."""
        data = raw or b""
        if len(error) > ERROR_CHARS:
            error = error[: ERROR_CHARS - 1] + "…"
        return cls(topic=topic[:_TOPIC_CHARS], partition=partition, offset=offset,
                   raw=base64.b64encode(data[: max(0, min(raw_prefix, MAX_RAW_PREFIX))]).decode("ascii"),
                   length=len(data), sha256=hashlib.sha256(data).hexdigest(), error=error)
