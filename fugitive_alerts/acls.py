"""Apply the ACL policy (:mod:`.acl_policy`) to a cluster, and create the topics it names.

aiokafka's admin client has no ACL calls; :func:`infra._compat.create_acls` and
:func:`~infra._compat.describe_acls` send CreateAcls (v1, the baseline of Kafka 4) and
DescribeAcls with aiokafka's own protocol classes. Creating an ACL that exists already is a
no-op on the broker, so applying the policy twice is safe. Run it as a
super user (``User:admin`` on the local secure broker) or a principal with ALTER on the cluster.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient

from infra._compat import AclRow, create_acls, describe_acls, error_name
from schemas import Settings
from schemas.errors import FugitiveAlertsError

from .acl_policy import AclBinding, Principals, policy

__all__ = ["AclError", "apply_acls", "apply_policy"]


class AclError(FugitiveAlertsError, RuntimeError):
    """The broker refused an ACL (the message names it and the broker's reason)."""


def _row(b: AclBinding) -> AclRow:
    return int(b.resource_type), b.name, int(b.pattern), b.principal, int(b.operation)


async def apply_acls(settings: Settings, bindings: Iterable[AclBinding]) -> int:
    """Create ``bindings`` on the cluster of ``settings`` (as its principal); return how many."""
    todo = list(bindings)
    admin = AIOKafkaAdminClient(**settings.kafka_client_kwargs(), request_timeout_ms=15000)
    await admin.start()
    try:
        for start in range(0, len(todo), 100):
            chunk = todo[start:start + 100]
            answers = await create_acls(admin, [_row(b) for b in chunk])
            for binding, (code, message) in zip(chunk, answers, strict=True):
                if code:
                    detail = f" ({message})" if message and len(message) < 200 else ""  # Kafka's can be a request dump
                    raise AclError(f"the broker refused the ACL '{' '.join(str(binding).split())}': "
                                   f"{error_name(code)}{detail}. Run this as a super user "
                                   "(KAFKA_SASL_USERNAME=admin on the local secure broker) or a principal with "
                                   "ALTER on the cluster.")
        await _until_visible(admin, todo)
    finally:
        await admin.close()
    return len(todo)


async def _until_visible(admin: AIOKafkaAdminClient, bindings: list[AclBinding], timeout: float = 30.0) -> None:
    """Wait until the broker's authorizer knows every binding: the controller accepts ACLs first and
    the broker applies them a moment later, so a client right after ``apply`` could still be denied."""
    wanted = {_row(b) for b in bindings}
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        seen = await describe_acls(admin)
        if wanted <= seen:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AclError(f"{len(wanted - seen)} ACL(s) were accepted but the broker does not show them "
                           f"after {timeout:g}s; check the broker's log")
        await asyncio.sleep(0.2)  # polling the broker's view of the ACLs, not synchronisation by delay


async def apply_policy(settings: Settings, agencies: list[str], principals: Principals = Principals()) -> int:
    """Create the topics (including each agency's ingest and responses topics) and every ACL of
    :func:`~.acl_policy.policy`; return the number of ACL bindings."""
    from consumers import ensure_topics

    scoped = settings.model_copy(update={"ingest_agencies": ",".join(
        dict.fromkeys([*settings.ingest_agency_list, *agencies]))})
    await ensure_topics(scoped, agencies=list(dict.fromkeys(agencies)))
    return await apply_acls(settings, policy(settings, agencies, principals))
