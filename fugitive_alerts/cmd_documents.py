"""``documents import``: stolen, lost and revoked travel documents into ``documents.reported``."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import fail, load_settings
from .jsonl import progress_bar, report_bad_lines

__all__ = ["documents_app"]

documents_app = typer.Typer(no_args_is_help=True,
                            help="Travel documents reported stolen, lost, revoked or invalidated (docs/documents.md).")


@documents_app.command("import")
def documents_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="Reported documents: CSV with a header, or JSON lines (one record per line)."),
    format: str | None = typer.Option(None, "--format",
                                      help="csv or jsonl (default: from the file's extension; .csv is csv)."),
    csv_map: list[str] = typer.Option([], "--map",
                                      help="csv only: field=Column pairs, comma-separated, repeatable, for a header "
                                           "that does not use the record's own names (issuing_country, number, "
                                           "document_type, status, reporting_country, reported_on, reference), e.g. "
                                           "--map \"number=Doc No,issuing_country=Issuer\"."),
    dry_run: bool = typer.Option(False, "--dry-run",
                                 help="Validate only and print the counts and bad lines (and, with --full-snapshot, "
                                      "how many reports would be removed); send nothing."),
    full_snapshot: bool = typer.Option(False, "--full-snapshot",
                                       help="The file is the whole list of the reporting countries it names: remove "
                                            "(tombstone) their reports that it no longer holds."),
    reporting_country: list[str] = typer.Option([], "--reporting-country",
                                                help="With --full-snapshot: also cover this reporting country "
                                                     "(repeatable), e.g. to clear a country's list with an empty file."),
) -> None:
    """Load reported travel documents into the compacted documents.reported topic (upsert by document).

    The key is the issuing country (ISO alpha-2; ICAO alpha-3 codes and D are converted) and the
    number as ICAO Doc 9303 prints it (upper case, no spaces, hyphens or < fillers). Bad lines are
    reported with their line number and a reason, and skipped; the good ones are kept and the exit
    code is then 2. The record contract is in docs/records.md.
    """
    from .cmd_data import _run
    from .documents_import import InputError, import_documents, parse_map

    fmt = format or ("csv" if file.suffix.lower() == ".csv" else "jsonl")
    if fmt not in ("csv", "jsonl"):
        fail(f"unknown --format {fmt!r}: csv or jsonl", code=2)
    if csv_map and fmt != "csv":
        fail("--map is for csv only", code=2)
    if reporting_country and not full_snapshot:
        fail("--reporting-country goes with --full-snapshot", code=2)
    try:
        mapping = parse_map(csv_map)
        from schemas.documents import issuing_country

        countries = [issuing_country(c) for c in reporting_country]
    except (InputError, ValueError) as exc:
        fail(str(exc), code=2)
    settings = load_settings()
    try:
        with progress_bar() as progress:
            report = _run(import_documents(settings, file, fmt=fmt, mapping=mapping, dry_run=dry_run,
                                           full_snapshot=full_snapshot, reporting_countries=countries,
                                           progress=progress))
    except InputError as exc:
        fail(f"{file}: {exc}", code=2)
    verb = "would send" if dry_run else "sent"
    print(f"{report.read:,} row(s) read, {report.valid:,} valid; {verb} {report.valid if dry_run else report.sent:,} "
          f"to {settings.topic('documents.reported')}")
    if full_snapshot:
        print(f"full snapshot of {', '.join(report.scope) or 'no reporting country'}: "
              f"{'would remove' if dry_run else 'removed'} {report.withdrawn:,} report(s) the file no longer holds")
    report_bad_lines(file, report.bad)
    if report.bad_count > len(report.bad):
        print(f"({report.bad_count:,} bad line(s) in all; the first {len(report.bad):,} are listed)")
    if report.bad_count:
        raise SystemExit(2)
