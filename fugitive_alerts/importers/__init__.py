"""Wanted lists in their owners' formats, turned into ``WantedPerson`` notices.

One module per format; each has ``read(path) -> list[Row]`` (parsing only) and a pure
``convert(data, warn, source) -> WantedPerson`` that raises ``RowError(reason)`` for a row that
cannot be a notice. Reasons and warnings never carry personal data. docs/wanted-lists.md
describes every format with an example.

    rows = read_rows("interpol", path)
    report = ImportReport(path, "interpol", source="interpol")
    for notice in convert_rows(rows, converter("interpol"), report): ...
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import csv_file, ftm, interpol, jsonl
from ._common import Row, RowError, Warnings
from ._read import InputError
from .report import Convert, ImportReport, Rejection, convert_rows, render_report

__all__ = [
    "FORMATS",
    "CSV_FIELDS",
    "ImportReport",
    "InputError",
    "Rejection",
    "Row",
    "RowError",
    "Warnings",
    "converter",
    "convert_rows",
    "default_source",
    "parse_csv_map",
    "read_rows",
    "read_notices",
    "render_report",
]

FORMATS = ("interpol", "ftm", "csv", "jsonl")
CSV_FIELDS = csv_file.FIELDS
parse_csv_map = csv_file.parse_map
_MODULES: dict[str, Any] = {"interpol": interpol, "ftm": ftm, "csv": csv_file, "jsonl": jsonl}
_NOT_SOURCE = re.compile(r"[^A-Za-z0-9._:/-]+")


def default_source(fmt: str, path: Path) -> str | None:
    """``interpol``, ``opensanctions``, ``csv:<file stem>``; none for jsonl (records keep theirs)."""
    if fmt == "interpol":
        return "interpol"
    if fmt == "ftm":
        return "opensanctions"
    if fmt == "csv":
        stem = _NOT_SOURCE.sub("-", path.stem).strip("-._:/") or "file"
        return f"csv:{stem}"[:64]
    return None


def read_rows(fmt: str, path: Path, csv_map: dict[str, str] | None = None) -> Iterable[Row]:
    """Parse ``path`` into rows. Raises ``InputError`` when the file as a whole is unreadable.

    JSON lines and CSV are read as the rows are consumed (constant memory, whatever the file's
    size); the Interpol document and FtM files (whose entities are joined) are read whole.
    """
    if fmt not in _MODULES:
        raise InputError(f"unknown format {fmt!r}: the formats are {', '.join(FORMATS)}")
    if fmt == "csv":
        return csv_file.read(path, csv_map or {})
    rows: Iterable[Row] = _MODULES[fmt].read(path)
    return rows


def converter(fmt: str) -> Convert:
    convert: Convert = _MODULES[fmt].convert
    return convert


def read_notices(
    fmt: str, path: Path, *, source: str | None = None, csv_map: dict[str, str] | None = None
) -> tuple[list[Any], ImportReport]:
    """Every valid notice of ``path`` and the report (no Kafka): for tests, the demo and batch use."""
    src = source if source is not None else default_source(fmt, path)
    report = ImportReport(path, fmt, src)
    notices = list(convert_rows(read_rows(fmt, path, csv_map), converter(fmt), report))
    return notices, report
