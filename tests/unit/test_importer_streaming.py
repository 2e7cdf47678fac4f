"""Importers that stream (issue 20): rows are read as they are consumed, and a bad CSV row (a byte
that is not UTF-8, a cell too long) is reported with its line number while the good rows are kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from fugitive_alerts.importers import ImportReport, convert_rows, converter, read_rows
from fugitive_alerts.importers.csv_file import CELL_LIMIT

HEADER = b"notice_id,given,family,birth_date\n"


def _import(fmt: str, path: Path) -> tuple[list[str], ImportReport]:
    report = ImportReport(path, fmt, "test")
    notices = [n.notice_id for n in convert_rows(read_rows(fmt, path), converter(fmt), report)]
    return notices, report


def test_a_csv_row_that_is_not_utf8_or_has_an_oversize_cell_is_rejected_by_line_and_the_rest_kept(
        tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(HEADER
                     + b"N-1,Ottoline,Marchbanks,1950\n"
                     + b"N-2,Caspar,Wr\xffenfield,1961\n"                       # line 3: not UTF-8
                     + b'N-3,"Multi\nLine",Pettigrew,1962\n'                   # lines 4-5: one quoted row
                     + b'N-4,Aurelio,"' + b"x" * (CELL_LIMIT + 1) + b'",1963\n'  # line 6: a cell too long
                     + b"N-5,Perpetua,Quenby,1964\n")                          # line 7
    notices, report = _import("csv", path)
    assert notices == ["N-1", "N-3", "N-5"]
    assert [(r.where, r.reason) for r in report.rejected] == [
        ("line 3", "not UTF-8 text"), ("line 6", f"a cell is longer than {CELL_LIMIT} characters")]
    assert all("Wr" not in r.reason and "Aurelio" not in r.reason for r in report.rejected)


def test_jsonl_and_csv_rows_are_read_as_they_are_consumed(tmp_path: Path) -> None:
    csv_path, jsonl_path = tmp_path / "a.csv", tmp_path / "a.jsonl"
    csv_path.write_bytes(HEADER + b"N-1,A,B,1950\n")
    jsonl_path.write_bytes(b'{"notice_id": "N-1"}\n')
    for fmt, path in (("csv", csv_path), ("jsonl", jsonl_path)):
        rows = read_rows(fmt, path)
        assert isinstance(rows, Iterator), fmt
        with path.open("ab") as fh:  # a row appended after reading began is still read: nothing was slurped
            fh.write(b"N-2,C,D,1951\n" if fmt == "csv" else b'{"notice_id": "N-2"}\n')
        assert [r.where for r in rows] == ["line 2", "line 3"] if fmt == "csv" else ["line 1", "line 2"]
