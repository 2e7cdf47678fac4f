"""``publish``, ``wanted import`` and ``alerts tail``: getting records in and watching them come out."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import typer
from rich.console import Console

from .common import fail, load_settings
from .jsonl import report_bad_lines

__all__ = ["publish", "wanted_app", "alerts_app", "responses_app"]

wanted_app = typer.Typer(no_args_is_help=True, help="Load and inspect wanted lists.")
alerts_app = typer.Typer(no_args_is_help=True, help="Watch the alerts the pipeline raises.")
responses_app = typer.Typer(no_args_is_help=True, help="Watch the answers the pipeline gives to publishing agencies.")

_FILE = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="A JSONL file, one record per line.")


def _run(coro):  # type: ignore[no-untyped-def]
    """Run a short-lived client; Kafka being down is a message and exit 1, not a traceback."""
    from consumers import BrokerUnavailable

    # aiokafka logs each retried connection or metadata error; these commands report their own.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        return asyncio.run(coro)
    except BrokerUnavailable as exc:
        fail(str(exc), code=1)


def publish(
    file: Path = _FILE,
    wait_response: bool = typer.Option(False, "--wait-response",
                                       help="Wait for each event's answer on responses.<agency> and print it "
                                            "(border crossings and visa applications always get one; a tip "
                                            "only with \"respond\": true). Exit 1 if one does not come in time."),
    timeout: float = typer.Option(15.0, help="Seconds to wait for the answers, with --wait-response."),
    validate: bool = typer.Option(True, "--validate/--no-validate",
                                  help="Check each event against the schema before sending (default). "
                                       "--no-validate sends any line with a known event_type as it is, "
                                       "so the pipeline's dead-letter path can be exercised."),
) -> None:
    """Publish JSONL events to their topics (border crossings, visa applications, tips), keyed by event_id.

    Malformed lines are reported with their line number and skipped; the exit code is then 2.
    """
    from .produce import publish_events

    settings = load_settings()
    if wait_response:
        from .responses import publish_and_wait

        _run(publish_and_wait(settings, file, timeout))
        return
    report = _run(publish_events(settings, file, validate=validate))
    for topic, n in sorted(report.by_topic.items()):
        print(f"{n:>8} -> {topic}")
    print(f"published {report.sent} event(s)")
    report_bad_lines(file, report.bad)
    if report.bad:
        raise SystemExit(2)


@wanted_app.command("import")
def wanted_import(
    file: Path = _FILE,
    format: str = typer.Option("jsonl", "--format", help="Input format. jsonl: WantedPerson records (DESIGN.md)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate only: print counts and rejected lines."),
) -> None:
    """Load a wanted list into the compacted wanted.notices topic (upsert by notice_id).

    Workers pick the change up live. Malformed lines are reported with their line number and
    skipped; the exit code is then 2.
    """
    from .produce import import_wanted

    if format != "jsonl":
        fail(f"unknown --format {format!r}: supported formats are: jsonl", code=2)
    settings = load_settings()
    report = _run(import_wanted(settings, file, dry_run=dry_run))
    if dry_run:
        print(f"dry run: {report.valid} valid notice(s), {len(report.bad)} rejected")
    else:
        print(f"imported {report.sent} notice(s) into {settings.topic('wanted.notices')}")
    report_bad_lines(file, report.bad)
    if report.bad:
        raise SystemExit(2)


@alerts_app.command("tail")
def alerts_tail(
    from_beginning: bool = typer.Option(False, "--from-beginning", help="Start with the oldest alert kept."),
    deliveries: bool = typer.Option(False, "--deliveries", help="Also show each SMS/email delivery outcome."),
    as_json: bool = typer.Option(False, "--json", help="Print each record as one JSON line."),
) -> None:
    """Follow alerts as they arrive: reference, urgency, band, score, event and notice ids.

    Shows ids only, never names. Ctrl-C to stop.
    """
    from .live import print_live

    settings = load_settings()
    try:
        _run(print_live(settings, Console(soft_wrap=True), from_beginning=from_beginning, deliveries=deliveries,
                        as_json=as_json))
    except KeyboardInterrupt:
        pass


@responses_app.command("tail")
def responses_tail(
    agency: str = typer.Option(..., "--agency", help="The publishing agency, e.g. ke-immigration."),
    from_beginning: bool = typer.Option(False, "--from-beginning", help="Start with the oldest answer kept."),
    as_json: bool = typer.Option(False, "--json", help="Print each response as one JSON line."),
) -> None:
    """Follow one agency's answers live (responses.<agency>): no_hit, review or hit, with the action."""
    from .responses import tail_responses

    settings = load_settings()
    try:
        _run(tail_responses(settings, agency, from_beginning=from_beginning, as_json=as_json))
    except KeyboardInterrupt:
        pass
