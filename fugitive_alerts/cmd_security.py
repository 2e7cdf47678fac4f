"""``acls show`` and ``acls apply``: the project's Kafka ACL policy (docs/security.md)."""

from __future__ import annotations

import asyncio
import logging

import typer

from .common import fail, load_settings

__all__ = ["acls_app"]

acls_app = typer.Typer(no_args_is_help=True, help="Show or apply the Kafka ACLs of the services and agencies.")

_AGENCY = typer.Option(None, "--agency", help="An agency (repeatable); added to FUGITIVE_ALERTS_INGEST_AGENCIES.")
_WORKER = typer.Option("worker", help="Kafka user (SASL) of the Faust workers.")
_DISPATCHER = typer.Option("dispatcher", help="Kafka user of the dispatchers.")
_MONITOR = typer.Option("monitor", help="Kafka user of the lag monitor and `lag`.")
_IMPORTER = typer.Option("importer", help="Kafka user of `wanted import` (writes and reads wanted.notices only).")
_DIRECTORY = typer.Option("directory", help="Kafka user of `bureaus import` (owns the bureaus topic).")
_REVIEWER = typer.Option("review-console", help="Kafka user of the review console (decisions; confirmed alerts).")


def _agencies(extra: list[str] | None) -> list[str]:
    settings = load_settings()
    return list(dict.fromkeys([*settings.ingest_agency_list, *(extra or [])]))


@acls_app.command("show")
def show(agency: list[str] | None = _AGENCY, worker: str = _WORKER, dispatcher: str = _DISPATCHER,
         monitor: str = _MONITOR, importer: str = _IMPORTER, directory: str = _DIRECTORY,
         reviewer: str = _REVIEWER) -> None:
    """Print every ACL binding the policy allows (everything else is denied)."""
    from .acl_policy import Principals, policy

    settings = load_settings()
    for binding in policy(settings, _agencies(agency), Principals(worker, dispatcher, monitor, importer, directory, reviewer)):
        print(binding)


@acls_app.command("apply")
def apply(agency: list[str] | None = _AGENCY, worker: str = _WORKER, dispatcher: str = _DISPATCHER,
          monitor: str = _MONITOR, importer: str = _IMPORTER, directory: str = _DIRECTORY,
         reviewer: str = _REVIEWER) -> None:
    """Create the topics (with each agency's ingest.<agency>.* and responses.<agency>) and the ACLs.

    Run it as a Kafka super user (KAFKA_SASL_USERNAME=admin on the local secure broker). Applying
    twice is harmless. ACLs that the policy no longer lists are not removed.
    """
    from consumers import BrokerUnavailable

    from .acl_policy import Principals
    from .acls import AclError, apply_policy

    settings = load_settings()
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    agencies = _agencies(agency)
    try:
        count = asyncio.run(apply_policy(settings, agencies,
                                         Principals(worker, dispatcher, monitor, importer, directory, reviewer)))
    except (BrokerUnavailable, AclError) as exc:
        fail(str(exc), code=1)
    print(f"applied {count} ACL binding(s) for {worker}, {dispatcher}, {monitor}, {importer}, {directory}, {reviewer} "
          f"and {len(agencies)} agency(ies)")
