"""``review-console``: the analysts' review console as a service of its own (docs/review.md)."""

from __future__ import annotations

import asyncio
import getpass
import logging
import signal
import sys

import typer

from .common import fail, load_settings

__all__ = ["review_console"]


def review_console(
    port: int | None = typer.Option(None, help="Port to serve on (default: FUGITIVE_ALERTS_REVIEW_WEB_PORT, 8071)."),
    host: str | None = typer.Option(None, help="Address to bind (default: FUGITIVE_ALERTS_REVIEW_WEB_HOST, 127.0.0.1)."),
    hash_password: bool = typer.Option(False, "--hash-password",
                                       help="Read a password (prompt, or one line on stdin) and print its argon2id "
                                            "hash for the officers file; serve nothing."),
) -> None:
    """Serve the review console: analysts sign in, see their bureau's queue, and decide review-band hits.

    Officers sign in with FUGITIVE_ALERTS_REVIEW_OFFICERS_FILE (YAML or JSON with argon2 password
    hashes) or through a trusted auth proxy (FUGITIVE_ALERTS_REVIEW_TRUSTED_PROXY). Decisions go to
    reviews.decisions; /metrics has each bureau's queue depth and the age of its oldest item.
    """
    if hash_password:
        from consumers.review_auth import hash_password as make_hash

        password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("an empty password cannot be hashed", code=2)
        print(make_hash(password))
        return

    from consumers import BrokerUnavailable, wait_for_broker
    from consumers.review_auth import Officers, OfficersError

    from .review_console import ReviewConsole, serve

    settings = load_settings()
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    bind, listen = host or settings.review_web_host, port or settings.review_web_port
    officers = None
    if settings.review_officers_file is not None:
        try:
            officers = Officers.load(settings.review_officers_file)
        except OfficersError as exc:
            fail(str(exc), code=2)
    elif not settings.review_trusted_proxy:
        fail("nobody could sign in: set FUGITIVE_ALERTS_REVIEW_OFFICERS_FILE (officers and password hashes) "
             "or FUGITIVE_ALERTS_REVIEW_TRUSTED_PROXY (the address of your auth proxy); see docs/review.md", code=2)
    console = ReviewConsole(settings, officers)

    async def main() -> None:
        await wait_for_broker(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(console, bind, listen, stop, started=lambda: print(
            f"review console on http://{bind}:{listen}/ (analysts: {settings.review_public_url}/)",
            file=sys.stderr, flush=True))

    try:
        asyncio.run(main())
    except BrokerUnavailable as exc:
        fail(str(exc), code=1)
    except OSError as exc:
        fail(f"cannot serve on {bind}:{listen}: {exc.strerror}", code=1)
