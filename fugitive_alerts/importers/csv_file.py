"""CSV wanted lists, with a header mapping given on the command line.

``--map`` takes ``field=Column`` pairs, separated by commas, and may be repeated:

    --map "notice_id=Reference,given=First name,family=Surname" --map "birth_date=Date of birth"

A column name is matched case-insensitively, ignoring surrounding spaces; a column whose name
holds a comma needs a ``--map`` of its own (``--map "offence=Charges, translated"``). Without
``--map``, columns named after the fields themselves are used. Multi-valued fields (``alias``,
``birth_date``, ``nationality``, ``passport``, ``id_number``, ``offence``) split a cell on ``;``.
The delimiter (``,``, ``;``, tab or ``|``) is read from the header line. The file is UTF-8
(a byte-order mark is fine).
"""

from __future__ import annotations

import contextlib
import csv
import re
from pathlib import Path

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


def read(path: Path, mapping: dict[str, str]) -> list[Row]:
    """Rows as ``{field: cell}``, ``where`` = the line the row ends on."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            first = fh.readline()
            fh.seek(0)
            dialect = "excel"
            with contextlib.suppress(csv.Error):  # not sniffable: plain comma-separated
                dialect = csv.Sniffer().sniff(first, delimiters=",;\t|")  # type: ignore[assignment]
            reader = csv.reader(fh, dialect)
            header = next(reader, None)
            if not header:
                raise InputError(f"{path.name} is empty: expected a header line")
            columns = _check_map(
                mapping or {f: f for f in FIELDS if f.casefold() in {h.strip().casefold() for h in header}},
                header,
                path.name,
            )
            rows = []
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                data = {f: cells[i] if i < len(cells) else "" for f, i in columns.items()}
                rows.append(Row(f"line {reader.line_num}", data))
            return rows
    except UnicodeDecodeError:
        raise InputError(f"{path.name} is not UTF-8 text") from None
    except csv.Error as exc:
        raise InputError(f"{path.name} is not readable CSV ({exc})") from None


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
