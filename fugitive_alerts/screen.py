"""Batch screening: ``fugitive-alerts screen --wanted W.jsonl --events E.jsonl --out HITS.jsonl``.

Reads a wanted list and events (JSONL, one record per line, docs/records.md),
screens every event with the same engine the streaming worker uses, and writes one line per
hit at or above the review threshold: ``{"event_id", "notice_id", "score", "band", "reasons"}``.

A malformed line (bad JSON, or a record the schema rejects) is reported by file, line number
and field path with the validation reason, never with the record's content, and skipped.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

import schemas
from matching import Matcher

__all__ = ["Malformed", "ScreenReport", "run_screen", "screen_command"]


@dataclass(frozen=True, slots=True)
class Malformed:
    """One skipped input line: where, and why (field path and validation message only)."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass(slots=True)
class ScreenReport:
    """Counts of one batch run; ``malformed`` non-empty means the CLI exits 2."""

    notices_read: int = 0
    notices_active: int = 0
    events_screened: int = 0
    events_with_hits: int = 0
    hits: int = 0
    alerts: int = 0
    reviews: int = 0
    malformed: list[Malformed] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.malformed


def _records(path: Path, report: ScreenReport) -> Iterator[tuple[int, Any]]:
    with path.open("rb") as f:
        for ln, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                yield ln, orjson.loads(line)
            except orjson.JSONDecodeError:
                report.malformed.append(Malformed(str(path), ln, "not valid JSON"))


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


def run_screen(wanted: Path, events: Path, out: Path, *, alert_threshold: float = 0.80,
               review_threshold: float = 0.60, progress: bool = False,
               tip_alert_threshold: float | None = None) -> ScreenReport:
    """Screen every event of ``events`` against the active notices of ``wanted``; write hits to ``out``.
    ``tip_alert_threshold``: the alert threshold for tips (default: ``alert_threshold``)."""
    report = ScreenReport()
    matcher = Matcher(alert_threshold=alert_threshold, review_threshold=review_threshold,
                      tip_alert_threshold=tip_alert_threshold)
    for ln, obj in _records(wanted, report):
        try:
            notice = schemas.WantedPerson.model_validate(obj)
        except ValidationError as err:
            report.malformed.append(Malformed(str(wanted), ln, schemas.describe_validation_error(err, limit=3)))
            continue
        report.notices_read += 1
        matcher.upsert(notice)
    report.notices_active = len(matcher)

    bar: Progress | None = None
    task = None
    if progress:
        bar = Progress(TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                       console=Console(stderr=True), transient=True)
        bar.start()
        task = bar.add_task("screen", total=_count_lines(events))
    try:
        with out.open("wb") as sink:
            for ln, obj in _records(events, report):
                if bar is not None and task is not None:
                    bar.advance(task)
                try:
                    event = schemas.EVENT_ADAPTER.validate_python(obj)
                except ValidationError as err:
                    report.malformed.append(Malformed(str(events), ln, schemas.describe_validation_error(err, limit=3)))
                    continue
                report.events_screened += 1
                hits = matcher.screen(event)
                if hits:
                    report.events_with_hits += 1
                for hit in hits:
                    report.hits += 1
                    if hit.band == "alert":
                        report.alerts += 1
                    else:
                        report.reviews += 1
                    sink.write(orjson.dumps({"event_id": event.event_id, "notice_id": hit.notice_id,
                                             "score": hit.score, "band": hit.band,
                                             "probability": hit.probability, "reasons": hit.reasons}))
                    sink.write(b"\n")
    finally:
        if bar is not None:
            bar.stop()
    return report


def screen_command(
    wanted: Annotated[Path, typer.Option("--wanted", "-w", exists=True, dir_okay=False, readable=True,
                                         help="Wanted list: JSONL, one WantedPerson notice per line.")],
    events: Annotated[Path, typer.Option("--events", "-e", exists=True, dir_okay=False, readable=True,
                                         help="Events: JSONL, one border crossing, visa application "
                                              "or tip per line.")],
    out: Annotated[Path, typer.Option("--out", "-o", dir_okay=False, writable=True,
                                      help="Where to write hits: JSONL, one "
                                           "{event_id, notice_id, score, band, reasons} per hit.")],
    alert_threshold: Annotated[float, typer.Option(min=0.0, max=1.0, envvar="FUGITIVE_ALERTS_ALERT_THRESHOLD",
                                                   help="Score at or above which a hit is an alert.")] = 0.80,
    review_threshold: Annotated[float, typer.Option(min=0.0, max=1.0,
                                                    envvar="FUGITIVE_ALERTS_REVIEW_THRESHOLD",
                                                    help="Score at or above which a hit is written "
                                                         "(band 'review' below the alert threshold).")] = 0.60,
    tip_alert_threshold: Annotated[float, typer.Option(min=0.0, max=1.0,
                                                       envvar="FUGITIVE_ALERTS_TIP_ALERT_THRESHOLD",
                                                       help="Score at or above which a hit on a tip is an "
                                                            "alert (tips go to analysts).")] = 0.80,
    progress: Annotated[bool | None, typer.Option("--progress/--no-progress",
                                                  help="Progress bar (default: when stderr is a terminal).")] = None,
) -> None:
    """Screen a file of events against a wanted list, offline (same engine as the worker).

    Only active notices produce hits. Every hit at or above the review threshold is written,
    with its band and the reasons. Malformed lines in either file are reported by file and
    line number and skipped; the exit code is then 2.
    """
    console = Console(stderr=True)
    if review_threshold > alert_threshold:
        console.print("[red]--review-threshold must not exceed --alert-threshold[/red]")
        raise typer.Exit(2)
    if review_threshold > tip_alert_threshold:
        console.print("[red]--review-threshold must not exceed --tip-alert-threshold[/red]")
        raise typer.Exit(2)
    show = sys.stderr.isatty() if progress is None else progress
    report = run_screen(wanted, events, out, alert_threshold=alert_threshold,
                        review_threshold=review_threshold, progress=show, tip_alert_threshold=tip_alert_threshold)
    for bad in report.malformed[:50]:
        console.print(f"[yellow]skipped[/yellow] {bad}", highlight=False)
    if len(report.malformed) > 50:
        console.print(f"... and {len(report.malformed) - 50} more malformed lines")
    console.print(
        f"{report.notices_active} active notices of {report.notices_read}; "
        f"{report.events_screened} events screened, {report.events_with_hits} with hits; "
        f"{report.alerts} alerts, {report.reviews} for review; {len(report.malformed)} malformed lines",
        highlight=False,
    )
    if report.malformed:
        raise typer.Exit(2)
