"""``review-console``: the analysts' review console as a service of its own; ``review revoke``: end a clearance
(docs/review.md)."""

from __future__ import annotations

import asyncio
import getpass
import logging
import signal
import sys

import typer

from .common import fail, load_settings

__all__ = ["review_app", "review_console"]

review_app = typer.Typer(no_args_is_help=True, help="Act on review decisions from the command line (docs/review.md).")


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


def _login_name() -> str:
    try:
        return getpass.getuser()[:64] or "cli"
    except (OSError, KeyError):  # no login name in this environment (e.g. a container without a passwd entry)
        return "cli"


@review_app.command("revoke")
def revoke(
    item_id: str = typer.Argument(..., help="The review item whose clearance ends (A-..., as listed on the "
                                            "console's Clearances page)."),
    reason: str = typer.Option(..., "--reason", help="Why the clearance ends (required, up to 2,000 characters; "
                                                     "kept on reviews.decisions)."),
    by: str | None = typer.Option(None, "--by", help="Who revokes, as recorded in the decision: an officer id, not "
                                                     "a person's name (default: your login name)."),
) -> None:
    """Revoke a "not the person" clearance: the traveller is screened again as if never cleared.

    Writes a decision with outcome "revoked" on reviews.decisions under the item id (compacted: it
    becomes the item's last word), naming who revokes, when, the reason, and the clearance it ends.
    Every worker drops the clearance as soon as it reads the record; the traveller's next event is
    a review or an alert again. It acts for the bureau that made the clearance; run it with the
    review console's Kafka user (WRITE on reviews.decisions).

    Exit 2 when the item has no decision, its last decision is not a clearance (confirm, unsure,
    already revoked), it cleared nothing, or it has expired; exit 1 when Kafka cannot be reached.
    """
    from consumers import BrokerUnavailable, wait_for_broker
    from consumers.review_queue import revoke_clearance
    from consumers.review_rules import DecisionRefused
    from infra import TopicNotFound

    settings = load_settings()
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    officer = (by if by is not None else _login_name()).strip()
    if not officer or len(officer) > 64:
        fail("--by must be an officer id of 1 to 64 characters", code=2)

    async def main() -> None:
        await wait_for_broker(settings)
        decision = await revoke_clearance(settings, item_id, reason, officer)
        assert decision.revokes is not None
        print(f"revoked the clearance of {item_id} (notice {decision.notice_id}, cleared by "
              f"{decision.revokes.officer} of {decision.revokes.bureau_id} on {decision.revokes.at:%Y-%m-%d}); "
              f"recorded on {settings.topic('reviews.decisions')} as {officer}")

    try:
        asyncio.run(main())
    except DecisionRefused as exc:
        fail(str(exc), code=2)
    except TopicNotFound:
        fail(f"no decision on record for item {item_id} ({settings.topic('reviews.decisions')} does not exist)",
             code=2)
    except BrokerUnavailable as exc:
        fail(str(exc), code=1)
