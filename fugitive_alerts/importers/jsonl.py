"""Our own format: one ``WantedPerson`` JSON object per line (docs/records.md, ``wanted.notices``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from schemas import WantedPerson

from ._common import Row, RowError, Warnings, build_notice
from ._read import json_lines

__all__ = ["read", "convert"]


def read(path: Path) -> Iterator[Row]:
    """The file's lines as rows, read as they are needed (constant memory)."""
    return json_lines(path)


def convert(record: Any, warn: Warnings, source: str | None) -> WantedPerson:
    """The record as it is; ``source`` (``--source``) replaces the record's own when given."""
    if not isinstance(record, dict):
        raise RowError("not a JSON object")
    if source is not None:
        record = {**record, "source": source}
    return build_notice(record)
