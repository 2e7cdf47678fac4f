"""``documents import``: reported travel documents (CSV or JSON lines) into the compacted ``documents.reported``.

Streams: each row is validated and handed to the producer as it is read, so memory stays the same
whatever the file's size. A bad row is reported with its line number and a reason that names the
field, never the value, and the good rows are kept.

``--full-snapshot``: the file is the whole list of the reporting countries it names (or of
``--reporting-country``). Reports on the topic from those countries that the file no longer holds
are removed with a tombstone (the document was recovered, or the report withdrawn). The keys the
file holds, and the topic's live keys, are kept in a temporary SQLite file rather than in memory.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer, ConsumerRecord
from pydantic import ValidationError
from rich.progress import Progress

from consumers import ensure_topics, replay_partitions
from infra.topics import topic_partitions
from schemas import ReportedDocument, Settings, describe_validation_error, topics

from .jsonl import BadLine
from .sent import Sent, sending

__all__ = ["FIELDS", "DocumentsReport", "parse_map", "import_documents"]

FIELDS = tuple(ReportedDocument.model_fields)
"""A CSV header with these names needs no ``--map``."""

_SURROGATE = re.compile("[\udc80-\udcff]")
_KEEP_BAD = 1000
"""Bad lines kept with their reasons; more are only counted (constant memory on a hostile file)."""


class InputError(ValueError):
    """The file as a whole cannot be read (not UTF-8, a missing column): exit 2."""


@dataclass(slots=True)
class DocumentsReport:
    read: int = 0
    valid: int = 0
    sent: int = 0
    bad: list[BadLine] = field(default_factory=list)
    bad_count: int = 0
    withdrawn: int = 0
    """Tombstones sent (or, with ``dry_run``, that would be sent) by ``--full-snapshot``."""
    scope: list[str] = field(default_factory=list)
    """The reporting countries a full snapshot covered."""

    def reject(self, line: int, reason: str) -> None:
        self.bad_count += 1
        if len(self.bad) < _KEEP_BAD:
            self.bad.append(BadLine(line, reason))


def parse_map(pairs: list[str]) -> dict[str, str]:
    """``["number=Doc No,status=State"]`` -> ``{"number": "Doc No", "status": "State"}``; raises ``InputError``."""
    mapping: dict[str, str] = {}
    for item in (p for arg in pairs for p in arg.split(",")):
        name, sep, column = item.partition("=")
        if not sep or not column.strip():
            raise InputError(f"--map: {item!r} is not field=Column")
        if name.strip() not in FIELDS:
            raise InputError(f"--map: unknown field {name.strip()!r}; the fields are {', '.join(FIELDS)}")
        mapping[name.strip()] = column.strip()
    return mapping


def _not_utf8(values: Any) -> bool:
    return any(isinstance(v, str) and _SURROGATE.search(v) for v in values)


def _csv_rows(fh: io.BufferedReader, mapping: dict[str, str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    # surrogateescape: a bad byte costs its own row (reported with its line), not the whole file
    text = io.TextIOWrapper(fh, encoding="utf-8", errors="surrogateescape", newline="")
    reader = csv.DictReader(text)
    header = reader.fieldnames or []
    if _not_utf8(header):
        raise InputError("the header is not UTF-8")
    columns = {name: mapping.get(name, name) for name in FIELDS}
    missing = [f"{name} (column {col!r})" if col != name else name for name, col in columns.items() if col not in header]
    if missing:
        raise InputError(f"missing column(s): {', '.join(missing)}; name them with --map field=Column")
    line = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a NUL byte, or a field over csv's size limit
            line += 1
            yield line, f"not a CSV row ({exc})"
            continue
        line_at, line = line + 1, reader.line_num
        if None in row:
            yield line_at, "more cells than the header has columns"
        elif _not_utf8(row.values()):
            yield line_at, "not UTF-8"
        else:
            yield line_at, {name: row[col] for name, col in columns.items()}


def _json_rows(fh: io.BufferedReader) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for number, raw in enumerate(fh, start=1):
        raw = raw.strip()
        if not raw:
            continue
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            yield number, "not valid JSON"
            continue
        yield number, data if isinstance(data, dict) else "not a JSON object"


def _rows(fmt: str, mapping: dict[str, str], fh: io.BufferedReader) -> Iterator[tuple[int, dict[str, Any] | str]]:
    return _csv_rows(fh, mapping) if fmt == "csv" else _json_rows(fh)


def _open(path: Path) -> tuple[io.BufferedReader, int]:
    return path.open("rb"), path.stat().st_size


class _Seen:
    """Keys of the file and live keys of the topic, on disk (a full snapshot of 100M reports fits nowhere else)."""

    def __init__(self, directory: Path) -> None:
        self.db = sqlite3.connect(directory / "snapshot.sqlite3")
        self.db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                              "CREATE TABLE file (key TEXT PRIMARY KEY) WITHOUT ROWID;"
                              "CREATE TABLE topic (key TEXT PRIMARY KEY, country TEXT) WITHOUT ROWID;")

    def in_file(self, key: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO file VALUES (?)", (key,))

    def on_topic(self, key: str, country: str | None) -> None:
        if country is None:
            self.db.execute("DELETE FROM topic WHERE key = ?", (key,))
        else:
            self.db.execute("INSERT OR REPLACE INTO topic VALUES (?, ?)", (key, country))

    def stale(self, scope: list[str]) -> Iterator[str]:
        marks = ",".join("?" * len(scope))
        query = f"SELECT key FROM topic WHERE country IN ({marks}) AND key NOT IN (SELECT key FROM file) ORDER BY key"  # noqa: S608 - only '?' marks are formatted in
        for (key,) in self.db.execute(query, scope):
            yield key

    def close(self) -> None:
        self.db.close()


async def _read_topic(settings: Settings, seen: _Seen) -> None:
    """Every live report on ``documents.reported`` now: key -> reporting country, into ``seen``."""
    name = settings.topic(topics.DOCUMENTS)
    tps = await topic_partitions(settings.kafka_client_kwargs(), [name])

    def note(rec: ConsumerRecord[bytes, bytes]) -> None:
        if rec.key is None:
            return
        country = None
        if rec.value is not None:
            try:
                country = ReportedDocument.model_validate_json(rec.value).reporting_country
            except ValidationError:
                return  # not ours to remove: a refused record is left alone
        seen.on_topic(rec.key.decode("utf-8", "replace"), country)

    # no topic yet: no partitions, nothing reported, nothing to remove
    await replay_partitions(name, [tp.partition for tp in tps], settings.kafka_client_kwargs(), note)


async def import_documents(settings: Settings, path: Path, *, fmt: str, mapping: dict[str, str] | None = None,
                           dry_run: bool = False, full_snapshot: bool = False,
                           reporting_countries: list[str] | None = None,
                           progress: Progress | None = None) -> DocumentsReport:
    """Validate each row of ``path`` and upsert it, keyed by the normalised document; see the module doc.

    Raises ``InputError`` when the file as a whole cannot be read; nothing is sent then.
    """
    report = DocumentsReport()
    scope = {c.upper() for c in reporting_countries or ()}
    sent: Sent | None = None
    topic = settings.topic(topics.DOCUMENTS)
    with tempfile.TemporaryDirectory(prefix="documents-import-") as tmp:
        seen = _Seen(Path(tmp)) if full_snapshot else None
        async with contextlib.AsyncExitStack() as stack:
            if seen is not None:
                stack.callback(seen.close)
            if not dry_run:
                await ensure_topics(settings)
                producer = AIOKafkaProducer(acks="all", enable_idempotence=True, linger_ms=20,
                                            max_batch_size=256 * 1024, **settings.kafka_client_kwargs())
                sent = await stack.enter_async_context(sending(producer, settings))
            fh, size = _open(path)
            task = progress.add_task(f"reports from {path.name}", total=size) if progress else None
            with fh:
                for line, row in _rows(fmt, mapping or {}, fh):
                    report.read += 1
                    if progress is not None and task is not None and report.read % 1000 == 0:
                        progress.update(task, completed=fh.tell())
                    if isinstance(row, str):
                        report.reject(line, row)
                        continue
                    try:
                        doc = ReportedDocument.model_validate(row)
                    except ValidationError as exc:
                        report.reject(line, describe_validation_error(exc, limit=3))
                        continue
                    report.valid += 1
                    if seen is not None:
                        seen.in_file(doc.key)
                        scope.add(doc.reporting_country)
                    if sent is not None:
                        await sent.send(topic, doc.key.encode(), doc.model_dump_json().encode())
                        report.sent += 1
                if progress is not None and task is not None:
                    progress.update(task, completed=size)
            if sent is not None:  # before any withdrawal: reports that were refused withdraw nothing
                await sent.flush()
            if seen is not None and scope:
                report.scope = sorted(scope)
                await _read_topic(settings, seen)
                for key in seen.stale(report.scope):
                    report.withdrawn += 1
                    if sent is not None:
                        await sent.send(topic, key.encode(), None)
            if sent is not None:
                await sent.flush()
    return report
