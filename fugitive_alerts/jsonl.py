"""Read JSONL files line by line with a progress bar, validating each line and keeping line numbers."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from schemas import describe_validation_error

__all__ = ["BadLine", "read_jsonl", "progress_bar", "report_bad_lines"]

T = TypeVar("T")


@dataclass(slots=True)
class BadLine:
    line: int
    reason: str


@dataclass(slots=True)
class Reading(Generic[T]):
    bad: list[BadLine] = field(default_factory=list)
    good: int = 0


def progress_bar(console: Console | None = None) -> Progress:
    """A progress bar that only draws on a terminal (silent in CI logs and pipes)."""
    console = console or Console(stderr=True)
    return Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=console, disable=not console.is_terminal, transient=False,
    )


def read_jsonl(path: Path, parse: Callable[[bytes], T], reading: Reading[T],
               progress: Progress | None = None, what: str = "records") -> Iterator[tuple[int, bytes, T]]:
    """Yield ``(line_number, raw, parsed)`` for each valid line; record invalid ones in ``reading.bad``.

    Blank lines are skipped. ``parse`` raises ``ValidationError`` (or ``ValueError``) for bad input.
    """
    total = sum(1 for raw in path.open("rb") if raw.strip())
    task = progress.add_task(f"{what} from {path.name}", total=total) if progress else None
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            raw = raw.strip()
            if not raw:
                continue
            try:
                parsed = parse(raw)
            except ValidationError as exc:
                reading.bad.append(BadLine(number, describe_validation_error(exc, limit=3)))
            except ValueError as exc:
                reading.bad.append(BadLine(number, str(exc)))
            else:
                reading.good += 1
                yield number, raw, parsed
            if progress is not None and task is not None:
                progress.advance(task)


def report_bad_lines(path: Path, bad: list[BadLine], console: Console | None = None, limit: int = 20) -> None:
    console = console or Console(stderr=True)
    for item in bad[:limit]:
        console.print(f"[red]{path}:{item.line}[/red]: {item.reason}", highlight=False, soft_wrap=True)
    if len(bad) > limit:
        console.print(f"... and {len(bad) - limit} more malformed lines", highlight=False)
    if bad:
        print(f"{len(bad)} malformed line(s) in {path} were skipped.", file=sys.stderr)
