"""Reading a wanted list through an importer, and the validation report it leaves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas import WantedPerson

from ._common import Row, RowError, Warnings

__all__ = ["Rejection", "ImportReport", "convert_rows", "render_report"]


@dataclass(slots=True)
class Rejection:
    where: str
    """``line 7``, ``notice 3``, ``line 2, notice 5``."""
    reason: str
    """Field paths and what is wrong with them; never a name, date or document number."""


@dataclass(slots=True)
class ImportReport:
    path: Path
    format: str
    source: str | None
    dry_run: bool = False
    rows: int = 0
    valid: int = 0
    sent: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    warnings: Warnings = field(default_factory=Warnings)
    seen_ids: set[str] = field(default_factory=set)
    """Every notice id read, valid or not: a snapshot must not withdraw a notice over a bad row."""
    track_ids: bool = True
    """Keep ``seen_ids``. An import that is not a full snapshot does not need them, and without them
    its memory stays flat however many notices the file holds."""
    unidentified: int = 0
    """Rejected rows whose notice id could not be read."""
    full_snapshot: bool = False
    withdrawn: list[str] = field(default_factory=list)
    """Notice ids tombstoned by ``--full-snapshot`` (in a dry run: that would be)."""
    withdraw_blocked: str | None = None
    """Why a ``--full-snapshot`` import withdrew nothing, when it had to hold back."""


Convert = Callable[[Any, Warnings, str | None], WantedPerson]


def convert_rows(
    rows: Iterable[Row], convert: Convert, report: ImportReport, advance: Callable[[], None] = lambda: None
) -> Iterator[WantedPerson]:
    """Yield the notice of each good row; record rejections, skips, warnings and ids in ``report``."""
    for row in rows:
        report.rows += 1
        report.warnings.where = row.where
        try:
            if row.skip is not None:
                report.skipped[row.skip] += 1
                continue
            if row.error is not None:
                report.rejected.append(Rejection(row.where, row.error))
                report.unidentified += 1
                continue
            try:
                notice = convert(row.data, report.warnings, report.source)
            except RowError as exc:
                report.rejected.append(Rejection(row.where, exc.reason))
                if exc.notice_id:
                    if report.track_ids:
                        report.seen_ids.add(exc.notice_id)
                else:
                    report.unidentified += 1
                continue
            report.valid += 1
            if report.track_ids:
                report.seen_ids.add(notice.notice_id)
            yield notice
        finally:
            advance()


def render_report(report: ImportReport, limit: int = 50) -> list[str]:
    """The report as lines of text: counts, warnings, withdrawals and rejected rows with reasons."""
    head = "dry run (nothing sent)" if report.dry_run else "import"
    lines = [
        f"{head}: {report.path.name} as {report.format}, source {report.source or '(none)'}",
        f"  rows read       {report.rows:>7}",
        f"  valid notices   {report.valid:>7}",
    ]
    if not report.dry_run:
        lines.append(f"  sent            {report.sent:>7}")
    lines.append(f"  rejected        {len(report.rejected):>7}")
    for what, n in sorted(report.skipped.items()):
        lines.append(f"  not notices     {n:>7}  {what}")
    if report.full_snapshot:
        verb = "would withdraw" if report.dry_run else "withdrawn"
        lines.append(
            f"  {verb:<15} {len(report.withdrawn):>7}  notices of source {report.source or '(none)'} "
            f"absent from this snapshot"
        )
        if report.withdraw_blocked:
            lines.append(f"  (no withdrawals: {report.withdraw_blocked})")
    if report.warnings.counts:
        lines.append(f"warnings ({report.warnings.total()}):")
        for message, n in report.warnings.counts.most_common():
            lines.append(f"  {n:>5} x {message} (first at {report.warnings.first_at[message]})")
    if report.rejected:
        lines.append("rejected:")
        for r in report.rejected[:limit]:
            lines.append(f"  {report.path.name}, {r.where}: {r.reason}")
        if len(report.rejected) > limit:
            lines.append(f"  ... and {len(report.rejected) - limit} more")
    if report.withdrawn and report.full_snapshot:
        lines.append(
            ("would withdraw: " if report.dry_run else "withdrew: ")
            + ", ".join(report.withdrawn[:limit])
            + (f" ... and {len(report.withdrawn) - limit} more" if len(report.withdrawn) > limit else "")
        )
    return lines
