"""``lag`` and ``monitor``: consumer lag for operators, on the command line and as a service.

``lag`` exits 1 when any reported group is failing (ERR, STOP, STALL or REWIND), so cron and CI
can call it. The rules behind each status are in ``docs/ops.md``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import signal
import sys

import typer
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from .common import fail, load_settings, refuse_weak_secrets

__all__ = ["lag", "lag_table", "monitor"]

_STYLE = {"OK": "green", "WARN": "yellow", "ERR": "bold red", "STOP": "bold red", "STALL": "bold red",
          "REWIND": "bold magenta"}


def lag_table(report: object) -> Group:
    """The rich rendering of a :class:`consumers.lag.LagReport`: groups, then partitions."""
    from consumers.lag import LagReport

    assert isinstance(report, LagReport)
    groups = Table(title="consumer groups", title_justify="left")
    for col in ("group", "status", "members", "state", "lag", "oldest unconsumed (s)"):
        groups.add_column(col, justify="right" if col in ("members", "lag", "oldest unconsumed (s)") else "left")
    parts = Table(title="partitions", title_justify="left")
    for col in ("group", "topic", "partition", "committed", "end", "lag", "lag (s)", "status"):
        parts.add_column(col, justify="left" if col in ("group", "topic", "status") else "right")
    for g in report.groups:
        style = _STYLE.get(str(g.status), "")
        groups.add_row(g.group, Text(str(g.status), style=style), str(g.members), g.state, str(g.lag),
                       f"{g.lag_seconds:.1f}")
        for p in g.partitions:
            parts.add_row(p.group, p.topic, str(p.partition), "-" if p.committed is None else str(p.committed),
                          str(p.end), str(p.lag), f"{p.lag_seconds:.1f}",
                          Text(str(p.status), style=_STYLE.get(str(p.status), "")))
    return Group(groups, parts)


def lag(
    as_json: bool = typer.Option(False, "--json", help="Print {groups: [...], partitions: [...]} as JSON."),
    watch: bool = typer.Option(False, "--watch", help="Refresh every --interval seconds until Ctrl-C."),
    group: list[str] | None = typer.Option(None, "--group", "-g",
                                              help="A group to report (repeatable). Default: the worker's "
                                                   "(FUGITIVE_ALERTS_APP_ID) and the dispatcher's."),
    all_groups: bool = typer.Option(False, "--all-groups", help="Every consumer group with offsets on the cluster "
                                                                "(topics filtered by FUGITIVE_ALERTS_TOPIC_PREFIX)."),
    interval: float | None = typer.Option(None, help="Seconds between refreshes with --watch "
                                                        "[default: FUGITIVE_ALERTS_LAG_INTERVAL_SECONDS]."),
) -> None:
    """Consumer lag per group and partition: committed and end offsets, lag in records and seconds, status.

    Statuses follow Burrow's rules over a sliding window of commits (docs/ops.md). Exit code 1
    when any group is ERR, STOP, STALL or REWIND; 0 otherwise.
    """
    from aiokafka.errors import KafkaError

    from consumers.lag import LagMonitor, LagReport

    settings = load_settings()
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    every = interval if interval is not None else settings.lag_interval_seconds
    console = Console()

    async def evaluate(monitor: LagMonitor) -> LagReport:
        """One evaluation; a retriable Kafka error (leader or coordinator moving) is retried twice."""
        for attempt in range(3):
            try:
                return await asyncio.wait_for(monitor.evaluate(), 60.0)
            except KafkaError as exc:
                if not exc.retriable or attempt == 2:
                    raise
                await asyncio.sleep(0.5 * (attempt + 1))  # back-off before a retry, not synchronisation
        raise AssertionError("unreachable")

    async def main() -> int:
        async with LagMonitor(settings, groups=group, all_groups=all_groups) as monitor:
            if not watch:
                report = await evaluate(monitor)
                _print(report)
                return 1 if report.failing() else 0
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            code = 0
            with Live(console=console, auto_refresh=False, transient=False) as live:
                while not stop.is_set():
                    try:
                        report = await evaluate(monitor)
                    except (TimeoutError, KafkaError, OSError) as exc:
                        code = 1
                        console.print(f"[red]lag evaluation failed: {exc!r}; retrying[/red]")
                    else:
                        code = 1 if report.failing() else 0
                        if as_json:
                            _print(report)
                        else:
                            live.update(lag_table(report), refresh=True)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), every)  # the refresh interval
            return code

    def _print(report: object) -> None:
        if as_json:
            print(json.dumps(report.to_json()), flush=True)  # type: ignore[attr-defined]
        else:
            console.print(lag_table(report))

    try:
        code = asyncio.run(main())
    except (TimeoutError, OSError) as exc:
        fail(f"could not read lag from Kafka at {settings.kafka_bootstrap_servers}: {type(exc).__name__}. "
             "Is the broker up (`fugitive-alerts broker status`)?", code=1)
    except KafkaError as exc:
        fail(f"could not read lag from Kafka at {settings.kafka_bootstrap_servers}: {exc!r}", code=1)
    raise typer.Exit(code)


def monitor(
    port: int = typer.Option(8080, help="Port of /metrics, /health, /ready and the dashboard."),
    host: str = typer.Option("127.0.0.1", help="Address to bind (0.0.0.0 to expose it)."),
    group: list[str] | None = typer.Option(None, "--group", "-g", help="A group to watch (repeatable)."),
    all_groups: bool = typer.Option(False, "--all-groups", help="Watch every consumer group on the cluster."),
) -> None:
    """Watch lag continuously: Prometheus /metrics, /health, /ready, a live dashboard, and ops emails.

    The dashboard is at http://HOST:PORT/dashboard/?token=TOKEN (FUGITIVE_ALERTS_OPS_TOKEN; when
    unset a random token is made and printed). With FUGITIVE_ALERTS_OPS_EMAIL_TO set, a group
    failing for FUGITIVE_ALERTS_OPS_ALERT_AFTER_MINUTES emails that address, with reminders.
    """
    from alerting import SmtpEmail
    from consumers.ops_alerts import OpsAlerter

    from .ops_web import OpsMonitor, serve

    settings = load_settings()
    refuse_weak_secrets(settings, "the monitor")
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    token = settings.ops_token.get_secret_value() if settings.ops_token else secrets.token_urlsafe(24)
    alerter = None
    if settings.ops_email_to:
        email = SmtpEmail(settings.smtp_host, settings.smtp_port, sender=settings.alert_email_from,
                          username=settings.smtp_username,
                          password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
                          starttls=settings.smtp_starttls, timeout=settings.smtp_timeout)
        alerter = OpsAlerter(email, settings.ops_email_to, after=settings.ops_alert_after_minutes * 60,
                             reminder=settings.ops_reminder_minutes * 60)
    ops = OpsMonitor(settings, token, groups=group, all_groups=all_groups, alerter=alerter)
    shown = token if not settings.ops_token else "<FUGITIVE_ALERTS_OPS_TOKEN>"
    print(f"ops monitor on http://{host}:{port}/ : /metrics /health /ready; "
          f"dashboard http://{host}:{port}/dashboard/?token={shown}", file=sys.stderr, flush=True)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(ops, host, port, stop)

    try:
        asyncio.run(main())
    except OSError as exc:
        fail(f"cannot serve on {host}:{port}: {exc.strerror}", code=1)
