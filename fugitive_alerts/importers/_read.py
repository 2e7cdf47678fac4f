"""Reading input files into rows: JSON lines, and one JSON document or JSON lines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from schemas.errors import FugitiveAlertsError

from ._common import Row

__all__ = ["InputError", "json_lines", "json_document_or_lines"]


class InputError(FugitiveAlertsError, ValueError):
    """The file as a whole cannot be read (not UTF-8, not JSON, a bad CSV mapping): exit 2."""


def _parse_line(raw: bytes, where: str) -> Row:
    try:
        return Row(where, orjson.loads(raw))
    except orjson.JSONDecodeError:
        return Row(where, error="not valid JSON")


def json_lines(path: Path) -> Iterator[Row]:
    """One row per non-blank line, ``where`` = ``line N``, read as the file is read (constant memory)."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            raw = raw.strip()
            if raw:
                yield _parse_line(raw, f"line {number}")


def json_document_or_lines(path: Path) -> tuple[Any, list[Row] | None]:
    """The file as one JSON document ``(doc, None)``, or, if it is not one, as JSON lines ``(None, rows)``."""
    data = path.read_bytes()
    try:
        return orjson.loads(data), None
    except orjson.JSONDecodeError:
        pass
    rows = list(json_lines(path))
    if rows and all(r.error for r in rows):
        raise InputError(f"{path.name} is neither a JSON document nor JSON lines")
    return None, rows
