"""``worker`` and ``dispatcher``: the two long-running processes of the pipeline."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from .common import fail, load_settings, refuse_weak_secrets

if TYPE_CHECKING:
    from consumers import Dispatcher
    from schemas import Settings

__all__ = ["worker", "dispatcher", "run_dispatcher", "WORKER_SWITCH_INTERVAL"]

WORKER_SWITCH_INTERVAL = 0.0005
"""``sys.setswitchinterval`` of the worker (seconds; Python's default is 0.005). See ``worker``."""


def worker(
    web_port: int = typer.Option(6066, help="Port of the worker's web server (bound to 127.0.0.1)."),
    loglevel: str = typer.Option("warning", help="Faust's own log level (the project's logs are always on)."),
    loop: str = typer.Option("aio", help="Event loop: aio (asyncio) or uvloop (the 'fast' extra). See docs/benchmarks.md."),
) -> None:
    """Run the Faust worker: load the wanted list, screen every event, produce alerts and responses.

    Every border crossing and visa application gets an answer on responses.<agency> (hit or not);
    a tip gets one when it asks ("respond": true). The bureau directory (the bureaus topic, see
    `fugitive-alerts bureaus import`) gives the national bureau and 24/7 number a response names.

    Creates the topics if they are missing. Waits (with retries) for Kafka if it is not up yet.
    Stop it with Ctrl-C or SIGTERM.

    Each worker is a static member of the group (FUGITIVE_ALERTS_WORKER_ID, default: host name and
    data directory): restarted with the same id, it takes its partitions back at once. Give every
    worker its own FUGITIVE_ALERTS_DATA_DIR or FUGITIVE_ALERTS_WORKER_ID (docs/reliability.md).
    """
    import faust
    import structlog

    from consumers import BrokerUnavailable, ensure_topics
    from streams import create_app

    if loop != "aio":
        import mode.loop

        mode.loop.use(loop)  # as `faust -L uvloop worker`: before any event loop exists
    settings = load_settings()
    if settings.index_snapshot:  # a snapshot of the index is only good for the same string hashes
        from .hash_seed import pin_hash_seed

        pin_hash_seed(settings.data_dir)
    try:
        asyncio.run(ensure_topics(settings))
    except BrokerUnavailable as exc:
        fail(str(exc), code=1)
    from matching import _compiled, warm_up

    # the romanisation tables load on first use, seconds of CPU: here, not in the event loop when the
    # first notice in kanji or hangul arrives (the demo's events then waited 4 s behind it)
    warmed = warm_up()
    built = create_app(settings, web_port=web_port)
    structlog.get_logger("fugitive_alerts.worker").info(
        "romanisation tables loaded", seconds=round(warmed, 2),
        matching_core="rust" if built.matcher.compiled else "python",  # what create_app chose, not chosen again
        matching_modules="mypyc" if _compiled.active() else "source")  # docs/matching.md, "The compiled modules"
    # failover (issue 15): which member of the group this is, so an operator can tell two workers apart
    structlog.get_logger("fugitive_alerts.worker").info(
        "worker joining its group", group=settings.app_id,
        group_instance_id=built.app.conf.consumer_group_instance_id or "(dynamic member)",
        session_timeout_s=settings.worker_session_timeout_seconds,
        kafka_consumer="own thread" if settings.faust_consumer_thread else "event loop",  # streams/consumer_loop.py
    )
    the_worker = faust.Worker(built.app, *built.services, loglevel=loglevel, quiet=True)
    # No terminal spinner: to spin on every log record it sets the root logger to DEBUG, so each of
    # aiokafka's per-request debug calls builds a record (~5% of the worker's CPU, docs/benchmarks.md).
    the_worker.spinner = None
    # With FUGITIVE_ALERTS_FAUST_CONSUMER_THREAD=true, Faust's Kafka consumer runs in a thread of its
    # own, and the event loop may wait up to the GIL switch interval for it. 0.5 ms was adopted on a
    # no-op-ceiling figure that turned out to be a bench artefact; measured properly it changed
    # neither the ceiling (3,604 vs 3,635 events/s) nor its CPU per event much (docs/benchmarks.md,
    # "What was found this round"). Kept: no harm was measured either, and the bench's Faust ceiling
    # uses the same value.
    sys.setswitchinterval(WORKER_SWITCH_INTERVAL)
    the_worker.execute_from_commandline()


def dispatcher() -> None:
    """Run the alert dispatcher: route alerts to bureaus, send SMS and email, escalate, take acks.

    The bureau directory is the `bureaus` topic (`fugitive-alerts bureaus import FILE`); changes
    are picked up live. If BUREAUS_FILE is set, that file is imported into the topic at start.
    Sends SMS through Twilio at TWILIO_API_BASE_URL and email through SMTP_HOST:SMTP_PORT.
    Serves acknowledgement links and the Twilio webhooks on FUGITIVE_ALERTS_WEB_HOST:WEB_PORT
    (linked as FUGITIVE_ALERTS_PUBLIC_URL). Stop it with Ctrl-C or SIGTERM.
    """
    settings = load_settings()
    refuse_weak_secrets(settings, "the dispatcher")
    run_dispatcher(settings)


def run_dispatcher(settings: Settings, factory: Callable[..., Dispatcher] | None = None) -> None:
    """The ``dispatcher`` command with these settings; ``factory`` builds the dispatcher (default
    ``consumers.Dispatcher``; the fault tests pass a subclass)."""
    import structlog
    from aiohttp import web
    from aiokafka.errors import TopicAuthorizationFailedError

    from alerting import DeliveryError, DirectoryError, SmtpEmail, TwilioSms, load_directory
    from consumers import BrokerUnavailable, Dispatcher, ensure_topics
    from consumers.webapp import create_web_app

    from .produce import import_bureaus
    from .sent import RecordsRefused

    log = structlog.get_logger("fugitive_alerts.dispatcher")
    if settings.bureaus_file is not None:
        try:
            load_directory(settings.bureaus_file)
        except DirectoryError as exc:
            fail(str(exc), code=2)

    async def check_sms(sms: TwilioSms) -> None:
        """At start, beside the dispatcher: Twilio's answer to the credentials, and a connection open for the
        first alert's SMS (``TwilioSms.check``). A failure is logged, never fatal: each SMS is still tried,
        and one that fails falls back to the officer's email."""
        try:
            status = await sms.check()
        except DeliveryError as exc:
            log.error("SMS provider check failed; each SMS will still be tried, and falls back to email if it fails",
                      error=str(exc))
            return
        except Exception:  # the task's boundary: an unexpected answer must not go unreported, nor stop anything
            log.exception("SMS provider check failed unexpectedly; each SMS will still be tried")
            return
        if status != "active":
            log.error("the Twilio account is not active; SMS will fall back to email", account_status=status)
        else:
            log.info("SMS provider reachable", account_status=status)

    async def main() -> None:
        await ensure_topics(settings)
        if settings.bureaus_file is not None:
            try:
                await import_bureaus(settings, settings.bureaus_file)
            except (RecordsRefused, TopicAuthorizationFailedError) as exc:
                if isinstance(exc, RecordsRefused) and not isinstance(exc.error, TopicAuthorizationFailedError):
                    fail(f"BUREAUS_FILE not imported: {exc}", code=1)
                # least privilege: the directory principal owns bureaus
                log.warning("BUREAUS_FILE not imported: this dispatcher's Kafka user may not write the bureaus "
                            "topic; import the directory as its owner (`fugitive-alerts bureaus import FILE`)")
        sms = TwilioSms(settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value(),
                        settings.twilio_from_number, settings.twilio_api_base_url)
        email = SmtpEmail(
            settings.smtp_host, settings.smtp_port, sender=settings.alert_email_from,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls, timeout=settings.smtp_timeout, pool_size=settings.smtp_pool_size,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        the_dispatcher = (factory or Dispatcher)(settings, sms, email)
        runner = web.AppRunner(create_web_app(the_dispatcher), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, settings.web_host, settings.web_port).start()
        except OSError as exc:
            fail(f"cannot serve the web app on {settings.web_host}:{settings.web_port}: {exc.strerror}; "
                 "set FUGITIVE_ALERTS_WEB_PORT to a free port", code=1)
        check = asyncio.create_task(check_sms(sms))
        try:
            await the_dispatcher.run(stop)
        finally:
            check.cancel()
            await runner.cleanup()
            await sms.close()
            await email.close()

    try:
        asyncio.run(main())
    except BrokerUnavailable as exc:
        fail(str(exc), code=1)
