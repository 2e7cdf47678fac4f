"""``wanted import``: a wanted list in any supported format into the compacted ``wanted.notices``.

Upsert by ``notice_id``. Rows go to the producer as they are read (JSON lines and CSV in constant
memory, ``bench/import_rss.py``). With ``full_snapshot``, notices of the same source that the file no
longer lists are withdrawn (a tombstone: a null value under their key); notices of other sources
are never touched. See docs/wanted-lists.md.
"""

from __future__ import annotations

from pathlib import Path

import orjson
from aiokafka import AIOKafkaProducer

from consumers import ensure_topics
from consumers.compacted import CompactedView
from schemas import Settings, topics

from .importers import ImportReport, convert_rows, converter, default_source, read_rows
from .jsonl import progress_bar
from .sent import sending

__all__ = ["import_wanted", "current_sources", "plan_withdrawals"]

_NO_SOURCE = ""


def _source_of(raw: bytes) -> str:
    """The notice's ``source`` ("" for none); a record that is not a JSON object is refused."""
    obj = orjson.loads(raw)  # JSONDecodeError is a ValueError: the view counts it as refused
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    source = obj.get("source")
    return source if isinstance(source, str) else _NO_SOURCE


async def current_sources(settings: Settings) -> dict[str, str]:
    """``notice_id -> source`` ("" for none) of every notice on the topic now (tombstoned ones left out)."""
    view: CompactedView[str] = CompactedView(
        settings.topic(topics.WANTED), settings.kafka_client_kwargs(), _source_of
    )
    try:
        await view.start()
    except RuntimeError:  # the topic does not exist yet: nothing to withdraw
        return {}
    try:
        await view.ready.wait()
    finally:
        await view.stop()
    return dict(view.values)


def plan_withdrawals(report: ImportReport, existing: dict[str, str]) -> None:
    """Fill ``report.withdrawn``: notices of the report's source, on the topic, absent from the file.

    Holds back (``report.withdraw_blocked``) when the file has no valid notice at all, or when a
    rejected row's notice id could not be read (that notice cannot be told from a withdrawn one).
    """
    if report.valid == 0:
        report.withdraw_blocked = "the snapshot holds no valid notice"
        return
    if report.unidentified:
        report.withdraw_blocked = (
            f"{report.unidentified} rejected row(s) have no readable notice id, so a "
            "notice missing from the file cannot be told from an unreadable one"
        )
        return
    mine = report.source or _NO_SOURCE
    report.withdrawn = sorted(
        nid for nid, source in existing.items() if source == mine and nid not in report.seen_ids
    )


async def import_wanted(
    settings: Settings,
    path: Path,
    *,
    format: str = "jsonl",
    dry_run: bool = False,
    full_snapshot: bool = False,
    source: str | None = None,
    csv_map: dict[str, str] | None = None,
) -> ImportReport:
    """Read ``path`` as ``format``, upsert its notices, and with ``full_snapshot`` withdraw the absent ones.

    Raises ``importers.InputError`` when the file as a whole cannot be read (nothing is sent then).
    A dry run sends nothing; with ``full_snapshot`` it still reads the topic, to say what would go.
    """
    src = source if source is not None else default_source(format, path)
    rows = read_rows(format, path, csv_map)
    report = ImportReport(path, format, src, dry_run=dry_run, full_snapshot=full_snapshot, track_ids=full_snapshot)
    convert = converter(format)
    topic = settings.topic(topics.WANTED)
    if dry_run:
        with progress_bar() as progress:
            task = progress.add_task(f"checking {path.name}", total=None)
            for _ in convert_rows(rows, convert, report, lambda: progress.advance(task)):
                pass
        if full_snapshot:
            plan_withdrawals(report, await current_sources(settings))
        return report
    await ensure_topics(settings)
    producer = AIOKafkaProducer(
        acks="all", enable_idempotence=True, linger_ms=10, **settings.kafka_client_kwargs()
    )
    async with sending(producer, settings) as sent:
        with progress_bar() as progress:
            task = progress.add_task(f"notices from {path.name}", total=None)
            for notice in convert_rows(rows, convert, report, lambda: progress.advance(task)):
                await sent.send(topic, notice.notice_id.encode(), notice.model_dump_json().encode())
                report.sent += 1
        await sent.flush()  # before any withdrawal: a snapshot whose notices were refused withdraws nothing
        if full_snapshot:
            plan_withdrawals(report, await current_sources(settings))
            for notice_id in report.withdrawn:
                await sent.send(topic, notice_id.encode(), None)
            await sent.flush()
    return report
