"""``publish``, ``wanted import`` and ``alerts tail``: getting records in and watching them come out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console

from .common import fail, load_settings
from .jsonl import report_bad_lines

__all__ = ["publish", "wanted_app", "alerts_app", "responses_app", "bureaus_app"]

wanted_app = typer.Typer(no_args_is_help=True, help="Load and inspect wanted lists.")
alerts_app = typer.Typer(no_args_is_help=True, help="Watch the alerts the pipeline raises.")
bureaus_app = typer.Typer(no_args_is_help=True, help="Manage the bureau directory (the compacted bureaus topic).")
responses_app = typer.Typer(no_args_is_help=True, help="Watch the answers the pipeline gives to publishing agencies.")

_RECORDS = "docs/records.md"
"""Where each record's JSON is described (shipped with the project, linked from the help)."""

_FILE = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                       help=f"A JSONL file, one event per line (the event records of {_RECORDS}).")

T = TypeVar("T")


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a short-lived client; Kafka being down, or a topic missing, is a message and exit 1, not a traceback."""
    from aiokafka.errors import TopicAuthorizationFailedError

    from consumers import BrokerUnavailable
    from infra import TopicNotFound

    from .sent import NOT_AUTHORIZED, RecordsRefused

    # aiokafka logs each retried connection or metadata error; these commands report their own.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        return asyncio.run(coro)
    except (BrokerUnavailable, TopicNotFound, RecordsRefused) as exc:
        fail(str(exc), code=1)
    except TopicAuthorizationFailedError as exc:  # refused before a record was sent (the topic's metadata)
        fail(f"{exc}: {NOT_AUTHORIZED}", code=1)


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
    ingest: bool = typer.Option(False, "--ingest",
                                help="Publish to each event's agency's ingest.<agency>.* topic (the worker checks "
                                     "and forwards it): how an agency publishes when Kafka ACLs are on."),
    rate: float | None = typer.Option(None, "--rate", metavar="N",
                                      help="Send N events per second (e.g. 0.5, 20, 500), paced from the start "
                                           "so the replay does not drift; default: as fast as possible. For "
                                           "replaying a day of events, or a drill."),
) -> None:
    """Publish JSONL events to their topics (border crossings, visa applications, tips), keyed by event_id.

    Each line is one event object; docs/records.md describes them, with examples. Malformed
    lines are reported with their line number and skipped; the exit code is then 2. A progress
    bar shows on a terminal.
    """
    from .pacing import check_rate
    from .produce import publish_events

    if rate is not None:
        try:
            check_rate(rate)
        except ValueError as exc:
            fail(str(exc), code=2)
    settings = load_settings()
    if wait_response:
        from .responses import publish_and_wait

        _run(publish_and_wait(settings, file, timeout, ingest=ingest, rate=rate))
        return
    report = _run(publish_events(settings, file, validate=validate, ingest=ingest, rate=rate))
    for topic, n in sorted(report.by_topic.items()):
        print(f"{n:>8} -> {topic}")
    print(f"published {report.sent} event(s)")
    report_bad_lines(file, report.bad)
    if report.bad:
        raise SystemExit(2)


@wanted_app.command("import")
def wanted_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="The wanted list, in the --format given."),
    format: str = typer.Option("jsonl", "--format",
                               help="interpol: INTERPOL Red Notice API JSON (list or detail responses); "
                                    "ftm: FollowTheMoney / OpenSanctions entities, JSON lines; "
                                    f"csv: with --map; jsonl: one WantedPerson per line ({_RECORDS}, wanted.notices)."),
    dry_run: bool = typer.Option(False, "--dry-run",
                                 help="Validate only and print the report: counts, warnings, rejected rows "
                                      "with their reasons (and, with --full-snapshot, what would be withdrawn)."),
    full_snapshot: bool = typer.Option(False, "--full-snapshot",
                                       help="The file is the whole list of its source: withdraw (tombstone) "
                                            "notices of the same source that it no longer holds."),
    source: str | None = typer.Option(None, "--source",
                                      help="Name of the list (default: interpol, opensanctions, csv:<file "
                                           "stem>; jsonl records keep their own). --full-snapshot withdraws "
                                           "only notices of this source."),
    csv_map: list[str] = typer.Option([], "--map",
                                      help="csv only: field=Column pairs, comma-separated, repeatable, e.g. "
                                           "--map \"notice_id=Reference,given=First name,family=Surname\". "
                                           "See docs/wanted-lists.md for the fields."),
) -> None:
    """Load a wanted list into the compacted wanted.notices topic (upsert by notice_id).

    The jsonl format, one WantedPerson per line, is described with an example in docs/records.md;
    the other formats in docs/wanted-lists.md. Workers pick the change up live, and a new or
    changed notice re-screens the events of the retention window. Rejected rows are reported with
    their line (or notice) number and a reason, never with personal data, and skipped; the exit
    code is then 2.
    """
    import re

    from .importers import FORMATS, InputError, parse_csv_map, render_report
    from .produce import import_wanted

    if format not in FORMATS:
        fail(f"unknown --format {format!r}: the formats are {', '.join(FORMATS)}", code=2)
    if csv_map and format != "csv":
        fail("--map is for --format csv only", code=2)
    if source is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}", source):
        fail("--source: letters, digits and . _ : / - (at most 64, starting with a letter or digit)", code=2)
    try:
        mapping = parse_csv_map(csv_map) if csv_map else None
    except InputError as exc:
        fail(str(exc), code=2)
    settings = load_settings()
    try:
        report = _run(import_wanted(settings, file, format=format, dry_run=dry_run, full_snapshot=full_snapshot,
                                    source=source, csv_map=mapping))
    except InputError as exc:
        fail(str(exc), code=2)
    for line in render_report(report):
        print(line)
    if not dry_run:
        print(f"into {settings.topic('wanted.notices')}")
    if report.rejected:
        raise SystemExit(2)


@alerts_app.command("tail")
def alerts_tail(
    from_beginning: bool = typer.Option(False, "--from-beginning", help="Start with the oldest alert kept."),
    deliveries: bool = typer.Option(False, "--deliveries", help="Also show each SMS/email delivery outcome."),
    as_json: bool = typer.Option(False, "--json", help="Print each record as one JSON line."),
) -> None:
    """Follow alerts as they arrive: reference, urgency, band, score, event and notice ids.

    Shows ids only, never names. An alert produced again (a replay after a crash, or a retro-screen)
    has the same id and is shown once. Ctrl-C to stop.
    """
    from .live import print_live

    settings = load_settings()
    with contextlib.suppress(KeyboardInterrupt):
        _run(print_live(settings, Console(soft_wrap=True), from_beginning=from_beginning, deliveries=deliveries,
                        as_json=as_json))


@responses_app.command("tail")
def responses_tail(
    agency: str = typer.Option(..., "--agency", help="The publishing agency, e.g. ke-immigration."),
    from_beginning: bool = typer.Option(False, "--from-beginning", help="Start with the oldest answer kept."),
    as_json: bool = typer.Option(False, "--json", help="Print each response as one JSON line."),
) -> None:
    """Follow one agency's answers live (responses.<agency>): no_hit, review or hit, with the action."""
    from .responses import tail_responses

    settings = load_settings()
    with contextlib.suppress(KeyboardInterrupt):
        _run(tail_responses(settings, agency, from_beginning=from_beginning, as_json=as_json))


@bureaus_app.command("import")
def bureaus_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="A YAML bureau directory (see fugitive_alerts/sample/bureaus.yaml)."),
    prune: bool = typer.Option(False, "--prune", help="Also remove bureaus that the file no longer lists."),
) -> None:
    """Load the bureau directory into the bureaus topic. Running dispatchers and workers see it live.

    The file is validated first (E.164 phones, emails, time zones, roster officers); an invalid
    file writes nothing and exits 2.
    """
    from alerting import DirectoryError

    from .produce import import_bureaus

    settings = load_settings()
    try:
        report = _run(import_bureaus(settings, file, prune=prune))
    except DirectoryError as exc:
        fail(str(exc), code=2)
    removed = f", removed {report.valid}" if prune else ""
    print(f"imported {report.sent} bureau(s) into {settings.topic('bureaus')}{removed}")
