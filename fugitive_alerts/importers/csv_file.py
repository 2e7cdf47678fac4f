"""CSV wanted lists, with a header mapping given on the command line.

``--map`` takes ``field=Column`` pairs, separated by commas, and may be repeated:

    --map "notice_id=Reference,given=First name,family=Surname" --map "birth_date=Date of birth"

A column name is matched case-insensitively, ignoring surrounding spaces; a column whose name
holds a comma needs a ``--map`` of its own (``--map "offence=Charges, translated"``). Without
``--map``, columns named after the fields themselves are used. Multi-valued fields (``alias``,
``birth_date``, ``nationality``, ``passport``, ``id_number``, ``offence``) split a cell on ``;``.
The delimiter (``,``, ``;``, tab or ``|``) is read from the header line. The file is UTF-8
(a byte-order mark is fine). Rows are read as the file is read (constant memory); a row that is
not UTF-8, or has a cell over 64 Ki characters, is rejected with its line number and the other
rows are kept.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from schemas import WantedPerson

from ._common import (
    Row,
    RowError,
    Warnings,
    build_notice,
    countries,
    country,
    document,
    offence,
    partial_date,
    sex,
    unique_names,
)
from ._read import InputError

__all__ = ["FIELDS", "MULTI", "parse_map", "read", "convert"]

FIELDS = (
    "notice_id",
    "given",
    "family",
    "full_name",
    "alias",
    "birth_date",
    "sex",
    "nationality",
    "passport",
    "id_number",
    "document_country",
    "requesting_country",
    "offence",
    "notice_type",
    "status",
    "caution",
)
MULTI = frozenset({"alias", "birth_date", "nationality", "passport", "id_number", "offence"})
_PAIR = re.compile(r"^\s*([A-Za-z_]+)\s*=\s*(.*?)\s*$")


def parse_map(specs: list[str]) -> dict[str, str]:
    """``["given=First Name,family=Surname"]`` -> ``{"given": "First Name", "family": "Surname"}``.

    Raises ``InputError`` with what is wrong and how to write it.
    """
    mapping: dict[str, str] = {}
    for spec in specs:
        # A repeated --map may hold one pair whose column has a comma: take it whole.
        pairs = [spec.strip().strip(",")] if spec.count("=") == 1 else spec.split(",")
        for pair in pairs:
            if not pair.strip():
                continue
            m = _PAIR.match(pair)
            if not m or not m.group(2):
                raise InputError(f"--map: {pair.strip()!r} is not field=Column (e.g. given=First Name)")
            name, column = m.group(1).lower(), m.group(2)
            if name not in FIELDS:
                raise InputError(f"--map: unknown field {name!r}; the fields are: {', '.join(FIELDS)}")
            if name in mapping:
                raise InputError(f"--map: field {name!r} is mapped twice")
            mapping[name] = column
    return mapping


def _check_map(mapping: dict[str, str], header: list[str], name: str) -> dict[str, int]:
    if not mapping:
        raise InputError(
            f"{name}: no --map given, and no column is named after a field "
            f'(e.g. --map "notice_id=Reference,given=First name,family=Surname")'
        )
    if "notice_id" not in mapping:
        raise InputError("--map: notice_id is required (e.g. --map notice_id=Reference)")
    if not {"given", "family", "full_name"} & set(mapping):
        raise InputError("--map: map a name: given, family or full_name")
    index = {h.strip().casefold(): i for i, h in enumerate(header)}
    columns: dict[str, int] = {}
    for field, column in mapping.items():
        i = index.get(column.strip().casefold())
        if i is None:
            raise InputError(
                f"--map: column {column!r} (for {field}) is not in the header of {name}; "
                f"its columns are: {', '.join(repr(h) for h in header)}"
            )
        columns[field] = i
    return columns


CELL_LIMIT = 64 * 1024
"""Characters in one CSV cell: a larger cell rejects its row (with its line number), not the file."""


class _Lines:
    """The file's lines, decoded one by one: a line that is not UTF-8 is remembered (by physical
    line number) and decoded with replacement characters, so only its row is rejected."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.number = 0
        self.bad: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        for raw in self.fh:
            self.number += 1
            if self.number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # a byte-order mark
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                self.bad.add(self.number)
                yield raw.decode("utf-8", "replace")


def read(path: Path, mapping: dict[str, str]) -> Iterator[Row]:
    """Rows as ``{field: cell}``, ``where`` = the line the row ends on, read as the file is read.

    A row with bytes that are not UTF-8, or a cell over ``CELL_LIMIT`` characters, is a rejected
    row (its ``error``), and reading goes on. Raises ``InputError`` (before any row) when the
    header or the mapping is unusable.
    """
    fh = path.open("rb")
    try:
        lines = _Lines(fh)
        feed = iter(lines)
        first = next(feed, "")
        if lines.bad:
            raise InputError(f"{path.name}: the header line is not UTF-8 text")
        dialect: Any = "excel"
        with contextlib.suppress(csv.Error):  # not sniffable: plain comma-separated
            dialect = csv.Sniffer().sniff(first, delimiters=",;\t|")
        reader = csv.reader(itertools.chain([first], feed), dialect)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise InputError(f"{path.name}: the header line is not readable CSV ({exc})") from None
        if not header:
            raise InputError(f"{path.name} is empty: expected a header line")
        columns = _check_map(
            mapping or {f: f for f in FIELDS if f.casefold() in {h.strip().casefold() for h in header}},
            header,
            path.name,
        )
    except BaseException:
        fh.close()
        raise
    return _rows(fh, lines, reader, columns)


def _rows(fh: BinaryIO, lines: _Lines, reader: Any, columns: dict[str, int]) -> Iterator[Row]:
    with fh:
        previous = reader.line_num
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                reason = (f"a cell is longer than {CELL_LIMIT} characters" if "field limit" in str(exc)
                          else f"not readable CSV ({exc})")
                yield Row(f"line {reader.line_num}", error=reason)
                previous = reader.line_num
                continue
            where = f"line {reader.line_num}"
            if any(n in lines.bad for n in range(previous + 1, reader.line_num + 1)):
                yield Row(where, error="not UTF-8 text")
            elif any(len(c) > CELL_LIMIT for c in cells):
                yield Row(where, error=f"a cell is longer than {CELL_LIMIT} characters")
            elif any(c.strip() for c in cells):
                yield Row(where, {f: cells[i] if i < len(cells) else "" for f, i in columns.items()})
            previous = reader.line_num


def _many(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


def convert(row: dict[str, str], warn: Warnings, source: str | None) -> WantedPerson:
    notice_id = (row.get("notice_id") or "").strip()
    if not notice_id:
        raise RowError("no notice_id")
    names = unique_names(
        [{"given": row.get("given"), "family": row.get("family"), "full_name": row.get("full_name")}]
        + [{"full_name": a} for a in _many(row.get("alias"))]
    )
    if not names:
        raise RowError("no name (given, family or full_name)", notice_id)
    if "full_name" in names[0] and ("given" in names[0] or "family" in names[0]):
        full = names[0].pop("full_name")
        names.insert(1, {"full_name": full})
    doc_country = country(row.get("document_country"), "document_country", warn)
    documents = [document("passport", n, doc_country, "passport", warn) for n in _many(row.get("passport"))]
    documents += [document("id", n, doc_country, "id_number", warn) for n in _many(row.get("id_number"))]
    births = [b for b in (partial_date(v, "birth_date", warn) for v in _many(row.get("birth_date"))) if b]
    offences = [o for o in (offence(v) for v in _many(row.get("offence"))) if o]
    fields = {
        "notice_id": notice_id,
        "requesting_country": country(row.get("requesting_country"), "requesting_country", warn),
        "names": unique_names(names),
        "birth_dates": births,
        "sex": sex(row.get("sex"), "sex", warn),
        "nationalities": countries(_many(row.get("nationality")), "nationality", warn),
        "documents": [d for d in documents if d is not None],
        "offences": offences,
        "caution": (row.get("caution") or "").strip() or None,
        "source": source,
    }
    for name in ("notice_type", "status"):
        value = (row.get(name) or "").strip().lower()
        if value:
            fields[name] = value
    return build_notice(fields)
